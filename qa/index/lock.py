"""One builder at a time per index folder: an exclusive `fcntl` lock on `<index>/.build.lock`.

Six concurrent `index build` runs used to collide (issue 15); now the second one says
so and waits. The kernel drops the lock when its holder dies, so a killed build never
leaves the folder locked.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".build.lock"
BUSY = "另一个构建正在进行，等待它完成…"


@contextmanager
def build_lock(index_dir: Path, log: Callable[[str], None] = print, wait: bool = True) -> Iterator[None]:
    """Hold the index folder's build lock for the duration of the block.

    Raises:
        BlockingIOError: another build holds the lock and `wait` is False.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            log(BUSY)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def hold_for_reading(build: Path) -> int:
    """A shared lock on a build folder, held while this process may read it (the fd stays
    open for the process's life); `remove_old_builds` skips a folder so held."""
    fd = os.open(build, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def release(fd: int) -> None:
    os.close(fd)


def being_read(build: Path) -> bool:
    """Whether some process holds `build` for reading (test-and-release of an exclusive lock)."""
    try:
        fd = os.open(build, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
