# Ids are PostgreSQL bigints; anything larger matches nothing rather than overflowing.
MAX_ID = 2**63 - 1


def int_param(value: str | None) -> int:
    """An id from a form or query string; anything but ASCII digits (or out of range) is 0,
    which matches nothing."""
    if not value or not (value.isascii() and value.isdigit()):
        return 0
    number = int(value)
    return number if number <= MAX_ID else 0
