"""Sign-in with OpenID Connect (mozilla-django-oidc), configured by one issuer URL.

The endpoints come from the issuer's discovery document, cached for an hour. The ID token
must be signed with the configured algorithm, name the issuer (`iss`) and us (`aud`,
`azp`), and be current (`exp`, `iat`); the library itself checks only the signature and
the nonce. The provider's person, `(iss, sub)`, signs in to the account it is linked to.
The first time, the provider must vouch for the email (`email_verified`) of an existing
active account not yet linked to another subject there; the link is made then. Either
way the account must be a member of the company whose host they are on, not suspended:
the provider links to accounts, it does not create people or memberships.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from apps.accounts.models import ExternalIdentity, User
from apps.accounts.policies import membership_active
from apps.accounts.selectors import membership_of, two_factor_enabled
from apps.accounts.services.reauth import session_auth_stamp
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

# Tolerated difference between the provider's clock and ours when checking `exp` and `iat`.
CLOCK_SKEW_SECONDS = 30
SUBJECT_MAX_LENGTH = 255  # OpenID Connect Core §2: `sub` is at most 255 ASCII characters

DISCOVERY_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, checked and cached."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"kura:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(f"OIDC discovery names issuer {document.get('issuer')!r}")
        cache.set(key, document, timeout=3600)
    return document


def _settings(attr: str, *default: Any) -> Any:
    if attr in DISCOVERY_ENDPOINTS:
        return discovery()[DISCOVERY_ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


def _account_by_verified_email(claims: Mapping[str, Any]) -> User | None:
    email = claims.get("email")
    if not isinstance(email, str) or not email or claims.get("email_verified") is not True:
        return None
    # Should two accounts' emails differ only in case, neither is picked.
    matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def external_identity_sign_in(
    *, issuer: str, subject: str, claims: Mapping[str, Any], tenant: Tenant
) -> User | None:
    """The account the provider's person `(issuer, subject)` signs in to on `tenant`, or None.

    A linked subject decides, whatever email the provider shows now. An unlinked one is
    matched by the email the provider has verified (`claims` are the userinfo), unless that
    account is already linked to another subject of this issuer: someone else at the
    provider has its email now. The link is made only when the sign-in succeeds, so a
    refused attempt never takes an account; `last_used_at` records each use.
    """
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        found = _account_by_verified_email(claims)
        if found is None:
            return None
        if ExternalIdentity.objects.filter(user=found, issuer=issuer).exists():
            logger.warning(
                "OpenID Connect: subject %r of %s has the email of user %s, who is linked"
                " to another subject there; refused",
                subject,
                issuer,
                found.pk,
            )
            return None
        user = found
    if not membership_active(membership_of(user=user, tenant=tenant)):
        return None
    if identity is not None:
        identity.last_used_at = timezone.now()
        identity.save(update_fields=["last_used_at"])
        return user
    identity = ExternalIdentity(user=user, issuer=issuer, subject=subject)
    # The issuer is the configured one, already matched against discovery; a single-label
    # host (a compose service, say) is a fine issuer though not a valid URLField value.
    identity.full_clean(exclude=["issuer"])
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:  # a concurrent first sign-in linked it; the next one uses that link
        return None
    return user


class KuraOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(_settings)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for each password sign-in too; stay inert when off.
        if oidc_enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """A refused token or a failed exchange with the provider is a failed sign-in (the
        person lands on the login page), not an error page."""
        if not oidc_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as exc:
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            return None

    def get_payload_data(self, token: str, key: Any) -> dict[str, Any]:
        """The ID token's claims, checked as OpenID Connect Core §3.1.3.7 asks.

        The library decodes with the audience unchecked, `exp` optional and no issuer; the
        nonce it checks afterwards. A signed userinfo response comes through here too and
        must name the issuer and us as well (§5.3.2).
        """
        client_id = self.OIDC_RP_CLIENT_ID
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=client_id,
                issuer=discovery()["issuer"],
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and "azp" not in payload:
            raise SuspiciousOperation("ID token for several audiences names no azp")
        if "azp" in payload and payload["azp"] != client_id:
            raise SuspiciousOperation(f"ID token was issued to {payload['azp']!r}")
        subject = payload["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX_LENGTH:
            raise SuspiciousOperation("ID token has no usable sub")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        tenant = getattr(self.request, "tenant", None)
        if tenant is None:
            return None
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # Userinfo about someone else than the ID token's subject must not be used (§5.3.2).
        if userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        return external_identity_sign_in(
            issuer=payload["iss"], subject=payload["sub"], claims=userinfo, tenant=tenant
        )

    def get_user(self, user_id: Any) -> User | None:
        """The session's person, unless deactivated: their sessions end at the next request.

        The library's version returns any user; Django's ModelBackend refuses inactive
        ones, and so do we. It needs no OIDC settings, so sessions made through OIDC still
        load (and are still checked) after OIDC is turned off.
        """
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class _OnlyWhenEnabled:
    """Without an issuer configured, the OpenID Connect pages do not exist (404), rather
    than failing to find the provider."""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponse]:
        view = super().as_view(**initkwargs)  # type: ignore[misc]

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not oidc_enabled():
                raise Http404
            return view(request, *args, **kwargs)

        return guarded


class OIDCStartView(_OnlyWhenEnabled, OIDCAuthenticationRequestView):
    get_settings = staticmethod(_settings)


class OIDCCallbackView(_OnlyWhenEnabled, OIDCAuthenticationCallbackView):
    get_settings = staticmethod(_settings)

    def login_success(self) -> HttpResponse:
        """A sign-in at the identity provider is a recent one (re-authentication). A person
        who uses two-factor passes Kura's second step after the provider too: whether the
        provider asked for a second factor of its own is not something its answer tells us
        reliably (`amr` is optional), so we do not count on it."""
        user = self.user
        if not two_factor_enabled(user=user):
            response = super().login_success()
            session_auth_stamp(session=self.request.session)
            return response
        # The pages import this module (the sign-in page's button): imported here.
        from apps.accounts.views.two_factor import second_step_start  # noqa: PLC0415

        return second_step_start(
            self.request, user, backend=user.backend, next_url=self.success_url
        )
