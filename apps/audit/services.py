"""Recording: the one way an entry enters a company's audit log."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from apps.audit.chain import GENESIS, entry_digest
from apps.audit.context import current_address
from apps.audit.models import AuditEntry
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import operator_context
from apps.tenants.selectors import tenant_by_schema

if TYPE_CHECKING:
    # Types of the layer above (who acts): never imported at run time.
    from apps.accounts.models import User
    from apps.accounts.principal import Actor

# pg_advisory_xact_lock(namespace, tenant id): appends to one chain wait for each other.
LOCK_NAMESPACE = 0x4B41  # "KA"


def chain_entries(tenant_id: int | None) -> "QuerySet[AuditEntry]":
    """One chain's entries (the operators' chain is the one without a company)."""
    if tenant_id is None:
        return AuditEntry.objects.filter(tenant__isnull=True)
    return AuditEntry.objects.filter(tenant_id=tenant_id)


def company_here() -> "Tenant | None":
    """The company whose schema the connection is in (None in the public schema): for
    services that run inside a company without being handed it."""
    here = getattr(connection, "tenant", None)
    if here is None or here.schema_name == get_public_schema_name():
        return None
    if isinstance(here, Tenant):
        return here
    return tenant_by_schema(schema_name=here.schema_name)


def audit_key() -> bytes:
    """The chain's HMAC key: KURA_AUDIT_KEY, or one derived from SECRET_KEY."""
    configured = str(settings.AUDIT_HASH_KEY)
    if configured:
        return configured.encode()
    return hashlib.sha256(f"kura.audit:{settings.SECRET_KEY}".encode()).digest()


def audit_record(
    *,
    action: str,
    tenant: "Tenant | None",
    actor: "User | None" = None,
    principal: "Actor | None" = None,
    ip: str | None = None,
    target: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to `tenant`'s chain (None: the operators' chain), in the caller's
    transaction: an action rolled back leaves no entry. Appends to one chain are serialized
    by an advisory lock held until the transaction ends, so the chain never forks.
    The actor is a person (`actor`), or whoever a `principal` is, as it says itself
    (`recorded_as`: a member, an API key by its name and prefix, an operator, or the system
    and its reason). `ip` defaults to the address of the request being served."""
    # What the hash covers must read back the same from jsonb: normalize it once here.
    details = json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder))
    tenant_id = tenant.pk if tenant is not None else None
    label = actor.email if actor is not None else ""
    if principal is not None:
        actor, label = principal.recorded_as()
    rows = operator_context() if tenant is None else nullcontext()
    with rows, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, tenant_id or 0])
        head = chain_entries(tenant_id).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        entry = AuditEntry(
            tenant_id=tenant_id,
            seq=seq,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_label=label,
            action=action,
            target=target[:200],
            data=details,
            ip=current_address() if ip is None else ip,
            prev_hash=prev_hash,
        )
        entry.hash = entry_digest(
            key=audit_key(),
            tenant_id=tenant_id,
            seq=seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=action,
            target=entry.target,
            data=details,
            ip=entry.ip,
            prev_hash=prev_hash,
        )
        entry.save(force_insert=True)
    return entry


def audit_operator_action(*, request: HttpRequest, name: str, objects: Iterable[Model]) -> None:
    """An operator's admin action (other than the admin's own add/change/delete, which
    apps/audit/receivers.py records), by the operator signed in to the admin (`request`):
    one entry per object, in its company's log."""
    actor = request.user if request.user.is_authenticated else None
    for obj in objects:
        tenant = obj if isinstance(obj, Tenant) else getattr(obj, "tenant", None)
        audit_record(
            action="admin.action",
            tenant=tenant,
            actor=actor,
            target=f"{obj._meta.label_lower} {obj.pk}: {obj}",  # noqa: SLF001
            data={"action": name},
        )
