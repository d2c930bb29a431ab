"""Revoked API sign-ins stay revoked when Redis loses its data (a flush, a failover to an
empty or lagging replica): PostgreSQL records them, Redis is rebuilt from it.

Tests flush only this run's cache database (`FLUSHDB` on django_redis' connection): the
services are shared with other runs, and the Celery broker's database is not touched."""

import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_redis import get_redis_connection

from apps.accounts import revocations
from apps.accounts.models import RefreshToken
from apps.accounts.principal import Principal
from apps.accounts.services import (
    auth_token_issue,
    membership_remove,
    membership_suspend,
    refresh_tokens_prune,
)
from apps.accounts.tasks import revocations_resync_task
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD, api_client, bearer, login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-tomato-harbour-42"


def redis_loses_everything() -> None:
    """What a FLUSHALL, or a failover to a replica that never had the data, leaves."""
    get_redis_connection("default").flushdb()


def family_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["fam"]


def refused(response, code: str = "token_revoked") -> bool:
    body = response.json()
    assert set(body) == {"status", "code", "message", "errors"}, body
    return (response.status_code, body["code"]) == (401, code)


def profile(tenant, access: str):
    return bearer(tenant, access).get("/api/profile")


def refresh(tenant, refresh_token: str):
    return api_client(tenant).post("/auth/refresh", {"refresh_token": refresh_token}, format="json")


def test_a_logout_survives_redis_losing_its_data(tenant, member):
    pair, other = login(tenant, member), login(tenant, member)
    assert bearer(tenant, pair["access_token"]).post("/auth/logout").status_code == 204
    redis_loses_everything()
    assert refused(profile(tenant, pair["access_token"]))
    assert refused(refresh(tenant, pair["refresh_token"]))
    # The person's other sign-in (another device) goes on.
    assert profile(tenant, other["access_token"]).status_code == 200
    assert refresh(tenant, other["refresh_token"]).status_code == 200


def test_a_sign_in_revoked_for_reuse_stays_revoked_without_redis(tenant, member):
    first = login(tenant, member)
    second = refresh(tenant, first["refresh_token"]).json()
    # The first token was traded a minute ago: presenting it again is a replay.
    RefreshToken.objects.filter(family=family_of(first["refresh_token"])).filter(
        retired_at__isnull=False
    ).update(retired_at=timezone.now() - timedelta(minutes=1))
    assert refused(refresh(tenant, first["refresh_token"]))
    redis_loses_everything()
    assert refused(profile(tenant, second["access_token"]))
    assert refused(refresh(tenant, second["refresh_token"]))


def test_signing_out_everywhere_survives_redis_losing_its_data(tenant, other_tenant, member):
    MembershipFactory(tenant=other_tenant, user=member.user, role="member")
    calling, here, there = login(tenant, member), login(tenant, member), login(other_tenant, member)
    ended = bearer(tenant, calling["access_token"]).delete("/api/profile/sessions")
    assert ended.json() == {"ended": 2}
    redis_loses_everything()
    assert refused(profile(tenant, here["access_token"]))
    assert refused(profile(other_tenant, there["access_token"]))
    assert refused(refresh(other_tenant, there["refresh_token"]))
    assert profile(tenant, calling["access_token"]).status_code == 200


