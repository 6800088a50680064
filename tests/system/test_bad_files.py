"""Bad seed documents and bad evaluation files: a clear message naming the file, the rest goes on."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.index.storage import load_index
from qa.ingest import documents
from qa.ingest.documents import load_documents
from qa.settings import REPO_ROOT, Settings

GOOD = "xianyang-2007-informatization-review.txt"


def bad_seeds(folder: Path, huge_bytes: int) -> dict[str, str]:
    """Write one file per fault into folder; returns file name -> the reason its message must give."""
    folder.mkdir(parents=True, exist_ok=True)
    # GBK is read since issue 14 (see test_gbk_seed_is_read); bytes no allowed encoding reads are refused.
    (folder / "undecodable.txt").write_bytes(b"\xa2" * 3000)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\u3000\n", encoding="utf-8")
    (folder / "nul.txt").write_bytes("标题\n正文\x00".encode())
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(huge_bytes)  # sparse: the size is refused before anything is read
    (folder / "folder.txt").mkdir()
    return {"undecodable.txt": "not readable Chinese", "empty.txt": "empty", "blank.txt": "empty", "nul.txt": "NUL",
            "huge.txt": "the limit is", "folder.txt": "cannot read"}


def test_bad_documents_are_named_and_others_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_DOC_BYTES", 20_000)  # above the good seed (7.6 kB)
    reasons = bad_seeds(tmp_path, 20_001)
    shutil.copy(Settings().seeds_dir / GOOD, tmp_path / GOOD)
    (tmp_path / "with-bom.txt").write_bytes("\ufeff宝鸡市规划\n正文。".encode())
    (tmp_path / "notes.md").write_text("not a seed", encoding="utf-8")
    (tmp_path / "a b.txt").write_text("标题\n正文。", encoding="utf-8")
    (tmp_path / "a-b.txt").write_text("标题\n正文。", encoding="utf-8")  # same id as "a b.txt"
    docs, problems = load_documents(tmp_path)
    assert sorted(d.doc_id for d in docs) == ["a-b", "with-bom", GOOD.removesuffix(".txt")]
    assert next(d for d in docs if d.doc_id == "with-bom").text.startswith("宝鸡")
    messages = {Path(p.path).name: p.message for p in problems}
    assert messages.pop("a-b.txt").endswith("duplicate document id 'a-b'")
    assert sorted(messages) == sorted(reasons)
    for name, reason in reasons.items():
        assert messages[name].startswith(str(tmp_path / name)) and reason in messages[name]


def test_gbk_seed_is_read(tmp_path: Path) -> None:
    (tmp_path / "gbk.txt").write_bytes("咸阳市信息化规划\n正文。".encode("gbk"))
    [doc], problems = load_documents(tmp_path)
    assert not problems and doc.text.startswith("咸阳市信息化规划") and doc.encoding == "gb18030"


def test_folder_without_usable_documents_is_an_error(tmp_path: Path) -> None:
    bad_seeds(tmp_path / "seeds", documents.MAX_DOC_BYTES + 1)
    with pytest.raises(ValueError, match=r"no usable documents in .*seeds: .*undecodable\.txt: decoded as \S+ \(the best guess\)"):
        load_documents(tmp_path / "seeds")
    with pytest.raises(ValueError, match="does not exist"):
        load_documents(tmp_path / "nowhere")


def _planqa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, check=False)


def _ours(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("planqa:", "skipped:"))]


@pytest.mark.slow
def test_cli_index_build_skips_bad_seeds(tmp_path: Path, pipe: object) -> None:
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    reasons = bad_seeds(seeds, documents.MAX_DOC_BYTES + 1)
    shutil.copy(Settings().seeds_dir / GOOD, seeds / GOOD)
    shutil.copytree(Settings().index_dir / "cache", index / "cache")  # the good seed embeds from the cache
    result = _planqa("index", "build", "--quiet", "--seeds", str(seeds), "--index", str(index))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    skipped = [line for line in _ours(result.stderr) if line.startswith("skipped: ")]
    assert len(skipped) == len(reasons)
    for name, reason in reasons.items():
        assert any(str(seeds / name) in line and reason in line for line in skipped), name
    assert result.stdout.startswith("index ready: ")
    loaded = load_index(Settings(seeds_dir=seeds, index_dir=index))
    assert list(loaded.documents) == [GOOD.removesuffix(".txt")]
    assert [p["path"] for p in loaded.manifest["skipped"]] == [str(seeds / n) for n in sorted(reasons)]

    strict = _planqa("index", "build", "--quiet", "--strict", "--seeds", str(seeds), "--index", str(index))
    assert strict.returncode == 1 and strict.stdout.startswith("index ready: ")


def test_cli_index_build_with_no_usable_seed_fails_in_one_line(tmp_path: Path) -> None:
    bad_seeds(tmp_path / "seeds", documents.MAX_DOC_BYTES + 1)
    for seeds in (tmp_path / "seeds", tmp_path / "nowhere"):
        result = _planqa("index", "build", "--quiet", "--seeds", str(seeds), "--index", str(tmp_path / "index"))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        [line] = _ours(result.stderr)
        assert line.startswith("planqa: error: ") and str(seeds) in line
    assert not (tmp_path / "index").exists()


EVAL_CASE = {"id": "c-001", "question": "咸阳建成了多少个村级信息服务站？", "history": [], "answerable": True,
             "answers": ["信息服务站"], "evidence": [{"doc": GOOD.removesuffix(".txt"), "text": "信息服务站"}],
             "type": "number", "split": "dev"}


@pytest.mark.parametrize(("line", "reason"), [
    pytest.param('{"id": "c-002", "question": ', "malformed JSON", id="malformed-json"),
    pytest.param(json.dumps({k: v for k, v in EVAL_CASE.items() if k != "answers"} | {"id": "c-002"}),
                 "missing field 'answers'", id="missing-field"),
    pytest.param(json.dumps(EVAL_CASE | {"id": "c-002", "evidence": [{"doc": GOOD.removesuffix(".txt"), "text": "不在文中的话"}]},
                            ensure_ascii=False), "not an exact substring", id="evidence-not-in-documents"),
])
def test_cli_eval_with_bad_dataset_fails_in_one_line(tmp_path: Path, line: str, reason: str) -> None:
    pytest.importorskip("qa.evaluation.harness")
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text(json.dumps(EVAL_CASE, ensure_ascii=False) + "\n\n" + line + "\n", encoding="utf-8")
    result = _planqa("eval", "--dataset", str(dataset), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    [error] = _ours(result.stderr)
    assert error.startswith(f"planqa: error: {dataset}:3: ") and reason in error
    assert not (tmp_path / "out").exists()
