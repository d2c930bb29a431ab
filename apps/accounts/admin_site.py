"""The operators' admin site: django-otp's OTPAdminSite, so only a session whose sign-in
passed a second factor reaches it (an operator without one is treated as not staff)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite

from apps.accounts.forms import OperatorLoginForm


class OperatorsAdminSite(OTPAdminSite):
    # The password through the one password check and its limits, then a code.
    login_form = OperatorLoginForm
    login_template = "admin/login_two_factor.html"

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; the admin's URLs keep their usual names.
        super().__init__(name)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The sign-in page; refused for a while (throttled codes, a paused password check),
        it answers 429 with when to try again, as the company sign-in does."""
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if isinstance(form, OperatorLoginForm) and form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response
