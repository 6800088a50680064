"""Old index generations: the last `keep_builds` stay, and so does any build a process is reading (issue 15)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.errors import PlanQAError
from qa.index.build import remove_old_builds
from qa.index.lock import hold_for_reading, release
from qa.settings import Settings

NAMES = [f"2026010{day}-000000-1-{day}a" for day in range(1, 7)]


def _builds(folder: Path, *extra: str) -> Path:
    for name in (*NAMES, *extra):
        (folder / name).mkdir()
    return folder


@pytest.mark.parametrize("keep_last", [1, 2, 3, 6, 10])
def test_the_newest_builds_are_kept(tmp_path: Path, keep_last: int) -> None:
    remove_old_builds(_builds(tmp_path), keep=NAMES[-1], keep_last=keep_last)
    assert sorted(os.listdir(tmp_path)) == NAMES[-keep_last:]


def test_the_current_build_counts_even_when_it_is_not_the_newest(tmp_path: Path) -> None:
    # CURRENT names an older build (a slower builder switched last): it stays, with the newest others.
    remove_old_builds(_builds(tmp_path), keep=NAMES[1], keep_last=3)
    assert sorted(os.listdir(tmp_path)) == [NAMES[1], NAMES[4], NAMES[5]]


def test_damaged_or_stale_builds_are_not_among_the_kept(tmp_path: Path) -> None:
    bad = {NAMES[-2]}
    remove_old_builds(_builds(tmp_path), keep=NAMES[-1], keep_last=3, usable=lambda b: b.name not in bad)
    assert sorted(os.listdir(tmp_path)) == [NAMES[-4], NAMES[-3], NAMES[-1]]


def test_a_folder_without_a_readable_manifest_is_not_servable(tmp_path: Path) -> None:
    from qa.index.build import _servable

    (tmp_path / NAMES[0]).mkdir()
    assert not _servable(Settings(index_dir=tmp_path), tmp_path / NAMES[0])


def test_a_build_being_read_outlives_the_count(tmp_path: Path) -> None:
    _builds(tmp_path)
    hold = hold_for_reading(tmp_path / NAMES[0])
    try:
        remove_old_builds(tmp_path, keep=NAMES[-1], keep_last=2)
        assert sorted(os.listdir(tmp_path)) == [NAMES[0], *NAMES[-2:]]
    finally:
        release(hold)
    remove_old_builds(tmp_path, keep=NAMES[-1], keep_last=2)
    assert sorted(os.listdir(tmp_path)) == NAMES[-2:]


def test_a_dead_builders_temp_folder_is_removed_and_not_counted(tmp_path: Path) -> None:
    dead = ".tmp-20260109-000000-999999999-ff"  # no such pid
    remove_old_builds(_builds(tmp_path, dead), keep=NAMES[-1], keep_last=2)
    assert sorted(os.listdir(tmp_path)) == NAMES[-2:]


def test_keep_builds_is_a_setting_that_changes_no_index() -> None:
    assert Settings().keep_builds == 3
    assert Settings(keep_builds=5).fingerprint_hash() == Settings().fingerprint_hash()
    with pytest.raises(PlanQAError, match="keep_builds must be at least 1"):
        Settings(keep_builds=0)


def test_a_build_passes_its_setting_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.index import build as build_module

    seen: list[int] = []
    monkeypatch.setattr(build_module, "remove_old_builds", lambda builds, keep, keep_last, usable: seen.append(keep_last))
    settings = Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index", keep_builds=4)
    settings.seeds_dir.mkdir()
    build_module._write(settings, [], [], [], [], *_empty_vectors(), vocab=([], _empty_vectors()[0]), extra={})
    assert seen == [4]


def _empty_vectors() -> tuple:
    import numpy as np

    return np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32)
