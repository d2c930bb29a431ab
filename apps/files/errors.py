"""Refusals of the files app, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class ImageRefusedError(ServiceError):
    """An image Kura will not decode: too many pixels, damaged, or of a format it does not
    read. The message says which, in words a person understands."""

    status_code = 400
    code = "image_refused"
    default_message = _("This image cannot be read.")


class FileNameRefusedError(ServiceError):
    status_code = 400
    code = "file_name_refused"
    default_message = _("This file name is not accepted.")
