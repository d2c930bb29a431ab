"""Sign-in with OpenID Connect (mozilla-django-oidc), configured by one issuer URL.

The endpoints come from the issuer's discovery document, cached for an hour. A person
signs in only if the provider vouches for their email (`email_verified`), an account with
that email exists, and it is a member of the company whose host they are on: the
provider links to an account, it does not create people or memberships.
"""

from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from apps.accounts.models import Membership, User

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


class KuraOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(_settings)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for each password sign-in too; stay inert when off.
        if oidc_enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email")) and claims.get("email_verified") is True

    def filter_users_by_claims(self, claims: dict[str, Any]):  # type: ignore[no-untyped-def]
        return User.objects.filter(email__iexact=claims["email"], is_active=True)

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        try:
            user = super().get_or_create_user(access_token, id_token, payload)
        except SuspiciousOperation:  # unverified email, or several accounts match
            return None
        tenant = getattr(self.request, "tenant", None)
        if user is None or tenant is None:
            return None
        membership = Membership.objects.filter(user=user, tenant=tenant).first()
        if membership is None or membership.is_suspended():
            return None
        return user


class OIDCStartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(_settings)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(_settings)
