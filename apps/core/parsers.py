"""The one JSON parser of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

DRF's own decodes the body with the json module, which recurses once per level of
nesting: `[` a thousand times deep is a RecursionError (a 500) before any view code runs.
This one reads the body within the view's limit (apps.core.bodies) and measures its
nesting without recursing before decoding it; both refusals come before any field is
looked at.
"""

import io
import re
from array import array
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from apps.core.bodies import body_read

# Arrays and objects within each other. Kura's bodies nest three deep (a list of parts
# in an object); what client code or error messages do with a value recurses too.
MAX_DEPTH = 32

# A string with its escapes, skipped whole (brackets in it are text). Possessive, so no
# input makes it backtrack; one left open runs to the end (the decoder refuses it later).
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
# What remains, as the change of depth at each bracket: +1 opening, -1 (0xff) closing.
_DEPTH_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest in `body`, counted in one pass without recursing."""
    steps = array("b", _STRING.sub(b"", body).translate(_DEPTH_STEPS, _NOT_BRACKETS))
    return max(accumulate(steps), default=0)


class JSONParser(parsers.BaseParser):
    """Not a subclass of DRF's JSONParser on purpose: DRF gives its own the body through
    request.body, capped by DATA_UPLOAD_MAX_MEMORY_SIZE whatever the view; this one reads
    the stream itself, within the view's limit."""

    media_type = "application/json"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        body = body_read(stream, view=(parser_context or {}).get("view"))
        if nesting_depth(body) > MAX_DEPTH:
            raise ParseError(
                _("JSON parse error - arrays and objects nest more than %(max)d deep.")
                % {"max": MAX_DEPTH}
            )
        # Decoding as DRF does (its charset, strict about NaN), with its messages.
        return parsers.JSONParser().parse(io.BytesIO(body), media_type, parser_context)
