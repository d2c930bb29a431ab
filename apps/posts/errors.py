"""Refusals of the posts app, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class PostStateError(ServiceError):
    """The post is not in a state that allows this (publishing a published post, moving a
    post that was already published, cancelling one being published right now)."""

    status_code = 409
    code = "conflict"
    default_message = _("This post can no longer be changed this way.")
