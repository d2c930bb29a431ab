"""Pages for people, a module per subject: signing in and the profile (`signin`), members
and invitations (`members`), API keys (`api_keys`), and the public site (`public`)."""

from apps.accounts.views.api_keys import api_key_revoke_view, api_keys_view
from apps.accounts.views.members import (
    invitation_revoke_view,
    invitation_view,
    member_remove_view,
    member_suspend_view,
    members_view,
)
from apps.accounts.views.public import find_company_view, signup_address_view, signup_view
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
    "profile_view",
    "signup_address_view",
    "signup_view",
    "switch_view",
    "two_factor_disable_view",
    "two_factor_recovery_view",
    "two_factor_view",
    "unlock_view",
]
