"""What authenticating a request needs to know about a membership, kept in Redis.

Every API request and page view asks whether the caller's membership still opens the
company (role, suspension, token version, the person's account being active). Asking
PostgreSQL each time cost more than the rest of authentication together; the answer is
kept here instead, read in the same round trip as the token deny-lists, and dropped on
every write that changes it (signals on save and delete, and explicitly where a service
writes with `update()`). A short expiry bounds the damage of a write that forgets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_redis import get_redis_connection
from redis.client import Pipeline

from apps.accounts.models import Membership, User
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import person_rows

TTL_SECONDS = 300


def _in_model_order(model: type[Model], names: set[str]) -> list[str]:
    """`Model.from_db` takes values in the order of the model's concrete fields."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]  # noqa: SLF001


USER_FIELDS = _in_model_order(
    User,
    {
        "id",
        "email",
        "full_name",
        "is_active",
        "time_zone",
        "language",
        "is_staff",
        "date_joined",
        "email_verified_at",  # the banner asking to verify it, on every page
    },
)
USER_TIMES = frozenset({"date_joined", "email_verified_at"})
MEMBERSHIP_FIELDS = _in_model_order(
    Membership, {"id", "user_id", "tenant_id", "role", "suspended_until", "token_version"}
)


COMPANY_MEMBERSHIP_FIELDS = _in_model_order(Membership, {"id", "user_id", "tenant_id", "role"})
COMPANY_FIELDS = _in_model_order(Tenant, {"id", "name", "slug", "schema_name", "is_active"})


# Bumped whenever USER_FIELDS or MEMBERSHIP_FIELDS change (v2: the person's language; v3:
# email verification), so a deploy never loads an entry written with the old fields.
FORMAT = "v3"


def key(tenant_id: int, user_id: int | str) -> str:
    return f"kura:access:{FORMAT}:{tenant_id}:{user_id}"


def companies_key(user_id: int | str) -> str:
    return f"kura:access-companies:{user_id}"


# Where `fetch` leaves the person's list of companies it read, on the person (like Django's
# prefetch cache), for `companies` to use without another round trip.
PREFETCHED = "_kura_companies"


def dump(membership: Membership) -> str:
    user = membership.user
    values = {f: getattr(membership, f) for f in MEMBERSHIP_FIELDS}
    if values["suspended_until"] is not None:
        values["suspended_until"] = values["suspended_until"].isoformat()
    person = [getattr(user, f) for f in USER_FIELDS]
    person = [
        v.isoformat() if f in USER_TIMES and v is not None else v
        for f, v in zip(USER_FIELDS, person, strict=True)
    ]
    return json.dumps({"user": person, "membership": list(values.values())})


def load(raw: bytes | str, tenant: Tenant) -> Membership:
    """A membership with its person and the host's tenant, as if read from the database;
    fields not kept here load from it on first use (deferred fields)."""
    data = json.loads(raw)
    person = [
        datetime.fromisoformat(v) if f in USER_TIMES and v is not None else v
        for f, v in zip(USER_FIELDS, data["user"], strict=True)
    ]
    user = User.from_db("default", USER_FIELDS, person)
    values: dict[str, Any] = dict(zip(MEMBERSHIP_FIELDS, data["membership"], strict=True))
    if values["suspended_until"] is not None:
        values["suspended_until"] = datetime.fromisoformat(values["suspended_until"])
    membership = Membership.from_db("default", MEMBERSHIP_FIELDS, list(values.values()))
    membership.user = user
    membership.tenant = tenant
    return membership


def store(membership: Membership) -> None:
    get_redis_connection("default").set(
        key(membership.tenant_id, membership.user_id), dump(membership), ex=TTL_SECONDS
    )


def forget(pairs: Iterable[tuple[int, int]]) -> None:
    """Drop the cached state of these (tenant id, user id) pairs, and the people's lists of
    companies."""
    names = []
    for tenant_id, user_id in pairs:
        names += [key(tenant_id, user_id), companies_key(user_id)]
    if names:
        get_redis_connection("default").delete(*names)


def companies(user: User) -> list[Membership]:
    """Every open company this person belongs to, with their role, by name (the profile and
    its company switcher); kept in Redis like the rest, dropped when any of them changes.
    Authentication already read it with the membership (`fetch`) when it was there."""
    user_id = user.pk
    raw = getattr(user, PREFETCHED, None)
    if raw is None:
        raw = get_redis_connection("default").get(companies_key(user_id))
    if raw is None:
        with person_rows(user_id):  # row-level security: the person's rows in every company
            rows = list(
                Membership.objects.filter(user_id=user_id, tenant__is_active=True)
                .select_related("tenant")
                .order_by("tenant__name", "tenant_id")
            )
        data = [
            [
                [getattr(m, f) for f in COMPANY_MEMBERSHIP_FIELDS],
                [getattr(m.tenant, f) for f in COMPANY_FIELDS],
            ]
            for m in rows
        ]
        get_redis_connection("default").set(
            companies_key(user_id), json.dumps(data), ex=TTL_SECONDS
        )
        return rows
    memberships = []
    for membership_values, tenant_values in json.loads(raw):
        membership = Membership.from_db("default", COMPANY_MEMBERSHIP_FIELDS, membership_values)
        membership.tenant = Tenant.from_db("default", COMPANY_FIELDS, tenant_values)
        memberships.append(membership)
    return memberships


def forget_memberships(memberships: Sequence[Membership] | Iterable[Membership]) -> None:
    forget((m.tenant_id, m.user_id) for m in memberships)


def forget_user(user_id: int) -> None:
    """Every company's cached state of this person (row-level security would show a tenant's
    connection only its own membership)."""
    with person_rows(user_id):
        pairs = list(Membership.objects.filter(user_id=user_id).values_list("tenant_id", "user_id"))
    forget(pairs)


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    forget([(instance.tenant_id, instance.user_id)])


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender: type, instance: Tenant, **kwargs: Any) -> None:
    """A company renamed, closed or reopened: its people's lists of companies change."""
    forget(Membership.objects.filter(tenant_id=instance.pk).values_list("tenant_id", "user_id"))


@receiver([post_save, post_delete], sender=User)
def _user_changed(sender: type, instance: User, **kwargs: Any) -> None:
    if kwargs.get("signal") is post_delete:
        return  # its memberships were deleted first, each forgetting itself
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"password", "last_login"}:
        return  # nothing the cache holds
    forget_user(instance.pk)


def fetch(
    *,
    tenant: Tenant,
    user_id: int | str,
    also: Sequence[str] = (),
    then: Callable[[Pipeline], object] | None = None,
) -> tuple[list[bool], Membership | None, object]:
    """The membership of `user_id` in `tenant` (None if there is none), whether each of the
    Redis keys in `also` exists, and what `then` queued on the same pipeline answered: one
    round trip; PostgreSQL only on a miss."""
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.mget([*also, key(tenant.pk, user_id), companies_key(user_id)])
    if then is not None:
        then(pipe)
    (*flags, raw, raw_companies), *more = pipe.execute()
    membership = _resolve(raw, tenant, user_id)
    if membership is not None and raw_companies is not None:
        setattr(membership.user, PREFETCHED, raw_companies)
    return [flag is not None for flag in flags], membership, more[0] if more else None


def _resolve(raw: bytes | None, tenant: Tenant, user_id: int | str) -> Membership | None:
    if raw is not None:
        membership: Membership | None = load(raw, tenant)
    else:
        membership = (
            Membership.objects.select_related("user").filter(tenant=tenant, user_id=user_id).first()
        )
        if membership is not None:
            membership.tenant = tenant
            store(membership)
    return membership
