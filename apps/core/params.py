def int_param(value: str | None) -> int:
    """An id from a form or query string; anything but digits is 0, which matches nothing."""
    return int(value) if value and value.isdigit() else 0
