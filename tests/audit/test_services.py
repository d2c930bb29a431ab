"""Recording entries: the chain, the caller's transaction, concurrent appends, row-level
security and append-only for the application's role."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import tenant_context

from apps.audit.chain import GENESIS
from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chains_verify
from apps.audit.services import audit_record

pytestmark = pytest.mark.django_db


def chain(tenant):
    return list(AuditEntry.objects.filter(tenant=tenant).order_by("seq"))


def test_entries_chain_each_to_the_one_before(tenant, owner):
    start = len(chain(tenant))
    first = audit_record(action="api_key.created", tenant=tenant, actor=owner.user, target="ERP")
    second = audit_record(action="api_key.revoked", tenant=tenant, actor=owner.user, ip="192.0.2.9")
    assert second.seq == first.seq + 1 == start + 2
    assert second.prev_hash == first.hash
    assert (first.actor_label, first.target, first.ip) == (owner.user.email, "ERP", "")
    assert second.ip == "192.0.2.9"
    stored = AuditEntry.objects.get(pk=second.pk)
    assert stored.hash == second.hash
    assert list(audit_chains_verify(tenant_ids=[tenant.pk])) == []


def test_the_first_entry_of_a_chain_names_the_genesis_hash(other_tenant):
    AuditEntry.objects.filter(tenant=other_tenant).delete()  # as the owner role, in this test
    entry = audit_record(action="company.deleted", tenant=other_tenant)
    assert (entry.seq, entry.prev_hash) == (1, GENESIS)


def test_the_operators_chain_is_the_one_without_a_company(tenant):
    before = AuditEntry.objects.filter(tenant__isnull=True).count()
    entry = audit_record(action="admin.changed", tenant=None, target="plans.plan 1: Pro")
    assert entry.tenant_id is None
    assert AuditEntry.objects.filter(tenant__isnull=True).count() == before + 1
    assert list(audit_chains_verify(tenant_ids=[None])) == []


def test_an_action_rolled_back_leaves_no_entry(tenant):
    count = AuditEntry.objects.filter(tenant=tenant).count()

    @transaction.atomic
    def remove_then_fail() -> None:
        audit_record(action="member.removed", tenant=tenant, target="x@example.com")
        raise RuntimeError

    with pytest.raises(RuntimeError):
        remove_then_fail()
    assert AuditEntry.objects.filter(tenant=tenant).count() == count


def test_details_are_stored_as_they_were_hashed(tenant):
    entry = audit_record(
        action="member.suspended",
        tenant=tenant,
        data={"until": datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "n": 3},
    )
    assert AuditEntry.objects.get(pk=entry.pk).data == {"until": "2026-12-01T09:00:00Z", "n": 3}
    assert list(audit_chains_verify(tenant_ids=[tenant.pk])) == []


def test_a_company_connection_sees_and_writes_its_own_chain_only(tenant, other_tenant):
    mine = audit_record(action="api_key.created", tenant=tenant)
    theirs = audit_record(action="api_key.created", tenant=other_tenant)
    with tenant_context(tenant):
        visible = set(AuditEntry.objects.values_list("pk", flat=True))
        assert mine.pk in visible
        assert theirs.pk not in visible
        with pytest.raises(DatabaseError), transaction.atomic():
            audit_record(action="api_key.created", tenant=other_tenant)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"]
)
def test_the_application_role_cannot_change_or_delete_entries(tenant, statement):
    entry = audit_record(action="api_key.created", tenant=tenant)
    with (
        tenant_context(tenant),
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"{statement} WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "api_key.created"


def test_concurrent_appends_never_fork_the_chain(committed, tenant):
    before = AuditEntry.objects.filter(tenant=tenant).count()
    errors = []

    def append(n: int) -> None:
        try:
            for i in range(15):
                audit_record(action="auth.sign_in_failed", tenant=tenant, data={"t": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(
        AuditEntry.objects.filter(tenant=tenant).order_by("seq").values_list("seq", flat=True)
    )
    assert len(seqs) == before + 60
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert list(audit_chains_verify(tenant_ids=[tenant.pk])) == []
