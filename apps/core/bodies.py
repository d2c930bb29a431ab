"""Request bodies: a view reads at most so many bytes, and a larger body is refused before
any of it is read.

The limit is settings.KURA_MAX_BODY_BYTES, or the view's own where larger bodies are
legitimate: `max_body_bytes` on an API view's or a class-based view's class, or
`accepts_body_up_to(n)` on a function view. A view may also name the refusal it answers
with (`body_too_large_error`, a ServiceError class answering 413), otherwise it is
RequestTooLargeError with the limit in its message.

A body announced larger (Content-Length) is refused by apps.core.middleware.
BodyLimitMiddleware before the view runs: 413 in the error shape under /api/ and /auth/, a
413 page elsewhere. One that turns out larger than announced (a chunked body an ASGI
server buffered whole) is refused by `body_read` as it is read (apps.core.parsers).
Django's own refusal of form fields over DATA_UPLOAD_MAX_MEMORY_SIZE answers the same way
(apps.core.views.bad_request).

Kept free of DRF imports: the parser DRF's settings name uses it.
"""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.http import HttpRequest

from apps.core.errors import RequestTooLargeError, ServiceError

# Room for the multipart form around an uploaded file: boundaries, part headers, the
# other fields (which DATA_UPLOAD_MAX_MEMORY_SIZE bounds on its own).
FORM_ENVELOPE_BYTES = 64 * 1024

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _declared(view: object, name: str) -> Any:
    """What the view says: on its instance or class (API views), or on the function that
    as_view() made (whose `view_class` is the class) or that a decorator marked."""
    for holder in (view, getattr(view, "view_class", None)):
        value = getattr(holder, name, None)
        if value is not None:
            return value
    return None


def max_body_bytes(view: object) -> int:
    """The largest body `view` reads."""
    limit = _declared(view, "max_body_bytes")
    return settings.KURA_MAX_BODY_BYTES if limit is None else int(limit)


def body_too_large(view: object) -> ServiceError:
    """The refusal of a body over `view`'s limit."""
    error = _declared(view, "body_too_large_error")
    if error is not None:
        return error()
    return RequestTooLargeError.over(max_body_bytes(view))


def accepts_body_up_to(
    limit: int, *, error: type[ServiceError] | None = None
) -> Callable[[ViewFunction], ViewFunction]:
    """A function view that reads bodies up to `limit` bytes (a page with a file field),
    refusing larger ones with `error` if given."""

    def mark(view: ViewFunction) -> ViewFunction:
        view.max_body_bytes = limit  # type: ignore[attr-defined]
        view.body_too_large_error = error  # type: ignore[attr-defined]
        return view

    return mark


def announced_length(request: HttpRequest) -> int:
    """The body's length as Content-Length announces it (0 when it does not say: then
    Django's WSGI request reads nothing)."""
    value = request.META.get("CONTENT_LENGTH") or ""
    return int(value) if value.isascii() and value.isdigit() else 0


def body_read(stream: Readable, *, view: object) -> bytes:
    """The body, read to one byte past `view`'s limit at most: one that turns out larger
    than announced is refused there, however much more follows."""
    limit = max_body_bytes(view)
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise body_too_large(view)
    return b"".join(chunks)
