"""`planqa eval`: run the dataset through the pipeline, score it, report, gate on a baseline.

The pipeline is built by a factory (default :func:`load_pipeline`) so tests can
inject a fake one. Scoring lives in :mod:`qa.evaluation.metrics`; this module only
runs cases, renders tables and writes the report folder:
``report.md``, ``results.jsonl``, ``metrics.json`` and ``chart.png``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from qa.errors import PlanQAError
from qa.evaluation import metrics as m
from qa.evaluation.dataset import EvalCase, load_dataset, load_seeds
from qa.schemas import AskResponse
from qa.settings import FUSION_MODES, REPO_ROOT, Settings

ABLATION = "ablation"
ABLATION_MODES = ("bm25", "dense", "hybrid", "hybrid+rescore", "bm25+rescore")
WARM_UP = "规划的主要目标是什么？"  # first call loads the encoder; keep it out of the latencies

COLUMNS = (("count", "n"), ("headline_accuracy", "headline"), ("evidence_accuracy", "evidence"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr@10", "MRR@10"),
           ("evidence_recall@5", "evR@5"), ("citation_recall", "citR"), ("citation_precision", "citP"),
           ("abstain_accuracy", "abstain"), ("false_abstain_rate", "falseAbst"), ("wrong_answer_rate", "wrong"),
           ("verbatim_rate", "verbatim"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"))
ABLATION_COLUMNS = (("headline_accuracy", "headline"), ("evidence_accuracy", "evidence"), ("hit@5", "hit@5"), ("mrr@10", "MRR@10"),
                    ("abstain_accuracy", "abstain"), ("wrong_answer_rate", "wrong"), ("latency_p50_ms", "p50 ms"))


class AskingPipeline(Protocol):
    """What the harness needs of a pipeline: ``ask`` and ``index.documents[id].text``."""

    index: Any

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None, *,
            id: str | None = None, mode: str | None = None) -> AskResponse: ...


PipelineFactory = Callable[[Settings], AskingPipeline]


class BaselineFile(BaseModel):
    """A baseline (or a ``metrics.json``): overall metrics and pass/fail per case id."""

    model_config = ConfigDict(extra="ignore")

    split: str | None = None
    mode: str | None = None
    metrics: dict[str, float | int | None]
    cases: dict[str, bool]


@dataclass(frozen=True)
class ModeRun:
    """All cases run in one retrieval mode: scores, report rows and aggregate metrics."""

    mode: str
    results: tuple[m.CaseResult, ...]
    records: tuple[dict[str, Any], ...]
    metrics: dict[str, Any]


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def load_pipeline(settings: Settings) -> AskingPipeline:
    """The real pipeline, building the index if it is missing or stale."""
    from qa.answer.pipeline import Pipeline

    pipe = Pipeline.load(settings, build_if_missing=True, log=_log)
    pipe.encoder.load_in_memory()  # hundreds of questions: the lean tokenizer, as a server holds it
    return pipe


def gold_of(case: EvalCase) -> m.Gold:
    return m.Gold(case.id, case.type, case.answerable, tuple(case.answers),
                  tuple((ev.doc, ev.text) for ev in case.evidence))


def observed_of(response: AskResponse) -> m.Observed:
    return m.Observed(
        answerable=response.answerable, answer=response.answer,
        quotes=tuple(m.Quote(c.doc_id, c.start, c.end, c.quote, c.display, c.key) for c in response.citations),
        passages=tuple(m.Span(p.doc_id, p.start, p.end) for p in response.passages),
        latency_ms=float(response.timing_ms.get("total", 0.0)),
    )


def run_mode(pipe: AskingPipeline, cases: Sequence[EvalCase], mode: str, documents: Mapping[str, str]) -> ModeRun:
    """Ask every case (question + history) in one mode and score the responses."""
    clear = getattr(getattr(pipe, "encoder", None), "clear_cache", None)
    if clear is not None:
        clear()  # each mode pays for its own query embeddings, or later modes look faster
    pipe.ask(WARM_UP, [], mode=mode)
    results: list[m.CaseResult] = []
    records: list[dict[str, Any]] = []
    for case in cases:
        try:
            response = pipe.ask(case.question, list(case.history), mode=mode)
        except ValueError as exc:
            raise PlanQAError(f"case {case.id!r} ({mode}): {exc}") from exc
        result = m.evaluate_case(gold_of(case), observed_of(response), documents)
        results.append(result)
        records.append({
            "id": case.id, "mode": mode, "type": case.type, "doc": result.doc, "question": case.question,
            "history": list(case.history), "rewritten_question": response.rewritten_question,
            "answerable_expected": case.answerable, "answerable_got": response.answerable,
            "expected_answers": list(case.answers), "answer": response.answer,
            "headline": m.headline(response.answer) if response.answerable else "",
            "evidence_correct": result.evidence_correct, "item_share": result.item_share,
            "reason": response.reason, "role": response.slots.role, "answer_type": response.slots.answer_type,
            "quotes": [{"doc_id": c.doc_id, "start": c.start, "end": c.end, "quote": c.quote} for c in response.citations],
            "hit_rank": result.hit_rank, "evidence_rank": result.evidence_rank, "correct": result.correct,
            "citation_recall": result.citation_recall, "citation_precision": result.citation_precision,
            "verbatim": result.verbatim == result.citations, "latency_ms": result.latency_ms,
        })
    return ModeRun(mode, tuple(results), tuple(records), m.aggregate(results))


def _cell(value: object, key: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"
    return str(value)


def format_table(title: str, rows: Mapping[str, Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A Markdown table (readable in a terminal too): one row per key of ``rows``."""
    header = [title, *(label for _, label in columns)]
    body = [[name, *(_cell(values.get(key), key) for key, _ in columns)] for name, values in rows.items()]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *body]
    return "\n".join("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |" for cells in lines)


