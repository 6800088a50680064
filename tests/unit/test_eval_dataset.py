"""The hand-written evaluation set: the real file is valid, and bad files fail loudly."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from qa.evaluation.dataset import (
    CASE_TYPES,
    EvalCase,
    load_dataset,
    load_seeds,
    validate_main,
)

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "eval" / "dataset.jsonl"
SEEDS_DIR = ROOT / "seeds"


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return load_seeds(SEEDS_DIR)


@pytest.fixture(scope="module")
def cases(seeds: dict[str, str]) -> list[EvalCase]:
    return load_dataset(DATASET, seeds)


# --------------------------------------------------------------------------- real dataset


def test_real_dataset_size_and_coverage(cases: list[EvalCase], seeds: dict[str, str]) -> None:
    assert len(cases) >= 400
    types = Counter(case.type for case in cases)
    assert types["unanswerable"] >= 65
    assert types["target_status"] >= 20
    assert types["metadata"] >= 10
    assert types["table"] >= 15
    assert types["comparison"] >= 12
    assert types["followup"] >= 15
    cited = {ev.doc for case in cases for ev in case.evidence}
    assert cited == set(seeds), "every seed document is asked about"


def test_every_type_in_both_splits(cases: list[EvalCase]) -> None:
    present = {(case.type, case.split) for case in cases}
    missing = [(t, s) for t in CASE_TYPES for s in ("dev", "test") if (t, s) not in present]
    assert not missing


def test_evidence_is_verbatim_and_answers_are_quoted(cases: list[EvalCase], seeds: dict[str, str]) -> None:
    for case in cases:
        for ev in case.evidence:
            assert ev.text in seeds[ev.doc], (case.id, ev.text)
        quoted = "\n".join(ev.text for ev in case.evidence)
        for answer in case.answers:
            assert answer in quoted, (case.id, answer)


def test_case_shapes(cases: list[EvalCase]) -> None:
    assert len({case.id for case in cases}) == len(cases)
    for case in cases:
        assert case.answerable == (case.type != "unanswerable"), case.id
        if case.type == "followup":
            assert case.history, case.id
        if not case.answerable:
            assert case.answers == [] and case.evidence == [], case.id


def test_split_filter(seeds: dict[str, str], cases: list[EvalCase]) -> None:
    dev = load_dataset(DATASET, seeds, split="dev")
    test = load_dataset(DATASET, seeds, split="test")
    assert dev and test
    assert {c.split for c in dev} == {"dev"} and {c.split for c in test} == {"test"}
    assert len(dev) + len(test) == len(cases)
    with pytest.raises(ValueError, match="dev, test, all"):
        load_dataset(DATASET, seeds, split="train")


def test_validate_main_ok(capsys: pytest.CaptureFixture[str], cases: list[EvalCase]) -> None:
    assert validate_main([str(DATASET), "--seeds", str(SEEDS_DIR)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {len(cases)} cases (dev ")
    assert "per type" in out and "unanswerable" in out


# --------------------------------------------------------------------------- bad files

TINY_DOC = "咸阳市政府筹措1亿元资金，建立市信息化专项资金。"
TINY_SEEDS = {"doc-a": TINY_DOC}


def _case(**overrides: object) -> dict[str, object]:
    case: dict[str, object] = {
        "id": "c-001",
        "question": "咸阳准备拿多少钱设立专项资金？",
        "history": [],
        "answerable": True,
        "answers": ["1亿元"],
        "evidence": [{"doc": "doc-a", "text": "市政府筹措1亿元资金"}],
        "type": "paraphrase",
        "split": "dev",
    }
    case.update(overrides)
    return case


def _line(**overrides: object) -> str:
    return json.dumps(_case(**overrides), ensure_ascii=False)


def _without(field: str) -> str:
    case = _case()
    del case[field]
    return json.dumps(case, ensure_ascii=False)


GOOD = _line()
GOOD2 = _line(id="c-002")

BAD_FILES = [
    pytest.param([GOOD, "{not json"], 2, "malformed JSON", id="malformed-json"),
    pytest.param([GOOD, '["a list"]'], 2, "expected a JSON object", id="not-an-object"),
    pytest.param([_without("question")], 1, "missing field 'question'", id="missing-field"),
    pytest.param([GOOD, _without("split")], 2, "missing field 'split'", id="missing-split"),
    pytest.param([_line(type="trivia")], 1, "invalid field 'type'", id="bad-type"),
    pytest.param([_line(split="train")], 1, "invalid field 'split'", id="bad-split"),
    pytest.param([_line(answerable="yes")], 1, "invalid field 'answerable'", id="answerable-not-bool"),
    pytest.param([_line(answers="1亿元")], 1, "invalid field 'answers'", id="answers-not-list"),
    pytest.param([_line(extra=1)], 1, "unknown field 'extra'", id="unknown-field"),
    pytest.param([_line(evidence=[{"doc": "doc-a"}])], 1, "missing field 'evidence.0.text'", id="evidence-missing-text"),
    pytest.param([GOOD, "", GOOD2, _line(id="c-002")], 4, r"duplicate id 'c-002' \(first on line 3\)", id="duplicate-id"),
    pytest.param([_line(evidence=[{"doc": "doc-b", "text": "1亿元"}])], 1, "unknown doc 'doc-b'", id="unknown-doc"),
    pytest.param([GOOD, _line(id="c-002", evidence=[{"doc": "doc-a", "text": "筹措2亿元资金"}])], 2, "not an exact substring", id="evidence-not-verbatim"),
    pytest.param([_line(evidence=[{"doc": "doc-a", "text": "筹措1亿元 资金"}])], 1, "not an exact substring", id="evidence-extra-space"),
    pytest.param([_line(evidence=[])], 1, "answerable case has no evidence", id="answerable-no-evidence"),
    pytest.param([_line(answers=[])], 1, "answerable case has no answers", id="answerable-no-answers"),
    pytest.param(
        [GOOD, "", "", _line(id="c-009", answerable=False, answers=[], type="unanswerable")],
        4,
        "unanswerable case has evidence",
        id="unanswerable-with-evidence",
    ),
    pytest.param([_line(answerable=False, answers=[], evidence=[])], 1, "type is 'paraphrase'", id="unanswerable-wrong-type"),
    pytest.param([_line(type="followup")], 1, "followup case has empty history", id="followup-no-history"),
]


@pytest.mark.parametrize(("lines", "lineno", "reason"), BAD_FILES)
def test_bad_file_names_file_and_line(tmp_path: Path, lines: list[str], lineno: int, reason: str) -> None:
    path = tmp_path / "bad-cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pattern = rf"{re.escape(path.name)}:{lineno}: .*{reason}"
    with pytest.raises(ValueError, match=pattern):
        load_dataset(path, TINY_SEEDS)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    unanswerable = _line(id="c-003", answerable=False, answers=[], evidence=[], type="unanswerable", split="test")
    path.write_text(f"\n{GOOD}\n   \n{GOOD2}\n\n{unanswerable}\n", encoding="utf-8")
    cases = load_dataset(path, TINY_SEEDS)
    assert [c.id for c in cases] == ["c-001", "c-002", "c-003"]
    assert [c.id for c in load_dataset(path, TINY_SEEDS, split="test")] == ["c-003"]


def test_validate_main_reports_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds_dir = tmp_path / "seeds"
    seeds_dir.mkdir()
    (seeds_dir / "doc-a.txt").write_text(TINY_DOC, encoding="utf-8")
    path = tmp_path / "cli.jsonl"
    path.write_text(f"{GOOD}\n{GOOD}\n", encoding="utf-8")
    assert validate_main([str(path), "--seeds", str(seeds_dir)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1 and "cli.jsonl:2: duplicate id" in err_lines[0]

    path.write_text(f"{GOOD}\n", encoding="utf-8")
    assert validate_main([str(path), "--seeds", str(seeds_dir)]) == 0
    assert capsys.readouterr().out.strip() == "ok: 1 cases (dev 1, test 0; per type paraphrase 1)"
