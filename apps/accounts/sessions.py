"""What Kura keeps about a web session, beside what django-qsessions stores with it (person,
address, user agent, last save): when it was signed in, when it was last seen and on which
company's host. The rules on those times are apps/accounts/policies.py::web_session_alive.

Sessions live in the public schema (qsessions' table, one row per browser and host); a
person's list spans their companies. A session's key is its credential, so pages and the
API name a session by a digest of it, never the key itself.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext as _
from ua_parser import parse

SIGNED_IN = "kura_signed_in"
SEEN = "kura_seen"
TENANT = "kura_tenant"
# "Last seen" is kept to the minute: a session is written at most once a minute for it.
TOUCH_SECONDS = 60


def session_public_id(session_key: str) -> str:
    return "w" + hashlib.sha256(session_key.encode()).hexdigest()[:31]


def family_public_id(family: str) -> str:
    """A refresh family's id is in its tokens, not a credential; named apart from sessions."""
    return f"a{family}"


def unix_time(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def session_touch(session: SessionBase, *, tenant_id: int | None, now: float) -> None:
    """Start the clocks of a session signed in just now, and note this request."""
    if SIGNED_IN not in session:
        session[SIGNED_IN] = now
    if tenant_id is not None and TENANT not in session:
        session[TENANT] = tenant_id
    seen = unix_time(session.get(SEEN))
    if seen is None or now - seen >= TOUCH_SECONDS:
        session[SEEN] = now


def device_label(user_agent: str) -> str:
    """`Firefox 132 on Windows`, from the user agent (ua-parser's rules); what a person
    recognises in their list."""
    if not user_agent:
        return _("Unknown device")
    result = parse(user_agent)
    browser = result.user_agent
    os = result.os
    name = browser.family if browser else user_agent[:60]
    if browser and browser.major:
        name = f"{name} {browser.major}"
    if os and os.family != "Other":
        return _("%(browser)s on %(os)s") % {"browser": name, "os": os.family}
    return name


@dataclass(frozen=True)
class SignIn:
    """One place the person is signed in: a browser on a company's host (`web`) or an API
    client's sign-in (`api`, a refresh-token family)."""

    id: str
    kind: str
    device: str
    ip: str
    last_seen: datetime
    company: str
    current: bool


def from_unix(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def now_unix() -> float:
    return time.time()
