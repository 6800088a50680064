"""qa.app.admission.Gate: a few at once, a bounded line, busy at once or at the wait limit, nothing for a client who left.

The worker is held by a threading.Event, so each case is decided by the order of events,
not by how fast this machine is.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import pytest

from qa.app.admission import Abandoned, Busy, Gate, Limits
from qa.errors import PlanQAError


def _never() -> Callable[[], Awaitable[None]]:
    async def gone() -> None:
        await asyncio.Event().wait()

    return gone


class Work:
    """Blocking work that counts its calls; the first call waits for `release`."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def __call__(self, name: str) -> Callable[[], str]:
        def run() -> str:
            self.calls.append(name)
            self.started.set()
            self.release.wait(30)
            return name

        return run


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)


def test_work_runs_and_is_counted() -> None:
    gate = Gate(Limits(workers=2))
    work = Work()
    work.release.set()

    async def main() -> list[str]:
        return await asyncio.gather(*(gate.run(work(f"q{i}"), _never()) for i in range(5)))

    assert asyncio.run(main()) == [f"q{i}" for i in range(5)]
    assert gate.snapshot() == {"computed": 5, "abandoned": 0, "busy": 0, "late": 0, "running": 0, "waiting": 0}


def test_a_full_line_is_told_busy_at_once() -> None:
    gate = Gate(Limits(workers=1, max_waiting=2, max_wait_s=30))
    work = Work()

    async def main() -> None:
        first = asyncio.ensure_future(gate.run(work("first"), _never()))
        await _until(work.started.is_set)
        waiting = [asyncio.ensure_future(gate.run(work(f"w{i}"), _never())) for i in range(2)]
        await _until(lambda: gate.counts.waiting == 2)
        with pytest.raises(Busy, match="系统繁忙"):
            await gate.run(work("one too many"), _never())
        work.release.set()
        assert await first == "first" and [await w for w in waiting] == ["w0", "w1"]  # first come, first served

    asyncio.run(main())
    assert work.calls == ["first", "w0", "w1"]
    assert gate.counts.busy == 1 and gate.counts.computed == 3


def test_a_wait_past_the_limit_is_busy_and_computes_nothing() -> None:
    gate = Gate(Limits(workers=1, max_wait_s=0.05))
    work = Work()

    async def main() -> None:
        first = asyncio.ensure_future(gate.run(work("first"), _never()))
        await _until(work.started.is_set)
        with pytest.raises(Busy):
            await gate.run(work("late"), _never())
        work.release.set()
        await first

    asyncio.run(main())
    assert work.calls == ["first"] and gate.counts.late == 1


def test_a_client_that_leaves_while_waiting_is_not_answered() -> None:
    gate = Gate(Limits(workers=1, max_wait_s=30))
    work = Work()
    left = asyncio.Event()

    async def gone() -> None:
        await left.wait()

    async def main() -> None:
        first = asyncio.ensure_future(gate.run(work("first"), _never()))
        await _until(work.started.is_set)
        leavers = [asyncio.ensure_future(gate.run(work(f"left{i}"), gone)) for i in range(10)]
        stays = asyncio.ensure_future(gate.run(work("stays"), _never()))
        await _until(lambda: gate.counts.waiting == 11)
        left.set()
        for leaver in leavers:
            with pytest.raises(Abandoned):
                await leaver
        work.release.set()
        assert await first == "first" and await stays == "stays"

    asyncio.run(main())
    assert work.calls == ["first", "stays"]
    assert gate.snapshot()["abandoned"] == 10 and gate.snapshot()["computed"] == 2


def test_an_expected_wait_over_the_limit_is_busy_at_once() -> None:
    gate = Gate(Limits(workers=1, max_wait_s=1.0, first_service_s=0.6))
    work = Work()

    async def main() -> None:
        first = asyncio.ensure_future(gate.run(work("first"), _never()))
        await _until(work.started.is_set)
        second = asyncio.ensure_future(gate.run(work("second"), _never()))  # expected wait 0.6 s: admitted
        await _until(lambda: gate.counts.waiting == 1)
        with pytest.raises(Busy):  # expected wait 1.2 s: refused without waiting
            await gate.run(work("third"), _never())
        work.release.set()
        await first, await second

    asyncio.run(main())
    assert gate.counts.busy == 1 and gate.counts.late == 0


def test_failing_work_frees_its_worker() -> None:
    gate = Gate(Limits(workers=1))

    def boom() -> str:
        raise RuntimeError("bug")

    async def main() -> str:
        with pytest.raises(RuntimeError):
            await gate.run(boom, _never())
        return await gate.run(lambda: "after", _never())

    assert asyncio.run(main()) == "after"


@pytest.mark.parametrize(
    ("limits", "match"),
    [({"workers": -1}, "workers"), ({"max_waiting": -1}, "max_waiting"), ({"max_wait_s": 0}, "max_wait_s"),
     ({"first_service_s": 0}, "first_service_s")],
)
def test_bad_limits_name_the_setting(limits: dict[str, float], match: str) -> None:
    with pytest.raises(PlanQAError, match=match):
        Limits(**limits)  # type: ignore[arg-type]
