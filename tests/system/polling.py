"""Waiting for a server-side state in system tests, with a bound."""
from __future__ import annotations

import time
from collections.abc import Callable


def until(condition: Callable[[], bool], what: str, limit_s: float = 30) -> None:
    """Poll `condition` every 20 ms; fail naming `what` after `limit_s` seconds."""
    end = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"still not {what} after {limit_s} s")
        time.sleep(0.02)
