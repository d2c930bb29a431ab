"""The actions the audit log records, with the names people read and the groups the
/audit page filters by. An action not listed here is still recorded and shown by its name."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "auth.signed_in": _("Signed in"),
    "auth.sign_in_failed": _("Sign-in failed"),
    "auth.locked": _("Sign-ins paused after failures"),
    "auth.unlocked": _("Sign-in pause lifted"),
    "auth.refresh_reused": _("A used refresh token was presented again; the sign-in was ended"),
    "auth.signed_out": _("Signed out"),
    "reauth.succeeded": _("Confirmed their password"),
    "reauth.failed": _("Failed to confirm their password"),
    "password.changed": _("Changed their password"),
    "password.reset": _("Reset their password by email"),
    "email.verified": _("Verified their email address"),
    "session.ended": _("Ended a session"),
    "sessions.ended_all": _("Signed out everywhere"),
    "two_factor.enabled": _("Turned on two-factor authentication"),
    "two_factor.disabled": _("Turned off two-factor authentication"),
    "two_factor.recovery_code_used": _("Used a recovery code"),
    "two_factor.recovery_codes_regenerated": _("Made new recovery codes"),
    "company.two_factor_required": _("Changed the two-factor requirement"),
    "company.deleted": _("Deleted the company"),
    "member.role_changed": _("Changed a member's role"),
    "member.removed": _("Removed a member"),
    "member.suspended": _("Suspended a member"),
    "member.suspension_ended": _("Ended a member's suspension"),
    "invitation.created": _("Invited someone"),
    "invitation.resent": _("Sent an invitation again"),
    "invitation.revoked": _("Withdrew an invitation"),
    "invitation.accepted": _("Accepted an invitation"),
    "api_key.created": _("Created an API key"),
    "api_key.revoked": _("Revoked an API key"),
    "payment_secret.rotated": _("Replaced the payment webhook secret"),
    "file.deleted": _("Deleted a file"),
    "post.deleted": _("Deleted a post"),
    "product.deleted": _("Deleted a product"),
    "admin.added": _("Operator added"),
    "admin.changed": _("Operator changed"),
    "admin.deleted": _("Operator deleted"),
    "admin.action": _("Operator action"),
}

# The /audit page's filter: a group is every action whose name starts with one of these.
GROUPS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "sign-in": (_("Sign-ins"), ("auth.", "reauth.", "session.", "sessions.")),
    "account": (_("Passwords and two-factor"), ("password.", "email.", "two_factor.")),
    "members": (_("Members and invitations"), ("member.", "invitation.")),
    "keys": (_("API keys and secrets"), ("api_key.", "payment_secret.")),
    "company": (_("Company settings"), ("company.",)),
    "deletions": (_("Deletions"), ("file.deleted", "post.deleted", "product.deleted")),
    "operators": (_("Operators"), ("admin.",)),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
