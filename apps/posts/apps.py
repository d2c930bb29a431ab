from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    """The company feed and scheduled posts."""

    name = "apps.posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        from apps.accounts.perms import perm_register  # noqa: PLC0415 - after the registry
        from apps.posts.policies import can_post  # noqa: PLC0415 - after the registry

        perm_register("post", can_post)
