"""Reading the audit log: a company's entries for its owners, and checking the chains."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.audit.actions import GROUPS
from apps.audit.chain import GENESIS, entry_digest
from apps.audit.models import AuditEntry
from apps.audit.services import audit_key, chain_entries
from apps.tenants.models import Tenant


def audit_list(
    *,
    tenant: Tenant,
    group: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """A company's entries, newest first, narrowed by action group, by who (part of their
    email) and by time."""
    entries = AuditEntry.objects.filter(tenant=tenant)
    if group in GROUPS:
        prefixes = Q()
        for prefix in GROUPS[group][1]:
            prefixes |= Q(action__startswith=prefix)
        entries = entries.filter(prefixes)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-seq")


@dataclass(frozen=True)
class ChainBreak:
    """The first entry of a chain that does not verify, and why."""

    tenant_id: int | None
    seq: int
    entry_id: int
    reason: str


def _first_break(tenant_id: int | None) -> ChainBreak | None:
    key = audit_key()
    expected_seq, prev_hash = 1, GENESIS
    entries = chain_entries(tenant_id).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        reason = None
        if entry.seq != expected_seq:
            reason = _("entry number %(expected)d is missing") % {"expected": expected_seq}
        elif entry.prev_hash != prev_hash:
            reason = _("it does not name the hash of the entry before it")
        elif entry.hash != entry_digest(
            key=key,
            tenant_id=entry.tenant_id,
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            target=entry.target,
            data=entry.data,
            ip=entry.ip,
            prev_hash=entry.prev_hash,
        ):
            reason = _("its contents do not match its hash (changed after it was written)")
        if reason is not None:
            return ChainBreak(tenant_id=tenant_id, seq=entry.seq, entry_id=entry.pk, reason=reason)
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return None


def audit_chains_verify(*, tenant_ids: list[int | None] | None = None) -> Iterator[ChainBreak]:
    """The first break of each chain (every chain, or those of `tenant_ids`; None is the
    operators' chain). Operator-wide: call it outside any company's connection."""
    if tenant_ids is None:
        tenant_ids = list(
            AuditEntry.objects.order_by("tenant_id").values_list("tenant_id", flat=True).distinct()
        )
    for tenant_id in tenant_ids:
        found = _first_break(tenant_id)
        if found is not None:
            yield found
