"""The one cursor signer: positions handed to clients as opaque, signed tokens that only the
list (or search) they were made for takes back.

What a token is good for is its scope: the company, the list and everything that decides
which rows it holds (filters, ordering, query text). The scope is hashed into the
signature's salt, so a token made for any other scope fails its signature like a tampered
one, and the token itself carries only the position.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.core import signing

# A signed cursor of a few key values is well under this; longer is not ours.
MAX_CURSOR_LENGTH = 1000
# What django.core.signing writes (URL-safe base64 and colons; a dot first when compressed).
SIGNED_CHARACTER = r"[A-Za-z0-9_.:-]"
CURSOR_PATTERN = rf"^{SIGNED_CHARACTER}*$"


class BadCursorError(Exception):
    """A token this signer did not sign for this scope: too long, tampered with, truncated,
    made up, or made for another scope. Each caller answers it in its own words."""


class CursorSigner:
    """Signs positions for one scope: `namespace` names the kind of token
    (`"kura.pagination.cursor"`), `scope` the values it is good for (JSON, or anything whose
    str() stands for it)."""

    def __init__(
        self, namespace: str, scope: Sequence[Any], *, max_length: int = MAX_CURSOR_LENGTH
    ) -> None:
        digest = hashlib.sha256(
            json.dumps(list(scope), sort_keys=True, default=str).encode()
        ).hexdigest()
        self.salt = f"{namespace}|{digest}"
        self.max_length = max_length

    def sign(self, payload: Any) -> str:
        return signing.dumps(payload, salt=self.salt, compress=True)

    def unsign(self, token: str) -> Any:
        """The payload `sign` was given; BadCursorError for any token it did not make."""
        if len(token) > self.max_length:
            raise BadCursorError
        try:
            return signing.loads(token, salt=self.salt)
        except (signing.BadSignature, ValueError, UnicodeError) as exc:
            raise BadCursorError from exc
