"""The hand-written evaluation set: one JSON case per line, checked against the seeds.

Each line of ``eval/dataset.jsonl`` is an :class:`EvalCase`. Loading is strict:
any problem raises ``ValueError`` naming the file and the 1-based line number, so
a typo in a hand-edited case is found before an evaluation run silently scores
against it. Evidence is checked verbatim against the seed documents, the same
contract the answerer keeps for its quotes.

Run ``python -m qa.evaluation.dataset eval/dataset.jsonl --seeds seeds`` to check
a file and print its counts.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qa.errors import PlanQAError

CaseType = Literal[
    "fact",
    "number",
    "paraphrase",
    "list",
    "table",
    "comparison",
    "followup",
    "unanswerable",
    "target_status",
    "metadata",
]
Split = Literal["dev", "test"]

CASE_TYPES: tuple[str, ...] = get_args(CaseType)
SPLITS: tuple[str, ...] = ("dev", "test", "all")


class Evidence(BaseModel):
    """A verbatim span of one seed document that proves (part of) an answer."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    doc: str = Field(min_length=1, description="document id: the seed file's stem")
    text: str = Field(min_length=1, description="exact substring of that document")


class EvalCase(BaseModel):
    """One evaluation question with its acceptable answers and proving evidence.

    Attributes:
        id: unique case id, e.g. ``"xy-fact-001"``.
        question: the question as a user would type it.
        history: earlier user questions of the conversation, oldest first.
        answerable: whether the documents answer the question.
        answers: key spans that must all appear in a correct answer; empty when
            unanswerable.
        evidence: spans that prove the answer; empty when unanswerable.
        type: what the case exercises.
        split: ``"dev"`` or ``"test"``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[str]
    answerable: bool
    answers: list[str]
    evidence: list[Evidence]
    type: CaseType
    split: Split

    @model_validator(mode="after")
    def _check_consistency(self) -> EvalCase:
        """Reject cases whose fields contradict each other."""
        if self.id.strip() != self.id or not self.id.strip():
            raise ValueError("id must be non-blank without surrounding white space")
        if not self.question.strip():
            raise ValueError("question is blank")
        if any(not turn.strip() for turn in self.history):
            raise ValueError("history contains a blank question")
        if any(not answer.strip() for answer in self.answers):
            raise ValueError("answers contains a blank string")
        if self.answerable:
            if not self.answers:
                raise ValueError("answerable case has no answers")
            if not self.evidence:
                raise ValueError("answerable case has no evidence")
            if self.type == "unanswerable":
                raise ValueError("type 'unanswerable' but answerable is true")
        else:
            if self.evidence:
                raise ValueError("unanswerable case has evidence")
            if self.answers:
                raise ValueError("unanswerable case has answers")
            if self.type != "unanswerable":
                raise ValueError(f"answerable is false but type is {self.type!r}, not 'unanswerable'")
        if self.type == "followup" and not self.history:
            raise ValueError("followup case has empty history")
        return self


def _describe(error: ValidationError) -> str:
    """Turn a pydantic error into one short line: field path and reason."""
    parts: list[str] = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(p) for p in item["loc"])
        if item["type"] == "missing":
            parts.append(f"missing field {loc!r}")
        elif item["type"] == "extra_forbidden":
            parts.append(f"unknown field {loc!r}")
        elif loc:
            parts.append(f"invalid field {loc!r}: {item['msg']}")
        else:
            parts.append(item["msg"].removeprefix("Value error, "))
    return "; ".join(parts)


def parse_case(obj: object, seeds: dict[str, str]) -> EvalCase:
    """Validate one decoded JSON value as a case and check its evidence.

    Args:
        obj: the decoded JSON value of one line.
        seeds: document id -> document text.

    Returns:
        The validated case.

    Raises:
        ValueError: with a message (without file or line) saying what is wrong.
    """
    if not isinstance(obj, dict):
        raise PlanQAError(f"expected a JSON object, got {type(obj).__name__}")
    try:
        case = EvalCase.model_validate(obj)
    except ValidationError as exc:
        raise PlanQAError(_describe(exc)) from None
    for k, ev in enumerate(case.evidence):
        if ev.doc not in seeds:
            known = ", ".join(sorted(seeds)) or "none"
            raise PlanQAError(f"evidence[{k}] names unknown doc {ev.doc!r} (known: {known})")
        if ev.text not in seeds[ev.doc]:
            raise PlanQAError(
                f"evidence[{k}] text is not an exact substring of {ev.doc!r}: {ev.text[:40]!r}"
            )
    return case


def load_dataset(path: Path, seeds: dict[str, str], *, split: str = "all") -> list[EvalCase]:
    """Read and validate a JSONL evaluation file.

    Blank lines are skipped. Every other line must be one JSON object that is a
    valid :class:`EvalCase` whose evidence quotes the seeds verbatim.

    Args:
        path: the ``.jsonl`` file.
        seeds: document id -> full document text.
        split: ``"dev"``, ``"test"`` or ``"all"``; which cases to return. The
            whole file is validated whatever the split.

    Returns:
        The cases of the requested split, in file order.

    Raises:
        ValueError: for an unknown split, or for any bad line; the message then
            starts with ``"<path>:<line>: "``.
    """
    if split not in SPLITS:
        raise PlanQAError(f"unknown split {split!r}; allowed: {', '.join(SPLITS)}")
    path = Path(path)
    cases: list[EvalCase] = []
    first_line: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PlanQAError(f"{path}:{lineno}: malformed JSON: {exc.msg} (column {exc.colno})") from None
            try:
                case = parse_case(obj, seeds)
            except ValueError as exc:
                raise PlanQAError(f"{path}:{lineno}: {exc}") from None
            if case.id in first_line:
                raise PlanQAError(
                    f"{path}:{lineno}: duplicate id {case.id!r} (first on line {first_line[case.id]})"
                )
            first_line[case.id] = lineno
            cases.append(case)
    if split == "all":
        return cases
    return [case for case in cases if case.split == split]


def load_seeds(seeds_dir: Path) -> dict[str, str]:
    """Read every ``*.txt`` in a directory as document id (file stem) -> text.

    Args:
        seeds_dir: directory holding the UTF-8 seed documents.

    Returns:
        Mapping of document id to its full text.

    Raises:
        ValueError: when the directory holds no ``.txt`` files.
    """
    seeds = {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(seeds_dir).glob("*.txt"))}
    if not seeds:
        raise PlanQAError(f"{seeds_dir}: no .txt seed documents found")
    return seeds


def summarize(cases: Sequence[EvalCase]) -> str:
    """One line of counts: total, per split and per type.

    Args:
        cases: validated cases.

    Returns:
        e.g. ``"ok: 3 cases (dev 2, test 1; per type fact 2, number 1)"``.
    """
    splits = Counter(case.split for case in cases)
    types = Counter(case.type for case in cases)
    per_type = ", ".join(f"{t} {types[t]}" for t in CASE_TYPES if types[t])
    return (
        f"ok: {len(cases)} cases (dev {splits['dev']}, test {splits['test']}; "
        f"per type {per_type or 'none'})"
    )


def validate_main(argv: Sequence[str] | None = None) -> int:
    """Command line: check a dataset file against the seeds.

    Args:
        argv: arguments after the program name; ``sys.argv[1:]`` when None.

    Returns:
        0 and an ``ok:`` line on stdout when valid; 1 and the error on stderr.
    """
    parser = argparse.ArgumentParser(
        prog="python -m qa.evaluation.dataset",
        description="Validate an evaluation JSONL file against the seed documents.",
    )
    parser.add_argument("file", type=Path, help="the dataset .jsonl file")
    parser.add_argument("--seeds", type=Path, required=True, help="directory of seed .txt documents")
    args = parser.parse_args(argv)
    try:
        cases = load_dataset(args.file, load_seeds(args.seeds))
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summarize(cases))
    return 0


if __name__ == "__main__":
    raise SystemExit(validate_main())
