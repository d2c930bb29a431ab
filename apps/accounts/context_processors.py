from django.http import HttpRequest

from apps.accounts.perms import Perms
from apps.tenants.policies import is_public_tenant


def perms(request: HttpRequest) -> dict[str, object]:
    """`perms`: what the person signed in may do (apps/accounts/perms.py), on a company's
    pages. On the public site Django's own `perms` (the operators' admin) stays."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or is_public_tenant(tenant):
        return {}
    return {"perms": Perms(getattr(request, "principal", None))}
