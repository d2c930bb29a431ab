"""The webhook's signature, for the provider's side (tests, the demo's "pay" button) and
ours: `Kura-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed with the
company's secret; `Kura-Timestamp` is the Unix time in seconds the signature was made."""

import hashlib
import hmac

SCHEME = "v1="
MAX_TIMESTAMP_DIGITS = 12


def _digest(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `Kura-Signature` header for `body` sent at `timestamp`."""
    return SCHEME + _digest(secret, str(timestamp), body)


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """The header is the signature of `body` at `timestamp` (compared in constant time)."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        return False
    if not header.startswith(SCHEME):
        return False
    expected = _digest(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), header[len(SCHEME) :].encode("utf-8", "replace"))
