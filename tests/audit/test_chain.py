"""The digest alone: every field, the previous hash and the key are in it."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from apps.audit.chain import GENESIS, entry_digest

FIELDS = {
    "key": b"k" * 32,
    "tenant_id": 7,
    "seq": 3,
    "at": datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=UTC),
    "actor_id": 42,
    "actor_label": "hanako@example.com",
    "action": "member.role_changed",
    "target": "taro@example.com",
    "data": {"from": "member", "to": "admin"},
    "ip": "192.0.2.1",
    "prev_hash": GENESIS,
}


def test_the_digest_is_a_stable_hex_hmac():
    first = entry_digest(**FIELDS)
    assert first == entry_digest(**FIELDS)
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_the_same_instant_in_another_zone_and_reordered_details_digest_the_same():
    jst = timezone(timedelta(hours=9))
    moved = {
        **FIELDS,
        "at": FIELDS["at"].astimezone(jst),
        "data": {"to": "admin", "from": "member"},
    }
    assert entry_digest(**moved) == entry_digest(**FIELDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", b"x" * 32),
        ("tenant_id", 8),
        ("tenant_id", None),
        ("seq", 4),
        ("at", datetime(2026, 11, 27, 12, 0, 0, 123457, tzinfo=UTC)),
        ("actor_id", None),
        ("actor_label", "taro@example.com"),
        ("action", "member.removed"),
        ("target", "jiro@example.com"),
        ("data", {"from": "member", "to": "owner"}),
        ("ip", "192.0.2.2"),
        ("prev_hash", "f" * 64),
    ],
)
def test_any_change_changes_the_digest(field, value):
    assert entry_digest(**{**FIELDS, field: value}) != entry_digest(**FIELDS)
