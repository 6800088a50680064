"""Ablation of the bridges between a user's words and the plans' (issue 12).

Runs one split with each part switched off in turn and prints headline accuracy
per case type and hit@5:

    python -m qa.evaluation.variants --split dev

Variants: the default; no thesaurus (neither query expansion nor its equivalents in
the evidence check); the embedding bridge switched on (off by default); no query
expansion at all; no sentence-level dense run for questions whose words barely match
(Settings.lexical_gate 0); and a dense chunk run fused into retrieval
("hybrid+rescore"), the sentence rescoring kept.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence

from qa.evaluation.dataset import load_dataset, load_seeds
from qa.evaluation.harness import format_table, load_pipeline, run_mode
from qa.settings import REPO_ROOT, Settings

BRIDGE_FLOOR = 0.9


def _no_thesaurus(pipe) -> None:
    pipe.corpus = dataclasses.replace(pipe.corpus, synonyms={})
    pipe.view = dataclasses.replace(pipe.view, synonyms={})
    pipe.expander.synonyms = {}


def _bridge_on(pipe) -> None:
    pipe.expander.floor = BRIDGE_FLOOR


def _no_expansion(pipe) -> None:
    pipe.expander.weight = 0.0


def _no_sentence_run(pipe) -> None:
    pipe.settings = dataclasses.replace(pipe.settings, lexical_gate=0.0)


VARIANTS: dict[str, tuple[Callable | None, str | None]] = {
    "default": (None, None),
    "no thesaurus": (_no_thesaurus, None),
    f"embedding bridge on ({BRIDGE_FLOOR})": (_bridge_on, None),
    "no query expansion": (_no_expansion, None),
    "no dense sentence run": (_no_sentence_run, None),
    "dense chunk run fused": (None, "hybrid+rescore"),
}
TYPES = ("paraphrase", "list", "comparison", "unanswerable", "number", "fact", "followup", "target_status")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.evaluation.variants", description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--dataset", default=str(REPO_ROOT / "eval" / "dataset.jsonl"))
    args = parser.parse_args(argv)
    settings = Settings()
    cases = load_dataset(args.dataset, load_seeds(settings.seeds_dir), split=args.split)
    rows = {}
    for name, (change, mode) in VARIANTS.items():
        pipe = load_pipeline(settings)
        if change is not None:
            change(pipe)
        documents = {doc_id: doc.text for doc_id, doc in pipe.index.documents.items()}
        run = run_mode(pipe, cases, mode or settings.mode, documents)
        overall, by_type = run.metrics["overall"], run.metrics["by_type"]
        rows[name] = {"headline": overall["headline_accuracy"], "hit@5": overall["hit@5"],
                      **{t: by_type.get(t, {}).get("headline_accuracy") for t in TYPES}}
        print(f"{name}: done", file=sys.stderr)
    columns = [("headline", "headline"), ("hit@5", "hit@5"), *((t, t) for t in TYPES)]
    print(format_table(f"variant ({args.split})", rows, columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