def tables(run: ModeRun, ablation: Sequence[ModeRun]) -> str:
    parts = [format_table(f"overall ({run.mode})", {"all": run.metrics["overall"]}, COLUMNS),
             format_table("type", run.metrics["by_type"], COLUMNS),
             format_table("document", run.metrics["by_doc"], COLUMNS)]
    if ablation:
        parts.append(format_table("mode", {r.mode: r.metrics["overall"] for r in ablation}, ABLATION_COLUMNS))
    return "\n\n".join(parts)


def git_commit() -> str:
    """Short commit hash of the working tree, or ``"unknown"`` outside git."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def summary_json(run: ModeRun, split: str) -> dict[str, Any]:
    """Metrics plus the per-case pass map: the shape of both metrics.json and a baseline."""
    return {"split": split, "mode": run.mode, "commit": git_commit(), "metrics": run.metrics["overall"],
            "by_type": run.metrics["by_type"], "by_doc": run.metrics["by_doc"],
            "cases": {r.id: r.correct for r in run.results}}


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_baseline(path: Path) -> BaselineFile:
    """Read a baseline file; ``ValueError`` naming the file when missing or malformed."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanQAError(f"baseline file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanQAError(f"baseline file {path} is not readable JSON: {exc}") from None
    try:
        return BaselineFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors(include_url=False)[:3])
        raise PlanQAError(f"baseline file {path} is malformed ({problems}); expected keys 'metrics' and 'cases'") from None


def gate(run: ModeRun, baseline: BaselineFile, split: str) -> tuple[bool, str]:
    """Compare with the baseline. Returns (any failing regression, readable lines)."""
    lines: list[str] = []
    if baseline.split not in (None, split) or baseline.mode not in (None, run.mode):
        lines.append(f"warning: baseline is split {baseline.split} / mode {baseline.mode}, this run {split} / {run.mode}")
    regressions = m.compare(run.metrics["overall"], baseline.metrics)
    for r in regressions:
        label = "REGRESSION" if r.severity == "fail" else "warning"
        lines.append(f"{label}: {r.metric} {_cell(r.baseline, r.metric)} -> {_cell(r.current, r.metric)} (tolerance {r.tolerance})")
    changed = m.changed_cases({r.id: r.correct for r in run.results}, baseline.cases)
    lines.append(f"newly failing ({len(changed.newly_failing)}): {', '.join(changed.newly_failing) or '–'}")
    lines.append(f"newly passing ({len(changed.newly_passing)}): {', '.join(changed.newly_passing) or '–'}")
    failed = any(r.severity == "fail" for r in regressions)
    lines.append("baseline gate: FAIL" if failed else "baseline gate: ok")
    return failed, "\n".join(lines)


def _failures(run: ModeRun, n: int = 10) -> str:
    by_id = {rec["id"]: rec for rec in run.records}
    blocks = []
    for k, r in enumerate(m.worst_failures(run.results, n), start=1):
        rec = by_id[r.id]
        expected = " / ".join(rec["expected_answers"]) if r.answerable_expected else "（拒答）"
        got = rec["answer"].replace("\n", " ")[:200] if r.answerable_got else f"（拒答）{rec['answer'][:120]}"
        blocks.append(f"{k}. **{r.id}** ({r.type}, hit rank {r.hit_rank or '–'})\n"
                      f"   - question: {rec['question']}\n   - expected: {expected}\n   - got: {got}")
    return "\n".join(blocks) or "none"


