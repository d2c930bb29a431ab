"""The identity API on tenant hosts: sign in, refresh, sign out, who am I, a new password,
where am I signed in."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import TenantJWTAuthentication
from apps.accounts.permissions import (
    IsTenantMember,
    IsTenantPerson,
    person_required,
    principal_of,
    principal_required,
)
from apps.accounts.selectors import memberships_of_user, sign_ins_of_user
from apps.accounts.services import (
    auth_check_credentials,
    auth_logout,
    auth_token_issue,
    auth_token_refresh,
    password_change,
    session_end,
    sessions_end_all,
    two_factor_sign_in_check,
)
from apps.core.clients import client_ip
from apps.core.fields import StrictSerializer
from apps.core.hosts import here_url
from apps.core.openapi import error_response
from apps.core.output import output
from apps.tenants.request import tenant_of


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(help_text=_("Always `Bearer`."))
    expires_in = serializers.IntegerField(help_text=_("Seconds until the access token expires."))


class LoginApi(APIView):
    """Sign in with email and password, and a two-factor code for people who use it;
    answers a token pair bound to this company."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(StrictSerializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, max_length=4096)
        otp = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=32,
            help_text=_(
                "For people who use two-factor: the 6-digit code of their authenticator app, "
                "or one of their recovery codes (each works once)."
            ),
        )

    @extend_schema(
        operation_id="auth_login",
        request=InputSerializer,
        responses={
            200: TokenPairSerializer,
            401: error_response(
                "The email address or password is not correct (`invalid_credentials`); the "
                "account uses two-factor and no code was given (`otp_required`), or the code "
                "is wrong or was already used (`otp_invalid`)."
            ),
            403: error_response(
                "The account is locked for a while, the membership is suspended, or the "
                "company requires two-factor and the person has not set it up "
                "(`two_factor_setup_required`)."
            ),
            429: error_response(
                "Wait before trying again (`Retry-After` says how long): too many failed "
                "sign-ins for this email from this address (`sign_in_locked`) or from this "
                "address (`login_throttled`), or too many wrong two-factor codes just now "
                "(`otp_throttled`: every code waits, the right one too)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = auth_check_credentials(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            tenant=tenant_of(request),
            ip=client_ip(request),
            unlock_url=here_url(request, "/unlock"),
        )
        two_factor_sign_in_check(
            membership=membership, code=data.validated_data.get("otp", ""), ip=client_ip(request)
        )
        pair = auth_token_issue(
            membership=membership,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(TokenPairSerializer(pair).data)


class RefreshApi(APIView):
    """Trade a refresh token for a new pair; the old refresh token is retired."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(StrictSerializer):
        refresh_token = serializers.CharField(max_length=4096)

    @extend_schema(
        operation_id="auth_refresh",
        request=InputSerializer,
        responses={
            200: TokenPairSerializer,
            401: error_response(
                "The refresh token is not valid, has expired, was used already or its "
                "access has changed."
            ),
            403: error_response("The refresh token belongs to another company."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = auth_token_refresh(
            raw_refresh=data.validated_data["refresh_token"],
            tenant=tenant_of(request),
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(TokenPairSerializer(pair).data)


class LogoutApi(APIView):
    """Sign out: this access token and every refresh token of its sign-in stop working."""

    authentication_classes = [TenantJWTAuthentication]
    permission_classes = [IsTenantMember]

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        auth_logout(access=principal_required(request).claims or {})
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileApi(APIView):
    """The person calling, the company of this host and their role in it."""

    class OutputSerializer(serializers.Serializer):
        class TenantSerializer(serializers.Serializer):
            name = serializers.CharField()
            slug = serializers.CharField()

        class OtherSerializer(serializers.Serializer):
            tenant = serializers.CharField(source="tenant.slug")
            name = serializers.CharField(source="tenant.name")
            role = serializers.CharField()

        id = serializers.IntegerField(source="user.id")
        email = serializers.EmailField(source="user.email")
        full_name = serializers.CharField(source="user.full_name")
        tenant = TenantSerializer()
        role = serializers.CharField()
        memberships = OtherSerializer(many=True)

    @extend_schema(operation_id="profile", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        principal = principal_of(request)
        membership = principal.membership if principal else None
        if membership is None:
            raise exceptions.PermissionDenied(_("API keys have no profile."), code="not_a_person")
        data = {
            "user": membership.user,
            "tenant": membership.tenant,
            "role": membership.role,
            "memberships": memberships_of_user(user=membership.user),
        }
        return Response(output(self.OutputSerializer, data))


class PasswordChangeApi(APIView):
    """Change the caller's password, proven by the current one. Every other sign-in of the
    person ends (web sessions and API sign-ins in every company); this token's goes on."""

    authentication_classes = [TenantJWTAuthentication]
    permission_classes = [IsTenantPerson]

    class InputSerializer(StrictSerializer):
        current_password = serializers.CharField(trim_whitespace=False, max_length=4096)
        new_password = serializers.CharField(trim_whitespace=False, max_length=4096)

    @extend_schema(
        operation_id="profile_password_change",
        request=InputSerializer,
        responses={
            204: None,
            422: error_response(
                "The current password is not correct (`password_incorrect`, under "
                "`errors.current_password`), or the new one breaks a password rule (under "
                "`errors.new_password`)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        principal = principal_required(request)
        password_change(
            user=principal.member.user,
            **data.validated_data,
            ip=client_ip(request),
            keep_family=str((principal.claims or {})["fam"]),
            unlock_url=here_url(request, "/unlock"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignInSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("Names this sign-in for ending it."))
    kind = serializers.ChoiceField(
        choices=["web", "api"],
        help_text=_("`web`: a browser on a company's site; `api`: an API client's sign-in."),
    )
    device = serializers.CharField(help_text=_("Browser or app and system, from its user agent."))
    ip = serializers.CharField(help_text=_("The address it was last seen from; may be empty."))
    last_seen = serializers.DateTimeField()
    company = serializers.CharField(help_text=_("The company's name; may be empty."))
    current = serializers.BooleanField(help_text=_("The sign-in making this call."))


def _current_sign_in(request: Request) -> tuple[str | None, str | None]:
    """The session key or refresh family of the call itself (kept by "end all")."""
    principal = principal_required(request)
    family = (principal.claims or {}).get("fam")
    if family is not None:
        return None, str(family)
    return request.session.session_key, None


class SessionsApi(APIView):
    """The calling person's sign-ins across their companies: web sessions and API
    sign-ins; ending all of them but this one."""

    permission_classes = [IsTenantPerson]

    class EndedSerializer(serializers.Serializer):
        ended = serializers.IntegerField(help_text=_("How many sign-ins ended."))

    @extend_schema(operation_id="profile_sessions", responses=SignInSerializer(many=True))
    def get(self, request: Request) -> Response:
        session_key, family = _current_sign_in(request)
        found = sign_ins_of_user(
            user=person_required(request),
            current_session_key=session_key,
            current_family=family,
        )
        return Response(SignInSerializer(found, many=True).data)

    @extend_schema(
        operation_id="profile_sessions_end_all", request=None, responses={200: EndedSerializer}
    )
    def delete(self, request: Request) -> Response:
        """Sign out everywhere (web and API) except the sign-in making this call."""
        session_key, family = _current_sign_in(request)
        ended = sessions_end_all(
            user=person_required(request),
            keep_session_key=session_key,
            keep_family=family,
        )
        return Response(self.EndedSerializer({"ended": ended}).data)


class SessionApi(APIView):
    """End one of the calling person's sign-ins: a browser is signed out at its next
    request, an API client's tokens are refused at once."""

    permission_classes = [IsTenantPerson]

    @extend_schema(
        operation_id="profile_sessions_end",
        request=None,
        responses={204: None, 404: error_response("No sign-in of yours has this id.")},
    )
    def delete(self, request: Request, session_id: str) -> Response:
        session_end(user=person_required(request), session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
