"""`planqa export` and `planqa feedback export`: the drafting commands, registered by qa.app.cli."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from qa.errors import PlanQAError
from qa.schemas import AskRequest
from qa.settings import Settings

SettingsOf = Callable[[argparse.Namespace], Settings]


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Ask every question of a JSONL file and write the conversation as DOCX or Markdown."""
    from qa.answer.pipeline import Pipeline, QuestionError
    from qa.app.conversation import new_turn
    from qa.app.export import write_export

    source = Path(args.questions)
    if not source.is_file():
        raise PlanQAError(f"questions file {source} does not exist; give a JSONL file with one {{\"question\": ...}} per line")
    out = Path(args.out)
    pipeline = Pipeline.load(settings, build_if_missing=True, log=_log)
    turns, failures, asked = [], 0, []
    with open(source, "rb") as handle:
        for number, data in enumerate(handle, start=1):
            try:
                line = data.decode("utf-8")
                if not line.strip():
                    continue
                request = AskRequest.model_validate(json.loads(line))
                history = [*asked] if args.conversation else request.history
                response = pipeline.ask(request.question, history or None, request.doc)
            except (UnicodeDecodeError, json.JSONDecodeError, ValidationError, QuestionError) as exc:
                failures += 1
                _log(f"planqa: {source}:{number}: {str(exc).splitlines()[0]}")
                continue
            turns.append(new_turn(request.question.strip(), history, request.doc, response))
            asked.append(request.question.strip())
    if not turns:
        raise PlanQAError(f"{source}: no question could be answered, nothing to export")
    titles = {d.doc_id: d.title for d in pipeline.documents}
    path = write_export(turns, titles, out, args.format)
    print(f"exported {len(turns)} answers: {path}")
    return 1 if failures else 0


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    """Turn 👎 feedback into draft evaluation cases that `planqa eval --dataset FILE` runs."""
    from qa.app.feedback import (
        DEFAULT_FEEDBACK_FILE,
        export_cases,
        read_feedback,
        write_cases,
    )
    from qa.evaluation.dataset import load_seeds

    source = Path(args.source) if args.source else DEFAULT_FEEDBACK_FILE
    records = read_feedback(source, warn=_log)
    drafts = export_cases(records, load_seeds(settings.seeds_dir), warn=_log)
    out = Path(args.out)
    review = write_cases(drafts, out)
    downs = sum(1 for r in records if r.rating == "down")
    print(f"{len(drafts)} draft cases from {downs} 👎 lines: {out}")
    print(f"to confirm by a person (answerable, answers, evidence): {review}")
    return 0


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, settings_of: SettingsOf) -> None:
    """Register `export` and `feedback export` on the planqa parser."""
    export = sub.add_parser("export", parents=[common], help="ask a JSONL of questions, write the answers as DOCX or Markdown")
    export.add_argument("questions", help="JSONL: one {\"id\", \"question\", \"history\", \"doc\"} per line")
    export.add_argument("--out", required=True, help="the .docx or .md file to write")
    export.add_argument("--format", choices=["docx", "md"], default=None, help="default: from the --out suffix")
    export.add_argument("--conversation", action="store_true",
                        help="one conversation: each question is read with the earlier ones (follow-ups)")
    export.set_defaults(func=lambda args: cmd_export(args, settings_of(args)))

    feedback = sub.add_parser("feedback", help="feedback from the web chat").add_subparsers(dest="action", required=True)
    fexport = feedback.add_parser("export", parents=[common], help="turn 👎 feedback into draft evaluation cases")
    fexport.add_argument("--out", required=True, help="JSONL of draft cases in eval/dataset.jsonl's format")
    fexport.add_argument("--from", dest="source", default=None, help="feedback JSONL (default: data/feedback/feedback.jsonl)")
    fexport.set_defaults(func=lambda args: cmd_feedback_export(args, settings_of(args)))
