"""Deleting the company: owners only, after a recent sign-in, typing its address name."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.decorators import member_required, recent_auth_required
from apps.accounts.forms import CompanyDeleteForm
from apps.accounts.policies import can_delete_company
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.services import company_delete
from apps.core.errors import ServiceError, form_errors_from


@member_required()
@recent_auth_required()
def company_delete_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """What deleting does, and the confirmation. Once done, the company's host answers only
    that it was deleted (everyone, this browser included, is signed out)."""
    if not can_delete_company(principal):
        raise PermissionDenied
    tenant = request.tenant
    form = CompanyDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company_delete(tenant=tenant, actor=principal, confirm_slug=form.cleaned_data["slug"])
        except (ServiceError, ValidationError) as exc:
            form_errors_from(form, exc)
        else:
            return redirect("/")
    return render(
        request,
        "accounts/company_delete.html",
        {"form": form, "days": settings.COMPANY_DELETE_DAYS, "slug": tenant.slug},
    )
