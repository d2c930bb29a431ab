"""The operators' admin site: django-otp's OTPAdminSite, so only a session whose sign-in
passed a second factor reaches it (an operator without one is treated as not staff)."""

from django_otp.admin import OTPAdminSite

from apps.accounts.forms import OperatorLoginForm


class OperatorsAdminSite(OTPAdminSite):
    # The password through the one password check and its limits, then a code.
    login_form = OperatorLoginForm
    login_template = "admin/login_two_factor.html"

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; the admin's URLs keep their usual names.
        super().__init__(name)
