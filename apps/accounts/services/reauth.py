"""Re-authentication: a person proves again who they are (their password, through the one
password check and its lockout) before the sensitive actions of
apps/accounts/policies.py::auth_is_recent. On the web the proof is a stamp in the session;
in the API it is the access token's `auth_time`, set by the sign-in."""

import time

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext as _

from apps.accounts.errors import InvalidCredentialsError
from apps.accounts.models import User
from apps.accounts.services.signin import auth_check_password
from apps.audit.services import audit_record, company_here
from apps.core.errors import ServiceError

# The session's stamp: when its person last signed in or confirmed their password.
AUTH_TIME = "kura_auth_time"


def reauth_check(*, user: User, password: str, ip: str, unlock_url: str | None = None) -> None:
    """Check `user`'s password again (counted in the sign-in limits); raise if it is wrong.
    Either way, an entry in the audit log of the company where it was asked."""
    try:
        checked = auth_check_password(
            email=user.email, password=password, ip=ip, unlock_url=unlock_url
        )
        if checked.pk != user.pk:  # one email names one account: never, but never act on it
            raise InvalidCredentialsError
    except ServiceError as exc:
        audit_record(
            action="reauth.failed", tenant=company_here(), actor=user, data={"code": exc.code}
        )
        if isinstance(exc, InvalidCredentialsError):
            raise InvalidCredentialsError(_("The password is not correct.")) from exc
        raise
    audit_record(action="reauth.succeeded", tenant=company_here(), actor=user)


def session_auth_stamp(*, session: SessionBase, now: float | None = None) -> None:
    """The person proved who they are just now (a sign-in with a password or their identity
    provider, or the re-authentication page)."""
    session[AUTH_TIME] = time.time() if now is None else now


def session_auth_time(session: SessionBase) -> float | None:
    value = session.get(AUTH_TIME)
    return float(value) if isinstance(value, int | float) else None
