"""JSON Web Tokens for the API: what they carry and which keys sign them. Revoked sign-ins
are apps/accounts/revocations.py.

An access token names its issuer (`iss`), audience (`aud`), tenant, the membership it was
issued for, the membership's token version, the refresh family (one sign-in) and when that
sign-in happened (`auth_time`, for the actions that need a recent one); never personal
data. Its header names the key that signed it (`kid`).

Key rotation: `KURA_JWT_SIGNING_KEY` signs; its `kid` is derived from the key itself. To
rotate, put the new key in `KURA_JWT_SIGNING_KEY` and the old one in
`KURA_JWT_PREVIOUS_KEYS` (comma-separated): tokens signed by either are accepted. Once the
refresh lifetime (7 days) has passed, drop the old key; its tokens are then refused.
"""

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, cast

import jwt
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.accounts.models import Membership

VERIFIED_CACHE_SIZE = 4096


def key_id(key: str) -> str:
    """A key's public name: a digest of it, so operators never have to name keys."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class KeyRingBackend(TokenBackend):
    """simplejwt's backend with a key ring: signs with the current key and names it in the
    `kid` header; verifies with whichever accepted key the header names. `iss`, `aud`,
    `exp` and `iat` are required."""

    def __init__(self, *, signing_key: str, previous_keys: list[str], **kwargs: Any) -> None:
        super().__init__(signing_key=signing_key, **kwargs)
        self.current_key = signing_key
        self.kid = key_id(signing_key)
        self.ring = {key_id(k): k for k in [signing_key, *previous_keys] if k}

    def encode(self, payload: dict[str, Any]) -> str:
        claims = {**payload, "aud": self.audience, "iss": self.issuer}
        return jwt.encode(
            claims,
            self.current_key,
            algorithm=self.algorithm,
            headers={"kid": self.kid},
            json_encoder=self.json_encoder,
        )

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        try:
            if verify:
                # A copy: simplejwt's token object writes into the payload it is given.
                return dict(self._verified(token if isinstance(token, str) else token.decode()))
            return self._decode(token, self._key_for(token), verify=False)
        except jwt.ExpiredSignatureError as exc:
            raise TokenBackendExpiredToken(_("Token is expired")) from exc
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError(_("Token is invalid")) from exc

    @lru_cache(maxsize=VERIFIED_CACHE_SIZE)  # noqa: B019 - one backend per process (key_ring)
    def _verified(self, token: str) -> dict[str, Any]:
        """Checking a signature costs more than the rest of authentication; a client sends
        the same access token for minutes, so this process remembers the claims of the exact
        token strings it verified. Expiry is checked on every use all the same (simplejwt's
        `verify` and the `exp` claim), revocation too; a new key ring is a restart."""
        return self._decode(token, self._key_for(token), verify=True)

    def _key_for(self, token: Any) -> str:
        """The key the header names; with one key in the ring (no rotation under way), the
        signature check alone decides, so the header is not parsed twice."""
        if len(self.ring) == 1:
            return self.current_key
        kid = jwt.get_unverified_header(token).get("kid")
        key = self.ring.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidKeyError("unknown key")
        return key

    def _decode(self, token: Any, key: str, *, verify: bool) -> dict[str, Any]:
        return jwt.decode(
            token,
            key,
            algorithms=[self.algorithm],
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.get_leeway(),
            options={"require": ["exp", "iat", "iss", "aud"], "verify_signature": verify},
        )


@cache
def key_ring() -> KeyRingBackend:
    jwt_settings = settings.SIMPLE_JWT
    return KeyRingBackend(
        algorithm=jwt_settings["ALGORITHM"],
        signing_key=jwt_settings.get("SIGNING_KEY") or settings.SECRET_KEY,
        previous_keys=settings.JWT_PREVIOUS_KEYS,
        audience=jwt_settings["AUDIENCE"],
        issuer=jwt_settings["ISSUER"],
        leeway=jwt_settings["LEEWAY"],
    )


class KuraAccessToken(AccessToken):
    # simplejwt's get_token_backend() answers this property.
    @property
    def token_backend(self) -> TokenBackend:
        return key_ring()


class KuraRefreshToken(RefreshToken):
    access_token_class = KuraAccessToken

    @property
    def token_backend(self) -> TokenBackend:
        return key_ring()


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


def access_lifetime() -> timedelta:
    return cast(timedelta, settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"])


def token_pair_build(
    *, membership: Membership, family: uuid.UUID, auth_time: int
) -> tuple[TokenPair, IssuedRefresh]:
    """`auth_time`: when the person last proved who they are (the sign-in that started the
    family); refreshes carry it unchanged, so only a new sign-in makes it recent again."""
    refresh = KuraRefreshToken()
    refresh["sub"] = str(membership.user_id)
    refresh["tenant"] = membership.tenant.schema_name
    refresh["role"] = membership.role
    refresh["mid"] = membership.pk
    refresh["ver"] = membership.token_version
    refresh["fam"] = str(family)
    refresh["auth_time"] = auth_time
    access = refresh.access_token
    pair = TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(access_lifetime().total_seconds()),
    )
    return pair, IssuedRefresh(
        jti=refresh["jti"], expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC)
    )


def read_refresh(raw: str) -> KuraRefreshToken:
    """Verify signature (allow-listed algorithm and key), issuer, audience, expiry and type;
    raise TokenError if not."""
    return KuraRefreshToken(raw)  # type: ignore[arg-type]


# --- a refresh retried within seconds gets the same answer ---------------------------------


def _grace_key(jti: str) -> str:
    return f"kura:refresh-grace:{jti}"


def refresh_answer_remember(*, jti: str, pair: TokenPair) -> None:
    """Keep the pair a refresh token was traded for, for REFRESH_RETRY_SECONDS: a client whose
    answer was lost (or that sent two requests at once) gets the same pair again instead of
    having its sign-in revoked as stolen."""
    get_redis_connection("default").set(
        _grace_key(jti), json.dumps(asdict(pair)), ex=settings.REFRESH_RETRY_SECONDS
    )


def refresh_answer_recall(*, jti: str) -> TokenPair | None:
    raw = get_redis_connection("default").get(_grace_key(jti))
    return TokenPair(**json.loads(raw)) if raw else None
