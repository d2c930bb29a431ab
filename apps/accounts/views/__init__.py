"""Pages for people, a module per subject: signing in and the profile (`signin`), passwords
and email verification (`passwords`), members and invitations (`members`), API keys
(`api_keys`), the company's audit log (`audit`) and deletion (`company`), and the public site
(`public`)."""

from apps.accounts.views.api_keys import api_key_revoke_view, api_keys_view
from apps.accounts.views.audit import audit_view
from apps.accounts.views.company import company_delete_view
from apps.accounts.views.members import (
    invitation_revoke_view,
    invitation_view,
    member_remove_view,
    member_suspend_view,
    members_view,
)
from apps.accounts.views.passwords import (
    email_verify_send_view,
    email_verify_view,
    password_change_view,
    password_reset_confirm_view,
    password_reset_view,
)
from apps.accounts.views.public import find_company_view, signup_address_view, signup_view
from apps.accounts.views.reauth import reauth_view
from apps.accounts.views.sessions import session_end_view, sessions_end_all_view
from apps.accounts.views.signin import (
    handoff_view,
    language_view,
    login_view,
    logout_view,
    profile_view,
    switch_view,
    unlock_view,
)
from apps.accounts.views.two_factor import (
    login_two_factor_view,
    members_two_factor_view,
    operator_two_factor_view,
    two_factor_disable_view,
    two_factor_recovery_view,
    two_factor_view,
)

__all__ = [
    "api_key_revoke_view",
    "api_keys_view",
    "audit_view",
    "company_delete_view",
    "email_verify_send_view",
    "email_verify_view",
    "find_company_view",
    "handoff_view",
    "invitation_revoke_view",
    "invitation_view",
    "language_view",
    "login_two_factor_view",
    "login_view",
    "logout_view",
    "member_remove_view",
    "member_suspend_view",
    "members_two_factor_view",
    "members_view",
    "operator_two_factor_view",
    "password_change_view",
    "password_reset_confirm_view",
    "password_reset_view",
    "profile_view",
    "reauth_view",
    "session_end_view",
    "sessions_end_all_view",
    "signup_address_view",
    "signup_view",
    "switch_view",
    "two_factor_disable_view",
    "two_factor_recovery_view",
    "two_factor_view",
    "unlock_view",
]
