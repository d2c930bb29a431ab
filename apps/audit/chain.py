"""How an audit entry is hashed into its chain: pure functions, tested alone.

The digest is an HMAC keyed by settings.AUDIT_HASH_KEY, not a bare hash: someone who can
write to the database but does not hold the key cannot rewrite the chain after a change
to make it verify again.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def entry_digest(
    *,
    key: bytes,
    tenant_id: int | None,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target: str,
    data: Mapping[str, Any],
    ip: str,
    prev_hash: str,
) -> str:
    """The hex HMAC-SHA256 of the entry's fields in a canonical JSON form."""
    canonical = json.dumps(
        [
            tenant_id,
            seq,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            action,
            target,
            data,
            ip,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
