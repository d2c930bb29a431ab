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

from apps.accounts.hashing import secret_hash
from apps.accounts.principal import Principal
from apps.accounts.selectors import api_key_by_prefix, membership_for_token
from apps.accounts.services import api_key_touch
from apps.accounts.tokens import access_is_denied

OTHER_TENANT = _("This credential belongs to another company.")
ACCESS_CHANGED = _("Your access has changed; please sign in again.")


class TenantJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access token>`.

    simplejwt checks the signature with the one allow-listed algorithm, the expiry and
    the token type; then come the tenant binding, the logout deny-list and the current
    state of the membership (removed, suspended, or its token version moved on).
    """

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header is not None else None
        if raw is None:
            return None
        token = self.get_validated_token(raw)
        tenant = request.tenant  # type: ignore[attr-defined]
        if token.get("tenant") != tenant.schema_name:
            raise exceptions.PermissionDenied(OTHER_TENANT, code="token_tenant_mismatch")
        if access_is_denied(schema_name=tenant.schema_name, jti=token["jti"]):
            raise exceptions.AuthenticationFailed(
                _("This token has been revoked."), code="token_revoked"
            )
        membership = membership_for_token(membership_id=token.get("mid"), tenant=tenant)
        if (
            membership is None
            or membership.token_version != token.get("ver")
            or not membership.user.is_active
        ):
            raise exceptions.AuthenticationFailed(ACCESS_CHANGED, code="token_revoked")
        if membership.is_suspended():
            raise exceptions.PermissionDenied(
                _("Your access to this company is suspended for now."), code="membership_suspended"
            )
        return membership.user, Principal.of_membership(membership, dict(token.payload))


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`, a tenant's service account."""

    keyword = "Api-Key"

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
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
        if key.tenant_id != request.tenant.pk:  # type: ignore[attr-defined]
            raise exceptions.PermissionDenied(OTHER_TENANT, code="api_key_tenant_mismatch")
        api_key_touch(api_key=key)
        return AnonymousUser(), Principal.of_api_key(key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TenantSessionAuthentication(SessionAuthentication):
    """The web UI's own session (CSRF enforced), for members of this tenant."""

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
        result = super().authenticate(request)
        membership = getattr(request._request, "membership", None)  # noqa: SLF001
        if result is None or membership is None:
            return None
        return result[0], Principal.of_membership(membership)
