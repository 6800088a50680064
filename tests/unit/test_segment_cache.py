"""jieba's dictionary cache and our lexicon live in the index folder, not in world-writable /tmp
(issue 15), and a process that starts from the lexicon segments exactly as jieba's own start (issue 16)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qa.settings import REPO_ROOT

# Every entry point of qa.index.segment, on the evaluation questions and a slice of each seed.
PROBE = """
import json, sys
from pathlib import Path
from qa.index import segment
segment.use_cache_dir(Path(sys.argv[1]))
if sys.argv[2] == "in-memory":
    segment.load_in_memory()
segment.add_words(["绵阳", "渭南"])
texts = [json.loads(line)["question"] for line in open(sys.argv[3], encoding="utf-8")]
texts += [p.read_text(encoding="utf-8")[:4000] for p in sorted(Path(sys.argv[4]).glob("*.txt"))]
out = [[segment.tokenize(t), segment.words(t), segment.place_words(t), segment.content_words(t)] for t in texts]
print(json.dumps({"kind": type(segment._get_tokenizer().FREQ).__name__, "out": out}, ensure_ascii=False))
"""


def _run(tmp_path: Path, mode: str) -> dict:
    probe = tmp_path / "tmpdir"
    probe.mkdir(exist_ok=True)
    env = {"PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(probe), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "index" / "jieba"), mode,
                             str(REPO_ROOT / "eval" / "dataset.jsonl"), str(REPO_ROOT / "seeds")],
                            check=False, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not list(probe.iterdir()), "nothing written to TMPDIR"
    return json.loads(result.stdout)


def test_cache_and_lexicon_go_to_the_index_folder_and_segment_alike(tmp_path: Path) -> None:
    first = _run(tmp_path, "lazy")  # no lexicon yet: jieba's own start, then the lexicon is written
    folder = tmp_path / "index" / "jieba"
    assert first["kind"] == "dict"
    assert list(folder.glob("jieba*.cache"))
    assert [p.name for p in folder.glob("lexicon-*/manifest.json")] == ["manifest.json"]
    second = _run(tmp_path, "lazy")  # from the memory-mapped lexicon
    assert second["kind"] == "Overlay"
    assert second["out"] == first["out"]
    third = _run(tmp_path, "in-memory")  # the lexicon copied into plain dicts
    assert third["kind"] == "dict"
    assert third["out"] == first["out"]
