"""JSON Web Tokens for the API: what they carry, and the Redis deny-list of logged-out ones.

An access token names its tenant, the membership it was issued for, the membership's
token version and the refresh family; never personal data.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from django_redis import get_redis_connection
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import Membership


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret


@dataclass(frozen=True)
class IssuedRefresh:
    jti: str
    expires_at: datetime


def token_pair_build(
    *, membership: Membership, family: uuid.UUID
) -> tuple[TokenPair, IssuedRefresh]:
    refresh = RefreshToken()
    refresh["sub"] = str(membership.user_id)
    refresh["tenant"] = membership.tenant.schema_name
    refresh["role"] = membership.role
    refresh["mid"] = membership.pk
    refresh["ver"] = membership.token_version
    refresh["fam"] = str(family)
    access = refresh.access_token
    lifetime = cast(timedelta, settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"])
    pair = TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(lifetime.total_seconds()),
    )
    return pair, IssuedRefresh(
        jti=refresh["jti"], expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC)
    )


def read_refresh(raw: str) -> RefreshToken:
    """Verify signature (allow-listed algorithm), expiry and type; raise TokenError if not."""
    return RefreshToken(raw)  # type: ignore[arg-type]


def _deny_key(schema_name: str, jti: str) -> str:
    return f"kura:{schema_name}:jwt-deny:{jti}"


def access_deny(token: Mapping[str, Any]) -> None:
    """Refuse this access token from now until it would have expired anyway."""
    remaining = int(token["exp"] - timezone.now().timestamp()) + 1
    if remaining > 0:
        get_redis_connection("default").set(
            _deny_key(token["tenant"], token["jti"]), 1, ex=remaining
        )


def access_is_denied(*, schema_name: str, jti: str) -> bool:
    return bool(get_redis_connection("default").exists(_deny_key(schema_name, jti)))
