"""Issue 15: jieba's dictionary cache lives in the index folder, not in world-writable /tmp."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qa.settings import REPO_ROOT


def test_jieba_cache_goes_to_the_index_folder(tmp_path: Path) -> None:
    probe = tmp_path / "tmpdir"
    probe.mkdir()
    code = (
        "from pathlib import Path; import sys; from qa.index import segment; "
        "segment.use_cache_dir(Path(sys.argv[1])); print(segment.tokenize('宽带用户目标'))"
    )
    env = {"PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(probe), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "index" / "jieba")],
                            check=False, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "index" / "jieba").glob("jieba*.cache"))
    assert not list(probe.iterdir()), "nothing written to TMPDIR"
