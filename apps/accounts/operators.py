from django.contrib.admin.apps import AdminConfig


class OperatorsAdminConfig(AdminConfig):
    """Django's admin, whose default site (`admin.site`) is the operators' site that asks
    for a second factor (apps/accounts/admin_site.py). Kept apart from that module, which
    imports models and so cannot load while the app registry is being built."""

    default_site = "apps.accounts.admin_site.OperatorsAdminSite"
