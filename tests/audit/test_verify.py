"""`manage.py audit_verify`: a chain that holds, and each way of breaking one by hand."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(tenant):
    return [
        audit_record(action="member.role_changed", tenant=tenant, target=f"p{i}@example.com")
        for i in range(4)
    ]


def verify(*args):
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", *args)
    return exit_info.value.code


def test_a_chain_that_holds_verifies(entries, tenant, capsys):
    call_command("audit_verify", "--tenant", tenant.slug)
    assert capsys.readouterr().out == "Every audit chain verifies.\n"


def test_an_entry_changed_by_sql_is_named(entries, tenant, capsys):
    with connection.cursor() as cursor:  # the owner role: what an intruder with it could do
        cursor.execute(
            "UPDATE audit_auditentry SET target = 'someone-else@example.com' WHERE id = %s",
            [entries[1].pk],
        )
    assert verify("--tenant", tenant.slug) == 1
    assert capsys.readouterr().err == (
        f"{tenant.slug}: entry #{entries[1].seq} (id {entries[1].pk}) is the first bad entry: "
        "its contents do not match its hash (changed after it was written)\n"
    )


def test_an_entry_rewritten_with_a_new_hash_breaks_the_next_link(entries, tenant, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET hash = repeat('a', 64), action = 'x' WHERE id = %s",
            [entries[2].pk],
        )
    assert verify("--tenant", tenant.slug) == 1
    assert f"entry #{entries[2].seq} (id {entries[2].pk})" in capsys.readouterr().err


def test_a_deleted_entry_is_named_by_its_number(entries, tenant, capsys):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    assert verify("--tenant", tenant.slug) == 1
    assert capsys.readouterr().err == (
        f"{tenant.slug}: entry #{entries[2].seq} (id {entries[2].pk}) is the first bad entry: "
        f"entry number {entries[1].seq} is missing\n"
    )


def test_every_chain_is_checked_by_default_and_each_break_named(
    entries, tenant, other_tenant, capsys
):
    theirs = [audit_record(action="api_key.created", tenant=other_tenant) for _i in range(2)]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET ip = '203.0.113.1' WHERE id IN (%s, %s)",
            [entries[0].pk, theirs[1].pk],
        )
    assert verify() == 1
    err = capsys.readouterr().err
    assert f"{tenant.slug}: entry #{entries[0].seq} (id {entries[0].pk})" in err
    assert f"{other_tenant.slug}: entry #{theirs[1].seq} (id {theirs[1].pk})" in err


def test_an_unknown_company_is_refused(capsys):
    with pytest.raises(CommandError, match="No company with the slug nope"):
        call_command("audit_verify", "--tenant", "nope")
