"""Waiting out a rate limit, for provider plugins: the wait a 429 asks for, and sending again a request that
must not be carried out twice (creating a job) only after a 429, which says nothing was done.

Provider-neutral: the caller names its SDK's rate-limit error; the wait is read from that error's HTTP
response (`exc.response.headers`, as the openai and together SDKs give it). Reads are the SDKs' own
business: their retries honour Retry-After already.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

LONGEST_WAIT = 60.0  # seconds: a longer Retry-After is cut to this
RATE_LIMIT_RETRIES = 3  # how often a rate-limited request that must not be repeated is sent again
T = TypeVar("T")


def retry_after(headers: Any, attempt: int) -> float:
    """The wait a 429 asks for (retry-after-ms or retry-after in seconds), else 1, 2, 4 ... seconds."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(LONGEST_WAIT, max(0.0, float(headers.get(name)) * scale))
        except (TypeError, ValueError):
            continue
    return min(LONGEST_WAIT, 2.0**attempt)


def send_once(
    send: Callable[[], T],
    rate_limited: type[Exception],
    final: Callable[[Exception], bool] = lambda exc: False,
    retries: int = RATE_LIMIT_RETRIES,
) -> T:
    """Send a request that must not be carried out twice: only a `rate_limited` error (nothing was done) is
    sent again, after the wait the server asks for, up to `retries` times; unless `final` says waiting
    cannot help (a used-up quota). Any other error is raised as it is."""
    for attempt in range(retries + 1):
        try:
            return send()
        except rate_limited as exc:
            if attempt == retries or final(exc):
                raise
            response = getattr(exc, "response", None)  # the SDK's HTTP response (openai, together): its headers
            time.sleep(retry_after(getattr(response, "headers", {}), attempt))
    raise AssertionError("unreachable")
