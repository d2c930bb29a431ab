"""One-time signed links (sign-in hand-offs between hosts, lifting sign-in locks): a signed,
expiring payload with a nonce that Redis lets through once."""

import secrets
from typing import Any

from django.core import signing
from django_redis import get_redis_connection


def link_token(data: dict[str, Any], *, salt: str) -> str:
    return signing.dumps({**data, "n": secrets.token_urlsafe(12)}, salt=salt)


def link_redeem(token: str, *, salt: str, max_age: int) -> dict[str, Any] | None:
    """The payload of a valid token the first time it is redeemed; None if it was forged,
    has expired or was used before."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    first_use = get_redis_connection("default").set(
        f"kura:link-used:{salt}:{data['n']}", 1, nx=True, ex=max_age * 2
    )
    return data if first_use else None
