"""Writes on the search outbox and on the companies' synonyms. Outbox callers add entries
inside the transaction of their change, so the index learns of every committed change and
of nothing rolled back."""

import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_redis import get_redis_connection

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, RefusedInputError
from apps.core.transactions import on_commit_once
from apps.search.models import OutboxEntry, TenantSynonym
from apps.search.policies import can_manage_synonyms
from apps.search.synonyms import TERM_SEPARATORS, parse_terms
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)
# Set while a drain task waits in the queue: changes committed meanwhile ride on it. One
# key for the whole deployment, so a raw Redis key: the cache's keys carry the schema of the
# moment, and a change in a company and the drain in public would name two keys.
DRAIN_QUEUED_KEY = "kura:search:drain-queued"
DRAIN_QUEUED_SECONDS = 30


def outbox_add(*, tenant: Tenant, kind: str, object_ids: Iterable[int]) -> int:
    """Record that these objects of `kind` changed (or went) in `tenant`; one INSERT. Once
    the transaction commits, a drain is asked for (once per transaction)."""
    entries = [
        OutboxEntry(tenant=tenant, kind=kind, object_id=object_id)
        for object_id in dict.fromkeys(object_ids)
    ]
    OutboxEntry.objects.bulk_create(entries)
    if entries:
        on_commit_once(outbox_drain_soon, key="search:outbox-drain", robust=True)
    return len(entries)


def drain_queued_claim() -> bool:
    """True for the first caller until `drain_queued_clear` (or DRAIN_QUEUED_SECONDS)."""
    redis = get_redis_connection("default")
    return bool(redis.set(DRAIN_QUEUED_KEY, 1, nx=True, ex=DRAIN_QUEUED_SECONDS))


def drain_queued_clear() -> None:
    get_redis_connection("default").delete(DRAIN_QUEUED_KEY)


def outbox_drain_soon() -> None:
    """Queue a drain unless one is already waiting. Never raises: the change is committed
    and its entries are safe; if Redis or the broker is down, beat's sweep drains them."""
    from apps.search.tasks import outbox_drain_task  # noqa: PLC0415 - the tasks import services

    try:
        if drain_queued_claim():
            # The outbox is public; the drain enters each company itself.
            outbox_drain_task.apply_async(headers={"_schema_name": "public"}, retry=False)
    except Exception:
        logger.warning("could not queue a search outbox drain; the sweep will", exc_info=True)


# Synonyms -----------------------------------------------------------------------------------

MAX_SYNONYM_GROUPS = 500
MIN_TERMS = 2
MAX_TERMS = 10
MAX_TERM_LENGTH = 50


def _check(actor: Actor) -> None:
    if not can_manage_synonyms(actor):
        raise NotAllowedError(_("Only owners and admins change the synonyms."))


def synonym_create(*, tenant: Tenant, actor: Actor, terms: Sequence[str]) -> TenantSynonym:
    """A group of terms that mean the same in `tenant`'s searches, from the next search on
    (synonyms apply at query time: nothing is reindexed)."""
    _check(actor)
    if any(TERM_SEPARATORS.search(term) for term in terms):
        raise ValidationError({"terms": [_("A term cannot hold a comma.")]})
    cleaned = parse_terms(", ".join(terms))
    if not MIN_TERMS <= len(cleaned) <= MAX_TERMS:
        # Terms that are one once normalised (iPhone, IPHONE): the schema cannot say.
        raise RefusedInputError(
            {
                "terms": [
                    _("Give %(min)d to %(max)d different terms.")
                    % {"min": MIN_TERMS, "max": MAX_TERMS}
                ]
            }
        )
    if any(len(term) > MAX_TERM_LENGTH for term in cleaned):
        raise ValidationError(
            {"terms": [_("A term has at most %(max)d characters.") % {"max": MAX_TERM_LENGTH}]}
        )
    # Not serialised: two requests at once may pass the limit by one, which costs nothing.
    if TenantSynonym.objects.filter(tenant=tenant).count() >= MAX_SYNONYM_GROUPS:
        message = _("A company has at most %(max)d synonym groups.") % {"max": MAX_SYNONYM_GROUPS}
        raise RefusedInputError({"terms": [message]})
    synonym = TenantSynonym(tenant=tenant, terms=", ".join(cleaned))
    synonym.full_clean()
    synonym.save()
    return synonym


def synonym_delete(*, actor: Actor, synonym: TenantSynonym) -> None:
    _check(actor)
    synonym.delete()
