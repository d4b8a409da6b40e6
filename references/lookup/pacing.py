"""Keeping a long run of requests within a service's rate limit.

The evidence watchers ask Crossref and NCBI for thousands of records; the
polite pool asks for few requests a second, and says its limit in every
answer (X-Rate-Limit-Limit per X-Rate-Limit-Interval). A Pacer is a token
bucket: at most `rate` requests a second on average, in bursts of at most
`burst`; an answer that names a lower limit lowers the rate.
"""

import re
import threading
import time
from collections.abc import Callable, Mapping

INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def stated_rate(headers: Mapping[str, str]) -> float | None:
    """Requests a second an answer allows (X-Rate-Limit-Limit over
    X-Rate-Limit-Interval, "50" and "1s"), or None when it does not say."""
    limit = str(headers.get("X-Rate-Limit-Limit") or "").strip()
    interval = INTERVAL.match(str(headers.get("X-Rate-Limit-Interval") or "1s"))
    if not limit.isdigit() or interval is None:
        return None
    seconds = float(interval.group(1)) * UNIT_SECONDS[interval.group(2)]
    if seconds <= 0 or int(limit) <= 0:
        return None
    return int(limit) / seconds


class Pacer:
    """At most `rate` requests a second, in bursts of at most `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0:
            raise ValueError("A pacer needs a positive rate.")
        self.rate = float(rate)
        self.burst = max(int(burst), 1)
        self.clock, self.sleep = clock, sleep
        self.tokens = float(self.burst)
        self.updated = clock()
        self.requests = 0
        self.waited = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when one more request keeps within the rate."""
        with self._lock:
            now = self.clock()
            self.tokens = min(
                self.burst, self.tokens + (now - self.updated) * self.rate
            )
            self.updated = now
            if self.tokens < 1:
                pause = (1 - self.tokens) / self.rate
                self.sleep(pause)
                self.waited += pause
                self.tokens = 1.0
                self.updated = self.clock()
            self.tokens -= 1
            self.requests += 1

    def observe(self, headers: Mapping[str, str]) -> None:
        """Slow down when an answer states a lower limit than our rate."""
        allowed = stated_rate(headers)
        if allowed is not None and allowed < self.rate:
            self.rate = allowed
