"""Revoked API sign-ins: recorded in PostgreSQL, checked in Redis, rebuilt when Redis loses them.

What is revoked is a sign-in (a refresh-token family): logging out, a refresh token presented
again after its grace (reuse), ending one sign-in or all of them, a password change or reset.
Removing or suspending a member and closing a company are not here: those bump the
membership's token version or change its state in PostgreSQL, which authentication reads
(through apps/accounts/access_cache.py, a cache rebuilt from PostgreSQL on a miss).

- **The record** is the family's refresh-token rows: `revoked_at` set on every one of them
  (PostgreSQL, committed with the action). A family with one revoked row is revoked, whatever
  its other rows say: a refresh in flight during the revocation may store a new row after it,
  and that row is refused all the same. The rows go when they expire
  (`refresh_tokens_prune`, hourly): by then every token of the sign-in has expired too.
- **Refresh tokens** are checked against that record on every rotation
  (services/signin.py), so Redis losing data never revives one.
- **Access tokens** are checked in Redis, in the one round trip of authentication
  (`access_cache.fetch`): the family's deny entry, which lives as long as an access token of
  the sign-in can (`deny_seconds`), and the company's marker (`built_key`), written when the
  company's entries were last built from PostgreSQL and never expiring. With the marker
  there, no SQL. Without it, Redis has lost data (a flush, a restart without its files, a
  failover to an empty replica) and its silence means nothing: one request of the company
  (a Redis lock) rebuilds every entry from the rows revoked within `deny_seconds`, then
  writes the marker; requests arriving meanwhile ask PostgreSQL about their own sign-in (one
  query by the family's index) instead of waiting.
- **Failover to a replica that lags**: the marker is there, the newest entries may not be.
  Refresh tokens are unaffected. Beat's resync (`deny_list_resync`, every
  REVOCATIONS_RESYNC_SECONDS) writes every revocation of the last `deny_seconds` back, so an
  access token revoked just before such a failover is refused again within that interval;
  without beat, it lives at worst until it expires (the access lifetime, 15 minutes).
- Redis must not evict keys (`maxmemory-policy noeviction`, which the Celery broker needs
  anyway): a deny entry evicted under memory pressure is a loss the marker cannot show.

Entries are written when the revocation happens and again after its transaction commits:
a rebuild that read PostgreSQL before the commit would otherwise miss a revocation whose
first entry a flush had wiped.
"""

import logging
import math
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_redis import get_redis_connection
from redis.client import Pipeline

from apps.accounts.models import RefreshToken
from apps.accounts.tokens import access_lifetime
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import operator_context

logger = logging.getLogger(__name__)

# An access token of a revoked sign-in may be issued a moment after the revocation (a
# refresh in flight); its entry outlives the revocation by the access lifetime and this.
IN_FLIGHT_SECONDS = 60
# A rebuild takes milliseconds; a process that dies in one leaves the lock this long.
REBUILD_LOCK_SECONDS = 30


def deny_seconds() -> int:
    """How long after a revocation an access token of the sign-in can still be presented."""
    leeway = settings.SIMPLE_JWT["LEEWAY"]
    leeway_seconds = leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
    lifetime = access_lifetime().total_seconds()
    return math.ceil(lifetime + leeway_seconds) + IN_FLIGHT_SECONDS


def family_key(schema_name: str, family: str) -> str:
    return f"kura:{schema_name}:jwt-family-deny:{family}"


def built_key(schema_name: str) -> str:
    return f"kura:{schema_name}:jwt-deny-built"


def rebuild_lock_key(schema_name: str) -> str:
    return f"kura:{schema_name}:jwt-deny-rebuild"


def family_deny(*, schema_name: str, family: str) -> None:
    """Refuse every access token of this sign-in, for as long as any can live: at once, and
    again after the revocation's transaction commits (see the module's docstring)."""

    def deny() -> None:
        get_redis_connection("default").set(family_key(schema_name, family), 1, ex=deny_seconds())

    deny()
    if not transaction.get_autocommit():
        transaction.on_commit(deny)


# --- authentication's check -----------------------------------------------------------------


def checked_keys(schema_name: str, family: str) -> list[str]:
    """What authentication reads in its round trip: the sign-in's entry and the marker."""
    return [family_key(schema_name, family), built_key(schema_name)]


def family_revoked(*, tenant: Tenant, family: str, denied: bool, built: bool) -> bool:
    """Whether the sign-in is revoked, from the two keys of `checked_keys`; when Redis has
    lost the company's entries, from PostgreSQL (rebuilding them, or asking about this one)."""
    if built:
        return denied
    redis = get_redis_connection("default")
    if redis.set(rebuild_lock_key(tenant.schema_name), 1, nx=True, ex=REBUILD_LOCK_SECONDS):
        try:
            return family in deny_list_rebuild(tenant=tenant)
        except BaseException:
            redis.delete(rebuild_lock_key(tenant.schema_name))
            raise
    return _revoked_in_db(family)


def _revoked_in_db(family: str) -> bool:
    try:
        uuid.UUID(family)
    except ValueError:
        return True  # a token that names no sign-in has none to go on with
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=False).exists()


# --- rebuilding ------------------------------------------------------------------------------


def _recent(*, since: datetime, tenant: Tenant | None) -> list[tuple[str, str, datetime]]:
    """(company's schema, family, when revoked) of every sign-in revoked since `since`."""
    rows = RefreshToken.objects.filter(revoked_at__gte=since)
    if tenant is not None:
        rows = rows.filter(membership__tenant=tenant)
    return [
        (schema, str(family), revoked)
        for schema, family, revoked in rows.values_list("membership__tenant__schema_name", "family")
        .annotate(revoked=Max("revoked_at"))
        .order_by()
    ]


def _deny_rows(pipe: Pipeline, rows: Iterable[tuple[str, str, datetime]], now: datetime) -> None:
    window = timedelta(seconds=deny_seconds())
    for schema, family, revoked in rows:
        remaining = math.ceil((revoked + window - now).total_seconds())
        if remaining > 0:
            pipe.set(family_key(schema, family), 1, ex=remaining)


def deny_list_rebuild(*, tenant: Tenant) -> set[str]:
    """Write the company's deny entries from PostgreSQL, and its marker (one transaction in
    Redis); the families revoked. Called by the request that took the rebuild lock."""
    now = timezone.now()
    rows = _recent(since=now - timedelta(seconds=deny_seconds()), tenant=tenant)
    pipe = get_redis_connection("default").pipeline(transaction=True)
    _deny_rows(pipe, rows, now)
    pipe.set(built_key(tenant.schema_name), int(now.timestamp()))
    # The lock stays until it expires: a request that found no marker a moment ago, and
    # reaches for the lock only now, asks PostgreSQL instead of rebuilding again.
    pipe.execute()
    logger.warning(
        "Rebuilt the revoked API sign-ins of %s from PostgreSQL (%d): Redis had lost them.",
        tenant.schema_name,
        len(rows),
    )
    return {family for _schema, family, _revoked in rows}


def deny_list_resync() -> int:
    """Beat: write every revocation of the last `deny_seconds`, of every company, back into
    Redis (a replica promoted while behind may lack the newest); how many sign-ins."""
    now = timezone.now()
    with operator_context():
        rows = _recent(since=now - timedelta(seconds=deny_seconds()), tenant=None)
    pipe = get_redis_connection("default").pipeline(transaction=False)
    _deny_rows(pipe, rows, now)
    pipe.execute()
    return len(rows)
