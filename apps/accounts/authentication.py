"""DRF authentication: access tokens, API keys and the web session, all bound to the host's
tenant. A credential of another tenant is refused with 403 before any tenant data is read.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.accounts import access_cache, revocations, throttles
from apps.accounts.hashing import secret_hash
from apps.accounts.models import Membership
from apps.accounts.policies import membership_active
from apps.accounts.principal import Principal
from apps.accounts.selectors import api_key_by_prefix
from apps.accounts.services import api_key_touch, session_auth_time
from apps.tenants.request import tenant_of

OTHER_TENANT = _("This credential belongs to another company.")
ACCESS_CHANGED = _("Your access has changed; please sign in again.")
REVOKED = _("This token has been revoked.")
SUSPENDED = _("Your access to this company is suspended for now.")


def refuse_unless_active(membership: Membership) -> None:
    """A membership that exists but no longer opens the company: say why."""
    if not membership_active(membership):
        if membership.user.is_active and membership.tenant.is_active:
            raise exceptions.PermissionDenied(SUSPENDED, code="membership_suspended")
        raise exceptions.AuthenticationFailed(ACCESS_CHANGED, code="token_revoked")


class TenantJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access token>`.

    simplejwt checks the signature (one allow-listed algorithm, a key of the ring), issuer,
    audience, expiry and type; then come the tenant binding and, in one Redis round trip,
    the revoked sign-ins (apps/accounts/revocations.py, which turns to PostgreSQL if Redis
    has lost them) and the membership's current state (removed, suspended, or its token
    version moved on). No SQL on a warm cache.
    """

    def authenticate(self, request: Request):
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header is not None else None
        if raw is None:
            return None
        token = self.get_validated_token(raw)
        tenant = tenant_of(request)
        if token.get("tenant") != tenant.schema_name:
            raise exceptions.PermissionDenied(OTHER_TENANT, code="token_tenant_mismatch")
        # The rate counters ride on the same round trip (apps/accounts/throttles.py): a
        # token whose membership turns out to be gone still counts, against its own person.
        caller = f"user:{token['sub']}"
        window = throttles.Window.of(tenant, caller, "")
        family = str(token.get("fam", ""))
        (denied, built), membership, counted = access_cache.fetch(
            tenant=tenant,
            user_id=token["sub"],
            also=revocations.checked_keys(tenant.schema_name, family),
            then=window.count_on,
        )
        throttles.counted_early(request, caller=caller, answer=counted)
        if revocations.family_revoked(tenant=tenant, family=family, denied=denied, built=built):
            raise exceptions.AuthenticationFailed(REVOKED, code="token_revoked")
        if (
            membership is None
            or membership.pk != token.get("mid")
            or membership.token_version != token.get("ver")
        ):
            raise exceptions.AuthenticationFailed(ACCESS_CHANGED, code="token_revoked")
        refuse_unless_active(membership)
        return membership.user, Principal.of_membership(membership, dict(token.payload))


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`, a tenant's service account."""

    keyword = "Api-Key"

    def authenticate(self, request: Request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:  # noqa: PLR2004 - keyword and key
            raise exceptions.AuthenticationFailed(_("Malformed API key header."))
        prefix, _dot, secret = parts[1].decode(errors="replace").partition(".")
        key = api_key_by_prefix(prefix=prefix)
        if key is None or not constant_time_compare(key.key_hash, secret_hash(secret)):
            raise exceptions.AuthenticationFailed(
                _("This API key is not valid."), code="api_key_invalid"
            )
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API key has been revoked."), code="api_key_revoked"
            )
        if key.tenant_id != tenant_of(request).pk:
            raise exceptions.PermissionDenied(OTHER_TENANT, code="api_key_tenant_mismatch")
        api_key_touch(api_key=key)
        return AnonymousUser(), Principal.of_api_key(key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TenantSessionAuthentication(SessionAuthentication):
    """The web UI's own session (CSRF enforced), for members of this tenant."""

    def authenticate(self, request: Request):
        result = super().authenticate(request)
        membership = getattr(request._request, "membership", None)  # noqa: SLF001
        if result is None or membership is None:
            return None
        # The session's re-authentication stamp, where a token would carry `auth_time`.
        stamp = session_auth_time(request.session)
        return result[0], Principal.of_membership(membership, {"auth_time": stamp})
