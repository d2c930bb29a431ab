from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo companies, people, posts and catalog of `make run` (`manage.py demo_data`):
    the top layer, loaded through every other app's services."""

    name = "apps.demo"
    verbose_name = _("Demo data")