def write_chart(path: Path, run: ModeRun, ablation: Sequence[ModeRun]) -> None:
    """Per-type accuracy bars, and grouped ablation bars when modes were compared."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2 if ablation else 1, figsize=(13 if ablation else 7, 4.5), squeeze=False)
    types = list(run.metrics["by_type"])
    values = [run.metrics["by_type"][t]["headline_accuracy"] or 0.0 for t in types]
    axes[0][0].bar(types, values, color="#4c72b0")
    axes[0][0].set(title=f"headline accuracy per type ({run.mode})", ylim=(0, 1))
    axes[0][0].tick_params(axis="x", rotation=30)
    if ablation:
        ax = axes[0][1]
        keys = [key for key, _ in ABLATION_COLUMNS if not key.startswith("latency")]
        width = 0.8 / len(ablation)
        for i, r in enumerate(ablation):
            xs = [j + i * width for j in range(len(keys))]
            ax.bar(xs, [r.metrics["overall"][key] or 0.0 for key in keys], width, label=r.mode)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(keys))], keys)
        ax.set(title="ablation", ylim=(0, 1))
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, run: ModeRun, ablation: Sequence[ModeRun], split: str, dataset: Path,
                 gate_text: str | None) -> None:
    """Write report.md, results.jsonl, metrics.json and chart.png into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    runs = [run, *(r for r in ablation if r.mode != run.mode)]
    with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
        for r in runs:
            for rec in r.records:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    summary = summary_json(run, split)
    summary["dataset"] = str(dataset)
    if ablation:
        summary["ablation"] = {r.mode: r.metrics["overall"] for r in ablation}
    write_json(out / "metrics.json", summary)
    write_chart(out / "chart.png", run, ablation)
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = [(f"# PlanQA evaluation\n\n- date: {date}\n- commit: {summary['commit']}\n- dataset: {dataset}\n"
              f"- split: {split}\n- mode: {run.mode}\n\n## Metrics"), tables(run, ablation), "![chart](chart.png)"]
    if gate_text:
        report.append(f"## Baseline\n\n```\n{gate_text}\n```")
    report.append(f"## Worst failures\n\n{_failures(run)}")
    (out / "report.md").write_text("\n\n".join(report) + "\n", encoding="utf-8")


def main(args: argparse.Namespace, settings: Settings, *, factory: PipelineFactory | None = None) -> int:
    """Run the evaluation described by the ``planqa eval`` arguments.

    Args:
        args: ``dataset``, ``split``, ``mode`` (a mode, ``"ablation"`` or None for
            ``settings.mode``), ``out``, ``baseline`` and ``write_baseline``.
        settings: pipeline settings; ``seeds_dir`` validates the dataset.
        factory: builds the pipeline; :func:`load_pipeline` when None.

    Returns:
        1 when a metric regressed beyond tolerance against ``--baseline``, else 0.

    Raises:
        ValueError: malformed dataset or baseline, unknown mode.
    """
    if args.mode not in (None, ABLATION, *FUSION_MODES):
        raise PlanQAError(f"Unknown mode {args.mode!r}. Supported modes: {[*FUSION_MODES, ABLATION]}")
    dataset = Path(args.dataset)
    if not dataset.is_file():
        raise PlanQAError(f"dataset file {dataset} does not exist")
    cases = load_dataset(dataset, load_seeds(settings.seeds_dir), split=args.split)
    if not cases:
        raise PlanQAError(f"{dataset}: no cases in split {args.split!r}")
    baseline = read_baseline(Path(args.baseline)) if args.baseline else None
    primary = settings.mode if args.mode in (None, ABLATION) else args.mode
    modes = ABLATION_MODES if args.mode == ABLATION else (primary,)
    pipe = (factory or load_pipeline)(settings)
    documents = {doc_id: doc.text for doc_id, doc in pipe.index.documents.items()}
    runs = {}
    for mode in modes:
        _log(f"eval: {len(cases)} {args.split} cases, mode {mode}")
        runs[mode] = run_mode(pipe, cases, mode, documents)
    if primary not in runs:
        runs[primary] = run_mode(pipe, cases, primary, documents)
    run = runs[primary]
    ablation = [runs[mode] for mode in modes] if args.mode == ABLATION else []
    failed, gate_text = gate(run, baseline, args.split) if baseline else (False, None)
    print(tables(run, ablation))
    if gate_text:
        print(f"\n{gate_text}")
    out = Path(args.out)
    write_report(out, run, ablation, args.split, dataset, gate_text)
    print(f"\nreport: {out / 'report.md'}")
    if args.write_baseline:
        write_json(Path(args.write_baseline), summary_json(run, args.split))
        print(f"baseline written: {args.write_baseline}")
    return 1 if failed else 0
