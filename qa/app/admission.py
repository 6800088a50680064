"""Admission for answers: a few at once, a short line, a fast "busy", nothing computed for a client who left.

Issue 15: on 2 cores the Gradio queue let 50 clients wait 7 s (p95) although one answer
costs milliseconds, and kept computing answers for clients that had gone. A :class:`Gate`
runs at most ``workers`` answers at once (one per core: the answer step holds the GIL for
most of its time, so more threads only interleave), lets a request wait only while its
expected wait is under ``max_wait_s`` and turns it away at once otherwise (:class:`Busy`),
and drops a waiting request whose client disconnects (:class:`Abandoned`) before any work
is done for it. Plain asyncio and a thread pool, no web framework: the ASGI route
(:mod:`qa.app.ask_route`) and tests drive it alike.
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import TypeVar

from qa.app.guard import BUSY
from qa.errors import PlanQAError

T = TypeVar("T")

# Under 5 s for answer-or-busy (issue 15) with room for the answer itself and the network.
MAX_WAIT_S = 2.5
# Bounds memory and the work of a burst; at ~5 ms an answer on 2 workers, 256 clear in 0.7 s.
MAX_WAITING = 256
# First guess of one answer's wall time, replaced by measurement after a few answers.
FIRST_SERVICE_S = 0.05
EWMA_WEIGHT = 0.2


def default_workers() -> int:
    """One answer per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Busy(PlanQAError):
    """Too many waiting: the client should try again shortly (HTTP 503)."""


class Abandoned(Exception):
    """The client left before its turn came; nothing was computed for it."""


@dataclass(frozen=True)
class Limits:
    """How much a Gate admits.

    Args:
        workers: answers computed at once (threads); default one per core.
        max_waiting: requests that may wait for a worker; more are told busy at once.
        max_wait_s: longest a request may wait for a worker; one whose expected wait is
            longer is told busy at once, and one still waiting then is told busy.
        first_service_s: one answer's wall time assumed until answers have been timed.
    """

    workers: int = 0
    max_waiting: int = MAX_WAITING
    max_wait_s: float = MAX_WAIT_S
    first_service_s: float = FIRST_SERVICE_S

    def __post_init__(self) -> None:
        for name in ("workers", "max_waiting"):
            if getattr(self, name) < 0:
                raise PlanQAError(f"Limits.{name} must be at least 0, got {getattr(self, name)}")
        for name in ("max_wait_s", "first_service_s"):
            if getattr(self, name) <= 0:
                raise PlanQAError(f"Limits.{name} must be above 0, got {getattr(self, name)}")


@dataclass
class Counts:
    """What a Gate did, for the stats route and tests."""

    computed: int = 0  # answers (or refusals) the pipeline was called for
    abandoned: int = 0  # clients that left while waiting: nothing computed
    busy: int = 0  # told busy at once: the line was too long
    late: int = 0  # told busy after waiting max_wait_s
    running: int = 0
    waiting: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Gate:
    """Runs blocking work (an answer) in a small thread pool under the Limits.

    Use from one event loop (the server's); :meth:`run` is the only verb.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.workers = self.limits.workers or default_workers()
        self.counts = Counts()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="planqa-answer")
        self._free = self.workers
        self._line: list[asyncio.Future[None]] = []
        self._service_s = self.limits.first_service_s
        self._lock = threading.Lock()  # counts are read from other threads (tests, stats)

    def expected_wait(self) -> float:
        """Seconds the next request would wait: the line ahead of it, served `workers` at a time."""
        return (len(self._line) + 1) * self._service_s / self.workers if self._free == 0 else 0.0

    async def run(self, work: Callable[[], T], gone: Callable[[], Awaitable[object]]) -> T:
        """`work()` in a worker thread once one is free.

        Args:
            work: the blocking call (one answer).
            gone: returns when the client has disconnected (an ASGI `http.disconnect`).

        Raises:
            Busy: the line is full, the expected wait is over max_wait_s, or the wait ran out.
            Abandoned: the client left while waiting; `work` was not called.
        """
        if self._free > 0 and not self._line:
            self._free -= 1
        else:
            await self._wait_turn(gone)  # returns holding the worker handed over
        self._count(running=1)
        started = time.perf_counter()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._computed, work)
        finally:
            self._service_s += EWMA_WEIGHT * (time.perf_counter() - started - self._service_s)
            self._count(running=-1)
            self._hand_on()

    async def _wait_turn(self, gone: Callable[[], Awaitable[object]]) -> None:
        """Wait for a free worker (handed over by :meth:`_hand_on`), or raise Busy/Abandoned."""
        if len(self._line) >= self.limits.max_waiting or self.expected_wait() > self.limits.max_wait_s:
            self._count(busy=1)
            raise Busy(BUSY)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        self._count(waiting=1)
        left = asyncio.ensure_future(gone())
        try:
            await asyncio.wait((turn, left), timeout=self.limits.max_wait_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            left.cancel()
            self._count(waiting=-1)
        if turn.done():
            # A worker was handed over; leaving now would only waste it. If the client has
            # gone meanwhile, the answer (milliseconds) is computed and then not sent.
            return
        self._line.remove(turn)
        turn.cancel()
        if left.done() and not left.cancelled():
            self._count(abandoned=1)
            raise Abandoned
        self._count(late=1)
        raise Busy(BUSY)

    def _hand_on(self) -> None:
        """A worker is free again: give it to the first in line, else put it back."""
        while self._line:
            turn = self._line.pop(0)
            if not turn.done():
                turn.set_result(None)  # the worker passes straight to this waiter
                return
        self._free += 1

    def _computed(self, work: Callable[[], T]) -> T:
        self._count(computed=1)
        return work()

    def _count(self, **changes: int) -> None:
        with self._lock:
            for name, change in changes.items():
                setattr(self.counts, name, getattr(self.counts, name) + change)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return self.counts.as_dict()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
