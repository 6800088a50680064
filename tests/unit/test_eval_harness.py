"""The evaluation harness end to end on a 3-case dataset with a fake pipeline."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.evaluation import harness
from qa.schemas import AskResponse, CitationOut, PassageOut
from qa.settings import Settings

DOC_ID = "plan"
DOC = "一、目标\n到2015年，全市宽带用户达到95万户，投资30,000万元。\n领导小组办公室设在市工信委。\n"
CASES = [
    {"id": "t-number-001", "question": "宽带用户目标是多少？", "history": [], "answerable": True,
     "answers": ["95万户"], "evidence": [{"doc": DOC_ID, "text": "全市宽带用户达到95万户"}], "type": "number", "split": "dev"},
    {"id": "t-fact-001", "question": "办公室设在哪里？", "history": ["宽带用户目标是多少？"], "answerable": True,
     "answers": ["市工信委"], "evidence": [{"doc": DOC_ID, "text": "领导小组办公室设在市工信委"}], "type": "fact", "split": "dev"},
    {"id": "t-unanswerable-001", "question": "北京的目标是什么？", "history": [], "answerable": False,
     "answers": [], "evidence": [], "type": "unanswerable", "split": "dev"},
]


def span(text: str) -> tuple[int, int]:
    start = DOC.index(text)
    return start, start + len(text)


class FakePipeline:
    """Answers from a script; ``good=False`` refuses everything. Records the modes asked."""

    def __init__(self, good: bool = True) -> None:
        self.good = good
        self.index = SimpleNamespace(documents={DOC_ID: SimpleNamespace(text=DOC)})
        self.calls: list[tuple[str, tuple[str, ...], str | None]] = []

    def ask(self, question, history=None, doc=None, *, id=None, mode=None) -> AskResponse:
        self.calls.append((question, tuple(history or []), mode))
        case = next((c for c in CASES if c["question"] == question), None)
        passages = [PassageOut(doc_id=DOC_ID, chunk_id=f"c{k}", section="", start=s, end=e, text=DOC[s:e], score=1.0 / (k + 1))
                    for k, (s, e) in enumerate([(0, 5), (5, len(DOC))])]
        if not self.good or case is None or not case["answerable"]:
            return AskResponse(question=question, rewritten_question=question, answerable=False,
                               answer="文档中没有找到相关内容。", passages=passages, timing_ms={"total": 5.0})
        start, end = span(case["evidence"][0]["text"])
        cite = CitationOut(n=1, doc_id=DOC_ID, title="规划", section="", start=start, end=end, quote=DOC[start:end])
        return AskResponse(question=question, rewritten_question=question, answerable=True, answer=f"“{cite.quote}” [1]",
                           citations=[cite], passages=passages, timing_ms={"total": 12.0})


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Settings, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / f"{DOC_ID}.txt").write_text(DOC, encoding="utf-8")
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES), encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "index", model_dir=tmp_path / "model")
    return settings, dataset


def args(dataset: Path, out: Path, **changes: object) -> argparse.Namespace:
    values = {"dataset": str(dataset), "split": "dev", "mode": None, "out": str(out), "baseline": None, "write_baseline": None}
    return argparse.Namespace(**{**values, **changes})


def test_report_folder_and_baseline_gate(setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, dataset = setup
    baseline = tmp_path / "baseline.json"
    good = FakePipeline()
    assert harness.main(args(dataset, tmp_path / "r1", write_baseline=str(baseline)), settings, factory=lambda s: good) == 0
    for name in ("report.md", "results.jsonl", "metrics.json", "chart.png"):
        assert (tmp_path / "r1" / name).stat().st_size > 0
    assert ("办公室设在哪里？", ("宽带用户目标是多少？",), "bm25+rescore") in good.calls
    rows = [json.loads(line) for line in (tmp_path / "r1" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [c["id"] for c in CASES]
    assert all(r["correct"] and r["verbatim"] for r in rows)
    assert rows[0]["hit_rank"] == 2 and rows[0]["quotes"][0]["quote"] == "全市宽带用户达到95万户"
    saved = json.loads(baseline.read_text(encoding="utf-8"))
    assert saved["cases"] == {c["id"]: True for c in CASES}
    assert saved["metrics"]["headline_accuracy"] == 1.0
    assert "全市宽带用户达到95万户" in (tmp_path / "r1" / "results.jsonl").read_text(encoding="utf-8")  # not \u-escaped
    assert "# PlanQA evaluation" in (tmp_path / "r1" / "report.md").read_text(encoding="utf-8")
    capsys.readouterr()

    same = harness.main(args(dataset, tmp_path / "r2", baseline=str(baseline)), settings, factory=lambda s: FakePipeline())
    assert same == 0
    assert "baseline gate: ok" in capsys.readouterr().out

    worse = harness.main(args(dataset, tmp_path / "r3", baseline=str(baseline)), settings, factory=lambda s: FakePipeline(good=False))
    assert worse == 1
    out = capsys.readouterr().out
    assert "REGRESSION: headline_accuracy 1.000 -> 0.333" in out
    assert "newly failing (2): t-fact-001, t-number-001" in out
    assert "Baseline" in (tmp_path / "r3" / "report.md").read_text(encoding="utf-8")


def test_ablation_runs_every_mode_with_the_default_loader(setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, dataset = setup
    fake = FakePipeline()
    monkeypatch.setattr(harness, "load_pipeline", lambda s: fake)
    assert harness.main(args(dataset, tmp_path / "ab", mode="ablation"), settings) == 0
    assert {mode for _, _, mode in fake.calls} == set(harness.ABLATION_MODES)
    metrics = json.loads((tmp_path / "ab" / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["ablation"]) == sorted(harness.ABLATION_MODES)
    assert metrics["mode"] == settings.mode
    rows = (tmp_path / "ab" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(CASES) * len(harness.ABLATION_MODES)


def never(settings: Settings) -> FakePipeline:
    raise AssertionError("bad input must fail before the pipeline loads")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file .*bad.json does not exist"),
        ("{not json", "baseline file .*bad.json is not readable JSON"),
        ('{"metrics": {"headline_accuracy": 1.0}}', "baseline file .*bad.json is malformed .*cases"),
        ('{"metrics": {"headline_accuracy": "high"}, "cases": {}}', "baseline file .*bad.json is malformed"),
        ("[1, 2]", "baseline file .*bad.json is malformed"),
    ],
)
def test_malformed_baseline_names_the_file(setup, tmp_path: Path, content: str | None, message: str) -> None:
    settings, dataset = setup
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        harness.main(args(dataset, tmp_path / "out", baseline=str(bad)), settings, factory=never)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{oops", r"dataset\.jsonl:4: malformed JSON"),
        (json.dumps({**CASES[0], "id": "t-x", "evidence": [{"doc": DOC_ID, "text": "不在文中"}]}), r"dataset\.jsonl:4: evidence\[0\]"),
        (json.dumps({**CASES[0], "type": "riddle"}), r"dataset\.jsonl:4: invalid field 'type'"),
    ],
)
def test_malformed_dataset_is_a_value_error(setup, tmp_path: Path, line: str, message: str) -> None:
    settings, dataset = setup
    dataset.write_text(dataset.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        harness.main(args(dataset, tmp_path / "out"), settings, factory=never)


def test_unknown_mode_and_missing_dataset(setup, tmp_path: Path) -> None:
    settings, dataset = setup
    with pytest.raises(ValueError, match="Unknown mode 'bm26'"):
        harness.main(args(dataset, tmp_path / "out", mode="bm26"), settings, factory=never)
    with pytest.raises(ValueError, match="dataset file .*nope.jsonl does not exist"):
        harness.main(args(tmp_path / "nope.jsonl", tmp_path / "out"), settings, factory=never)
