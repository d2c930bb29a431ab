"""Refusals of the files app, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ConflictError, ServiceError


class ImageRefusedError(ServiceError):
    """An image Kura will not decode: too many pixels, damaged, or of a format it does not
    read. The message says which, in words a person understands."""

    status_code = 400
    code = "image_refused"
    default_message = _("This image cannot be read.")


class PreviewRefusedError(ServiceError):
    """A document Kura makes no preview of: over a limit, damaged, locked. The file itself
    stays (its download); the message says why it has no picture."""

    status_code = 400
    code = "preview_refused"
    default_message = _("No preview could be made.")


# Refusals of a request of the form the schema describes, for what it means (a name, a type,
# a plan's limits, the bytes in the store): 422.


class FileNameRefusedError(ServiceError):
    status_code = 422
    code = "file_name_refused"
    default_message = _("This file name is not accepted.")


class FileTooLargeError(ServiceError):
    status_code = 422
    code = "file_too_large"


class QuotaExceededError(ServiceError):
    status_code = 422
    code = "quota_exceeded"


class TooManyOpenUploadsError(ServiceError):
    """The person or API key has FILES_MAX_OPEN_UPLOADS uploads begun and not finished."""

    status_code = 409
    code = "too_many_open_uploads"


class FileTypeNotAllowedError(ServiceError):
    status_code = 422
    code = "file_type_not_allowed"


class UploadIncompleteError(ServiceError):
    """The store does not have the whole file yet (parts missing or not the ones given);
    the upload stays open and the client may send what is missing and complete again: a
    conflict with the upload's state (409)."""

    status_code = 409
    code = "upload_incomplete"


class UploadRejectedError(ServiceError):
    """The store has the file but it is not what was declared (size, real type): the file
    is rejected and its object deleted."""

    status_code = 422
    code = "upload_rejected"


class UploadConflictError(ConflictError):
    """The upload is not in a state that allows this (aborted, rejected, already
    complete, or not multipart)."""


class PartsUnavailableError(ServiceError):
    """The store cannot list the upload's parts now (it failed or did not answer, after
    retries): the upload stays open, and the client sends again every part it has no
    confirmation (a 200 with an ETag) of, then completes."""

    status_code = 409
    code = "parts_unavailable"
    default_message = _(
        "The file store cannot say which parts of this upload it has right now. Send again "
        "every part you have no confirmation for, then complete the upload."
    )


class UploadGoneError(ServiceError):
    """The store no longer has the multipart upload (aborted behind Kura's back, expired, or
    lost): nothing can be added to it. Kura aborts it and gives its room back; the client
    begins a new upload of the file."""

    status_code = 409
    code = "upload_gone"
    default_message = _(
        "The file store no longer has this upload, so it was cancelled and its room given "
        "back. Upload the file again."
    )


class StoreUnavailableError(ServiceError):
    """The store failed or did not answer a call the request needs, after retries: nothing
    was changed, and the same request may be sent again shortly (Retry-After)."""

    status_code = 503
    code = "store_unavailable"
    default_message = _("The file store is not answering right now. Try again in a moment.")


class FileNotReadyError(ServiceError):
    status_code = 409
    code = "file_not_ready"
