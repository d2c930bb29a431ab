"""Who reads a company's audit log: its owners (operators read every log in the admin)."""

from apps.accounts.models import Membership


def can_read_audit(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.OWNER
