"""Issue 15, colliding builds: several `planqa index build` at once on one index folder."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.index.storage import current_build, load_index
from qa.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow


def test_concurrent_builds_take_turns(tmp_path: Path) -> None:
    live = Settings()
    settings = Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index")
    shutil.copytree(live.seeds_dir, settings.seeds_dir)
    shutil.copytree(live.index_dir / "cache", settings.index_dir / "cache")  # so each build embeds (almost) nothing
    command = [sys.executable, "-m", "qa", "index", "build", "--quiet",
               "--seeds", str(settings.seeds_dir), "--index", str(settings.index_dir)]
    builds = [subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]
    results = [b.communicate(timeout=600) for b in builds]
    assert [b.returncode for b in builds] == [0, 0, 0], [err for _, err in results]
    assert any("另一个构建正在进行" in err for _, err in results)
    assert load_index(settings).chunks
    assert current_build(settings.index_dir).is_dir()
    cache = settings.index_dir / "cache"
    assert not [p for p in cache.iterdir() if p.name.startswith(".")], "temp files left in the cache"
