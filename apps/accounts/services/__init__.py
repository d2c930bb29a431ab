"""Writes on accounts, one module per subject; every service is importable from here."""

from apps.accounts.services.api_keys import api_key_create, api_key_revoke, api_key_touch
from apps.accounts.services.companies import companies_email_links
from apps.accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_find,
    invitation_resend,
    invitation_revoke,
)
from apps.accounts.services.memberships import (
    SUSPENSION_LIFT,
    membership_remove,
    membership_role_change,
    membership_suspend,
    membership_suspension_end,
    membership_suspension_lift,
)
from apps.accounts.services.passwords import (
    password_change,
    password_reset_check,
    password_reset_complete,
    password_reset_request,
    sign_ins_end,
)
from apps.accounts.services.people import user_create, user_language_set, user_profile_update
from apps.accounts.services.reauth import (
    AUTH_TIME,
    reauth_check,
    session_auth_stamp,
    session_auth_time,
)
from apps.accounts.services.sessions import (
    company_sign_ins_end,
    session_end,
    sessions_end_all,
)
from apps.accounts.services.signin import (
    auth_check_credentials,
    auth_check_password,
    auth_locks_clear,
    auth_logout,
    auth_token_issue,
    auth_token_refresh,
    auth_unlock_redeem,
    family_revoke,
    handoff_issue,
    handoff_redeem,
    refresh_tokens_prune,
)
from apps.accounts.services.verification import (
    email_verification_resend,
    email_verification_send,
    email_verified_mark,
    email_verify,
    require_verified_email,
)

__all__ = [
    "AUTH_TIME",
    "SUSPENSION_LIFT",
    "api_key_create",
    "api_key_revoke",
    "api_key_touch",
    "auth_check_credentials",
    "auth_check_password",
    "auth_locks_clear",
    "auth_logout",
    "auth_token_issue",
    "auth_token_refresh",
    "auth_unlock_redeem",
    "companies_email_links",
    "company_sign_ins_end",
    "email_verification_resend",
    "email_verification_send",
    "email_verified_mark",
    "email_verify",
    "family_revoke",
    "handoff_issue",
    "handoff_redeem",
    "invitation_accept",
    "invitation_create",
    "invitation_find",
    "invitation_resend",
    "invitation_revoke",
    "membership_remove",
    "membership_role_change",
    "membership_suspend",
    "membership_suspension_end",
    "membership_suspension_lift",
    "password_change",
    "password_reset_check",
    "password_reset_complete",
    "password_reset_request",
    "reauth_check",
    "refresh_tokens_prune",
    "require_verified_email",
    "session_auth_stamp",
    "session_auth_time",
    "session_end",
    "sessions_end_all",
    "sign_ins_end",
    "user_create",
    "user_language_set",
    "user_profile_update",
]