def test_a_password_change_survives_redis_losing_its_data(tenant, member):
    calling, other = login(tenant, member), login(tenant, member)
    changed = bearer(tenant, calling["access_token"]).post(
        "/api/profile/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 204
    redis_loses_everything()
    assert refused(profile(tenant, other["access_token"]))
    assert refused(refresh(tenant, other["refresh_token"]))
    assert profile(tenant, calling["access_token"]).status_code == 200


def test_suspension_and_removal_need_no_deny_entry_to_survive_redis_losing_its_data(
    tenant, member, owner
):
    """They change the membership in PostgreSQL (its state, its token version), which
    authentication reads again when Redis has lost its copy."""
    suspended, removed = member, MembershipFactory(tenant=tenant, role="member")
    pairs = [login(tenant, suspended), login(tenant, removed)]
    membership_suspend(
        membership=suspended,
        until=timezone.now() + timedelta(hours=1),
        actor=Principal.of_membership(owner),
    )
    membership_remove(membership=removed, actor=Principal.of_membership(owner))
    redis_loses_everything()
    for pair in pairs:
        assert refused(profile(tenant, pair["access_token"]))
        assert refused(refresh(tenant, pair["refresh_token"]))


def test_a_refresh_in_flight_when_its_sign_in_is_revoked_gets_nothing_lasting(tenant, member):
    """A refresh that retired its token just before the revocation stores its new token just
    after (the revocation did not see it): that token is refused all the same, because the
    sign-in, not the token, is what was revoked."""
    pair = login(tenant, member)
    family = family_of(pair["access_token"])
    assert bearer(tenant, pair["access_token"]).post("/auth/logout").status_code == 204
    late = auth_token_issue(membership=member, family=uuid.UUID(family), auth_time=0)
    assert refused(refresh(tenant, late.refresh_token))
    redis_loses_everything()
    assert refused(profile(tenant, late.access_token))


def test_after_the_rebuild_requests_need_no_sql_for_revocations(
    tenant, member, django_assert_num_queries
):
    access = login(tenant, member)["access_token"]
    redis_loses_everything()
    assert profile(tenant, access).status_code == 200  # rebuilds, fills the access cache
    # As before the loss: only the host's tenant lookup (with its `SET search_path`).
    with django_assert_num_queries(2):
        assert profile(tenant, access).status_code == 200


def test_while_another_request_rebuilds_each_request_asks_postgresql(tenant, member):
    revoked, alive = login(tenant, member), login(tenant, member)
    assert bearer(tenant, revoked["access_token"]).post("/auth/logout").status_code == 204
    redis_loses_everything()
    redis = get_redis_connection("default")
    redis.set(revocations.rebuild_lock_key(tenant.schema_name), 1, ex=30)  # taken, in flight
    assert refused(profile(tenant, revoked["access_token"]))
    assert profile(tenant, alive["access_token"]).status_code == 200
    assert not redis.exists(revocations.built_key(tenant.schema_name))


def test_the_rebuild_keeps_each_revocation_as_long_as_its_access_tokens_live(tenant, member):
    """Rebuilt deny entries end when the last access token of their sign-in would have
    (revoked_at + access lifetime + margin); revocations older than that are left out."""
    old, recent = login(tenant, member), login(tenant, member)
    for pair in (old, recent):
        assert bearer(tenant, pair["access_token"]).post("/auth/logout").status_code == 204
    window = revocations.deny_seconds()
    RefreshToken.objects.filter(family=family_of(old["access_token"])).update(
        revoked_at=timezone.now() - timedelta(seconds=window + 1)
    )
    redis_loses_everything()
    assert profile(tenant, login(tenant, member)["access_token"]).status_code == 200
    redis = get_redis_connection("default")
    assert (
        window - 5
        <= redis.ttl(revocations.family_key(tenant.schema_name, family_of(recent["access_token"])))
        <= window
    )
    assert not redis.exists(
        revocations.family_key(tenant.schema_name, family_of(old["access_token"]))
    )


def test_expired_records_of_revoked_sign_ins_are_swept(tenant, member):
    pair = login(tenant, member)
    assert bearer(tenant, pair["access_token"]).post("/auth/logout").status_code == 204
    family = family_of(pair["access_token"])
    RefreshToken.objects.filter(family=family).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert refresh_tokens_prune() == 1
    assert not RefreshToken.objects.filter(family=family).exists()
    # Beat runs the sweep hourly.
    assert settings.CELERY_BEAT_SCHEDULE["refresh-tokens-prune"]["task"] == (
        "apps.accounts.tasks.refresh_tokens_prune_task"
    )


def test_the_resync_restores_revocations_a_lagging_replica_missed(tenant, member):
    """A failover to a replica behind by the last writes: the marker is there, the newest
    deny entry is not. The periodic resync puts every revocation PostgreSQL holds back."""
    pair = login(tenant, member)
    assert bearer(tenant, pair["access_token"]).post("/auth/logout").status_code == 204
    family = family_of(pair["access_token"])
    get_redis_connection("default").delete(revocations.family_key(tenant.schema_name, family))
    connection.set_schema_to_public()  # beat's task: no tenant
    assert revocations_resync_task() == 1
    assert refused(profile(tenant, pair["access_token"]))
    schedule = settings.CELERY_BEAT_SCHEDULE["revocations-resync"]
    assert schedule == {
        "task": "apps.accounts.tasks.revocations_resync_task",
        "schedule": settings.REVOCATIONS_RESYNC_SECONDS,
    }
