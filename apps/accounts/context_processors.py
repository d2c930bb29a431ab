from django.http import HttpRequest

from apps.accounts.policies import can_read_audit


def audit_link(request: HttpRequest) -> dict[str, object]:
    """Whether the account menu offers the audit log (its policy, not the template's)."""
    return {"may_read_audit": can_read_audit(getattr(request, "membership", None))}
