"""A tenant's API keys (service accounts)."""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.hashing import secret_hash
from apps.accounts.models import ApiKey
from apps.accounts.principal import Actor
from apps.accounts.services.memberships import require_manager
from apps.accounts.services.verification import require_verified_person
from apps.audit.services import audit_record
from apps.tenants.models import Tenant

PREFIX_ATTEMPTS = 5


@transaction.atomic
def api_key_create(*, tenant: Tenant, name: str, scope: str, actor: Actor) -> tuple[ApiKey, str]:
    """A new key; the returned secret is shown once and only its hash is kept."""
    require_manager(actor)
    require_verified_person(actor)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        tenant=tenant,
        name=name.strip(),
        key_hash=secret_hash(secret),
        scope=scope,
        created_by=actor.person,
    )
    key.full_clean(exclude=["prefix"])
    # Prefixes are short and random: on the rare collision, draw again.
    for _attempt in range(PREFIX_ATTEMPTS):
        key.prefix = secrets.token_hex(6)
        try:
            with transaction.atomic():
                key.save()
        except IntegrityError:
            key.pk = None
            continue
        audit_record(
            action="api_key.created",
            tenant=tenant,
            principal=actor,
            target=f"{key.name} ({key.prefix})",
            data={"scope": scope},
        )
        return key, f"{key.prefix}.{secret}"
    raise IntegrityError("no free API key prefix")


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    require_manager(actor)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            action="api_key.revoked",
            tenant=api_key.tenant,
            principal=actor,
            target=f"{api_key.name} ({api_key.prefix})",
        )
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key (not a write per request)."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
