from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    """The company feed and scheduled posts."""

    name = "apps.posts"
    verbose_name = _("Posts")
