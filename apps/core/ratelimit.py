"""Fixed-window rate limits, counted in Redis: the one counter behind every limit of Kura
(the API's per caller and per company, sign-in failures, emailed links asked for).

A `Counter` is a Redis key counting hits in a window, and the most its window takes (or
none: counted only, the caller decides). One hit bumps a few counters in order, in one
round trip, by one small Lua script: the first counter over its limit stops the count, so
a hit refused for one caller is not spent from the budget behind it (the company's). The
script answers each bumped counter's count and, for one over its limit, the time left in
its window: the wait to tell someone refused.

Two kinds of window, by the key: `Counter.window` starts at its first hit and lasts
`seconds` (nobody can line up a burst on a boundary they cannot see); `Counter.clock`
follows the clock (00:00, 00:01…) and names the window in its key, so a change of window
length starts fresh counters. Either way a caller can get up to twice the limit across a
boundary: the usual trade for O(1).

`hit` makes its own round trip; `hit_on` queues the same script on a pipeline others use
(authentication reads a token's deny-lists, the membership and the rate limit together),
and `Hits.of` reads what the pipeline answered for it. The `limits` library was the other
choice: it bumps one counter a call on a client of its own and cannot join a pipeline, so
the API's limits would cost two more round trips a request.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django_redis import get_redis_connection
from redis.client import Pipeline
from redis.commands.core import Script

# KEYS: the counters, in order. ARGV: for each, its limit ("" for none) and its window in
# milliseconds. A window starts when its key has no expiry (new, or left by a DECR: the
# first hits of a key are the only ones that can find it so) and ends with the key.
# Answers {over, ms left in its window, count 1, count 2, ...}: `over` is the number of the
# first counter past its limit (0: none, and no wait), the counters after it untouched.
# Run on every API request, in full (EVAL): kept short.
SCRIPT = """local a={0,0}
for i,k in ipairs(KEYS) do
local n=redis.call('INCR',k)
if n<2 and redis.call('PTTL',k)<0 then redis.call('PEXPIRE',k,ARGV[2*i]) end
a[i+2]=n
local l=tonumber(ARGV[2*i-1])
if l and n>l then a[1]=i a[2]=redis.call('PTTL',k) return a end
end
return a"""
_script: Script | None = None


def _registered() -> Script:
    global _script  # noqa: PLW0603 - registered once per process
    if _script is None:
        _script = get_redis_connection("default").register_script(SCRIPT)
    return _script


def digest(*parts: str) -> str:
    """A key's part that names an email or an address without keeping it in Redis."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Counter:
    """Hits under `key` in a window of `window_ms` from its first one; at most `limit`
    (None: counted, never refused here)."""

    key: str
    limit: int | None
    window_ms: int

    @classmethod
    def window(cls, key: str, *, limit: int | None, seconds: int) -> Counter:
        """A window that starts at the first hit."""
        return cls(key, limit, seconds * 1000)

    @classmethod
    def clock(
        cls, key: str, *, limit: int | None, seconds: int, now: float | None = None
    ) -> Counter:
        """The clock's window of `seconds` that `now` falls in, named in the key; its key
        goes when the window ends."""
        now = time.time() if now is None else now
        number = int(now // seconds)
        left_ms = math.ceil(((number + 1) * seconds - now) * 1000)
        return cls(f"{key}:{seconds}:{number}", limit, max(left_ms, 1))


def _args(counters: Sequence[Counter]) -> list[int | str]:
    args: list[int | str] = []
    for counter in counters:
        args += ["" if counter.limit is None else counter.limit, counter.window_ms]
    return args


@dataclass(frozen=True)
class Hits:
    """What a hit found: the count of each counter bumped (all of them, or up to the one
    over its limit, `over` its index) and, when one is over, the seconds left in its
    window (`wait_ms`)."""

    over: int | None
    counts: tuple[int, ...]
    wait_ms: int = 0

    @classmethod
    def of(cls, raw: Sequence[Any]) -> Hits:
        """What the script answered (on a pipeline: its place in the pipeline's answer)."""
        over, wait_ms, *counts = (int(value) for value in raw)
        return cls(over - 1 if over else None, tuple(counts), wait_ms)

    @property
    def allowed(self) -> bool:
        return self.over is None

    @property
    def retry_after(self) -> int:
        """Whole seconds, at least one, until the counter over its limit takes hits again
        (0 when none is)."""
        return 0 if self.over is None else max(math.ceil(self.wait_ms / 1000), 1)

    @property
    def retry_after_minutes(self) -> int:
        """`retry_after` in whole minutes, at least one (what a message says)."""
        return max(1, math.ceil(self.retry_after / 60))


def hit(*counters: Counter) -> Hits:
    """Bump `counters` in order, until one is over its limit; one round trip."""
    raw = _registered()(keys=[c.key for c in counters], args=_args(counters))
    return Hits.of(raw)


def hit_on(pipe: Pipeline, *counters: Counter) -> None:
    """Queue `hit(*counters)` on `pipe`; read its answer with `Hits.of`."""
    # EVAL, not the cached EVALSHA: redis-py checks a pipeline's scripts exist first, which
    # would cost the round trip the pipeline saves.
    pipe.eval(SCRIPT, len(counters), *(c.key for c in counters), *_args(counters))
