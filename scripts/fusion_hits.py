"""Retrieval hit@5 of the runs themselves (issue 12): BM25 alone vs BM25 with the gated
sentence-level dense run, before the answer step reorders anything.

    python scripts/fusion_hits.py --split dev

For every answerable case without history, the evidence's chunks are located in the
index and the rank of the first one is read from each run: BM25 (with thesaurus
expansion), the sentence-level dense run alone (the question and its thesaurus
equivalents), and the default retrieval (BM25, fused with the dense run when the
question's words barely match: Settings.lexical_gate). Prints hit@5 per run and the
share of questions the gate sent to fusion.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from qa.answer.retrieval import sentence_run
from qa.answer.thesaurus import expansions
from qa.evaluation.harness import load_pipeline
from qa.settings import REPO_ROOT, Settings

K = 5


def evidence_chunks(view, case: dict) -> set[int]:
    """Positions of the chunks that overlap any of the case's evidence spans."""
    found: set[int] = set()
    for ev in case["evidence"]:
        text = view.documents[ev["doc"]].text
        at = text.find(ev["text"])
        if at >= 0:
            found |= {i for i in view.doc_chunks[ev["doc"]] if view.chunks[i].start < at + len(ev["text"]) and at < view.chunks[i].end}
    return found


def rank_of(chunks: list[int], gold: set[int]) -> int | None:
    return next((r for r, c in enumerate(chunks) if c in gold), None)


def runs(pipe, question: str) -> dict[str, list[int]]:
    """The three runs' chunk orders for one question."""
    bm25, _, _ = pipe._retrieve(question, None, {}, rescue=False)
    fused, _, _ = pipe._retrieve(question, None, {})
    vector = pipe.encoder.encode_queries([" ".join([pipe._dense_text(question), *expansions(question, pipe.view.synonyms)])])[0]
    dense = sentence_run(pipe.view.sentence_vectors, pipe._sentence_chunks, None, vector, pipe.settings.candidates)
    return {"bm25": [h.chunk for h in bm25], "dense sentences": dense, "default (gated fusion)": [h.chunk for h in fused]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--dataset", default=str(REPO_ROOT / "eval" / "dataset.jsonl"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    pipe = load_pipeline(Settings())
    hits: dict[str, int] = {}
    total = gated = 0
    for line in Path(args.dataset).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if (args.split != "all" and case["split"] != args.split) or not case["answerable"] or case["history"]:
            continue
        gold = evidence_chunks(pipe.view, case)
        if not gold:
            continue
        total += 1
        orders = runs(pipe, case["question"])
        gated += orders["bm25"][:K] != orders["default (gated fusion)"][:K]
        for name, chunks in orders.items():
            rank = rank_of(chunks, gold)
            hits[name] = hits.get(name, 0) + (rank is not None and rank < K)
    print(f"{args.split}: {total} answerable cases without history; the top {K} changed by fusion for {gated}")
    for name, count in hits.items():
        print(f"  hit@{K} {name}: {count / total:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
