"""What every paged list reads from its query string: a limit, and which of the three
styles it was asked for (`style_of`); each style's own parameters are read by its module."""

from collections.abc import Mapping
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.errors import RefusedInputError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Style = Literal["offset", "cursor", "keyset"]
STYLE_PARAMETERS: dict[str, Style] = {"page": "offset", "cursor": "cursor", "after": "keyset"}


def field_error(field: str, message: Any) -> ValidationError:
    """Input the OpenAPI parameters refuse: a 400 naming `field`."""
    return ValidationError({field: [ValidationError(message, code="invalid")]})


def positive_int(query: Mapping[str, Any], field: str, *, default: int, maximum: int) -> int:
    raw = query.get(field)
    if raw is None or raw == "":
        return default
    text = str(raw)
    # Digits only (no sign, space or underscore int() would take), and no longer than the
    # maximum before int() reads them.
    if text.isascii() and text.isdigit() and len(text) <= len(str(maximum)):
        number = int(text)
        if 1 <= number <= maximum:
            return number
    raise field_error(field, _("Enter a whole number from 1 to %(max)d.") % {"max": maximum})


def limit_of(query: Mapping[str, Any]) -> int:
    return positive_int(query, "limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT)


def style_of(query: Mapping[str, Any], *, default: Style = "cursor") -> Style:
    """Which pagination a list offering all three was asked for: `page` (offset), `cursor`
    or `after` (keyset), present even if empty (`?after=` is the first page of a keyset
    traversal); `default` when none. Two at once is a 422 naming the second."""
    given = [name for name in STYLE_PARAMETERS if name in query]
    if len(given) > 1:
        # The schema's parameters cannot say "one of": a 422 (documented with them).
        message = _(
            "Page with one of page, cursor or after, not %(first)s and %(second)s together."
        ) % {"first": given[0], "second": given[1]}
        raise RefusedInputError({given[1]: [message]})
    return STYLE_PARAMETERS[given[0]] if given else default
