"""List the cases whose answers differ between two `planqa eval` report folders (issue 16).

    python scripts/compare_runs.py eval/reports/faiss eval/reports/milvus

Compared per (case, mode): answerable or not, answer text, quotes with spans, refusal
reason, and the ranks of the first hit and evidence. Exit 1 when anything differs.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KEYS = ("answerable_got", "answer", "quotes", "reason", "hit_rank", "evidence_rank")


def load(folder: Path) -> dict[tuple[str, str], dict]:
    rows = (json.loads(line) for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
    return {(r["id"], r["mode"]): r for r in rows}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = (load(Path(p)) for p in argv)
    if set(a) != set(b):
        print(f"different cases: {len(set(a) ^ set(b))} (id, mode) pairs in only one run")
    differ = Counter()
    for key in sorted(set(a) & set(b)):
        fields = [k for k in KEYS if a[key].get(k) != b[key].get(k)]
        if fields:
            differ[key[1]] += 1
            print(f"{key[0]} [{key[1]}]: {', '.join(fields)}")
    modes = Counter(mode for _, mode in set(a) & set(b))
    for mode in sorted(modes):
        print(f"{mode}: {modes[mode]} cases, {differ[mode]} differ")
    return 1 if differ or set(a) != set(b) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
