"""Refusals of the posts app, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ConflictError


class PostStateError(ConflictError):
    """The post is not in a state that allows this (publishing a published post, moving a
    post that was already published, cancelling one being published right now)."""

    default_message = _("This post can no longer be changed this way.")
