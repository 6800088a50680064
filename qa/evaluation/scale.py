"""Synthetic corpora at N times the seeds, and the quality numbers that change with size.

`write_corpus` keeps the seed files as they are (so the evaluation questions
still have their evidence) and adds N-1 variants of each: other city names,
years and five-year-plan names shifted, figures scaled, runs of paragraphs
shuffled inside their section. Variants are plausible distractors for
retrieval, never copies, and the generator is deterministic (seeded per copy).

`hit_at_k` and `ann_tradeoff` are the pure measurements `planqa bench` reports
per scale: evidence hit@5 of the pipeline, and flat vs HNSW search.
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import PlanQAError
from qa.index import dense

# Prefecture-level cities (none is named in the seeds; checked at generation).
CITIES = (
    "渭南", "汉中", "安康", "商洛", "延安", "榆林", "铜川", "天水", "平凉", "庆阳", "洛阳", "开封", "南阳",
    "运城", "临汾", "长治", "晋中", "大同", "忻州", "吕梁", "吴忠", "固原", "中卫", "张掖", "武威", "酒泉",
    "定西", "白银", "绵阳", "德阳", "广元", "遂宁", "内江", "乐山", "南充", "宜宾", "达州", "巴中", "襄阳",
    "宜昌", "荆州", "孝感", "黄冈", "随州", "岳阳", "常德", "衡阳", "株洲", "湘潭", "邵阳", "益阳", "郴州",
    "永州", "怀化", "娄底", "九江", "赣州", "吉安", "宜春", "上饶", "蚌埠", "芜湖", "安庆", "滁州", "阜阳",
    "宿州", "六安", "亳州", "池州", "宣城", "淮南", "盐城", "扬州", "镇江", "泰州", "宿迁", "淮安", "连云港",
)
SEED_CITIES = ("咸阳", "宝鸡")
_NUMERALS = "一二三四五六七八九"
_PERIOD = re.compile(r"(十|第十)([一二三四五六])(五|个五年)")
# A year, or a figure followed by its unit (a bare list number "1、" is left alone).
_NUMBER = re.compile(
    r"(?<![\d.])(?P<year>19[5-9]\d|20[0-4]\d)(?!\d)"
    r"|(?<![\d.])(?P<figure>\d+(?:\.\d+)?)(?=\s*(?P<unit>%|％|万|亿|个|户|人|家|台|部|项|条|所|元|公里|兆|倍|门|处|/百))"
)
_CELL = re.compile(r"^\s*(\d+(?:\.\d+)?)(%?)\s*$")
_BREAK = re.compile(r"([ \t\xa0\u3000]{2,}|\u3000+)")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．]|专栏|附件|第[一二三四五六七八九十]+[章节])")
_FRONT_LINES = 6  # title, notice, issuing number, date: metadata is read from here
_SHORT_LINE = 30  # table cells and headings sit on short lines; never move them


@dataclass(frozen=True)
class Variant:
    """How copy number `copy` (1..N-1) differs from the seeds."""

    copy: int
    cities: tuple[str, str]
    period_shift: int
    factor: float


def variant(copy: int, cities: Sequence[str]) -> Variant:
    """Deterministic parameters of one copy; neighbouring copies differ in every parameter."""
    if copy < 1:
        raise PlanQAError(f"copy numbers start at 1 (0 is the seeds themselves), got {copy}")
    rng = random.Random(copy)
    first, second = rng.sample(list(cities), 2)
    return Variant(copy, (first, second), copy % 3, round(0.7 + 0.6 * rng.random(), 3))


def _shift_period(match: re.Match[str], shift: int) -> str:
    number = _NUMERALS.index(match.group(2)) + shift
    return f"{match.group(1)}{_NUMERALS[min(number, len(_NUMERALS) - 1)]}{match.group(3)}"


def _scale(value: str, factor: float, percent: bool) -> str:
    scaled = float(value) * factor
    if percent:
        scaled = min(scaled, 100.0)
    if "." in value:
        return f"{scaled:.{len(value.split('.')[1])}f}"
    return str(max(1, round(scaled)))


def _numbers(text: str, v: Variant) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("year"):
            return str(int(match.group("year")) + 5 * v.period_shift)
        return _scale(match.group("figure"), v.factor, match.group("unit") in ("%", "％"))

    return _NUMBER.sub(replace, text)


def _shuffle_runs(pieces: list[str], rng: random.Random, movable) -> list[str]:
    """Shuffle each run of consecutive movable pieces in place; headings stay put."""
    out = list(pieces)
    start = 0
    while start < len(out):
        end = start
        while end < len(out) and movable(out[end]):
            end += 1
        if end - start > 1:
            run = out[start:end]
            rng.shuffle(run)
            out[start:end] = run
        start = max(end, start + 1)
    return out


def _shuffle_line(line: str, rng: random.Random) -> str:
    parts = _BREAK.split(line)
    texts, breaks = parts[0::2], parts[1::2]
    texts = _shuffle_runs(texts, rng, lambda p: bool(p.strip()) and not _HEADING.match(p))
    return "".join(t + (breaks[i] if i < len(breaks) else "") for i, t in enumerate(texts))


def synthesize(text: str, v: Variant) -> str:
    """One variant of a seed document (see module docstring)."""
    for old, new in zip(SEED_CITIES, v.cities):
        # "咸政办发": issuing numbers abbreviate the city to its first character.
        text = text.replace(old, new).replace(f"{old[0]}政", f"{new[0]}政")
    text = _PERIOD.sub(lambda m: _shift_period(m, v.period_shift), text)
    lines = text.split("\n")
    rng = random.Random(f"{v.copy}-paragraphs")
    body = _shuffle_runs(lines[_FRONT_LINES:], rng, lambda p: len(p) > _SHORT_LINE and not _HEADING.match(p))
    lines = lines[:_FRONT_LINES] + [_shuffle_line(line, rng) if len(line) > _SHORT_LINE else line for line in body]
    out = []
    for line in lines:
        cell = _CELL.match(line)
        out.append(_scale(cell.group(1), v.factor, bool(cell.group(2))) + cell.group(2) if cell else _numbers(line, v))
    return "\n".join(out)


def write_corpus(seeds_dir: Path, out_dir: Path, multiple: int) -> list[Path]:
    """Write the seeds and multiple-1 variants of each into out_dir.

    Files whose content is unchanged are not rewritten, so an index built from an
    earlier run stays fresh. Returns the written paths, seeds first.

    Raises:
        ValueError: multiple < 1, no seeds, or out_dir is the seeds folder.
    """
    if multiple < 1:
        raise PlanQAError(f"scale multiple must be at least 1, got {multiple}")
    if out_dir.resolve() == seeds_dir.resolve():
        raise PlanQAError(f"refusing to write synthetic documents into the seeds folder {seeds_dir}")
    seeds = {p.stem: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}
    if not seeds:
        raise PlanQAError(f"no *.txt seeds in {seeds_dir}")
    cities = [c for c in CITIES if not any(c in text for text in seeds.values())]
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {f"{stem}.txt": text for stem, text in seeds.items()}
    for copy in range(1, multiple):
        v = variant(copy, cities)
        wanted.update({f"{stem}-x{copy:03d}.txt": synthesize(text, v) for stem, text in seeds.items()})
    for stale in out_dir.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    paths = []
    for name, text in wanted.items():
        path = out_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def evidence_hit(passages: Sequence[tuple[str, str]], evidence: Sequence[tuple[str, str]], k: int = 5) -> bool:
    """Whether one of the top-k (doc_id, text) passages contains an evidence text of the same document."""
    return any(doc == ev_doc and ev_text in text for doc, text in passages[:k] for ev_doc, ev_text in evidence)


def hit_at_k(runs: Sequence[Sequence[tuple[str, str]]], evidence: Sequence[Sequence[tuple[str, str]]], k: int = 5) -> float | None:
    """Share of questions with evidence whose top-k passages hold it (None without any evidence)."""
    scored = [evidence_hit(p, e, k) for p, e in zip(runs, evidence) if e]
    return round(sum(scored) / len(scored), 4) if scored else None


def _timed_search(index, queries: np.ndarray, k: int, allowed: Sequence[np.ndarray | None], exact_filter: bool = True) -> tuple[list[np.ndarray], list[float]]:
    """Scores of the hits per query, and milliseconds per search."""
    found, times = [], []
    for query, allow in zip(queries, allowed):
        t0 = time.perf_counter()
        scores, _ = dense.search(index, query, k, allow, exact_filter=exact_filter)
        times.append((time.perf_counter() - t0) * 1000)
        found.append(scores)
    return found, times


def recall_by_score(found: Sequence[np.ndarray], truth: Sequence[np.ndarray], tolerance: float = 1e-5) -> float:
    """Mean share of the exact top-k that an approximate search matched.

    Compared by score, not id: the synthetic corpus repeats sentences across
    copies, and equal vectors tie, so which of them fills the exact top-k is arbitrary.
    """
    shares = [float(np.sum(f >= t[-1] - tolerance)) / len(t) for f, t in zip(found, truth) if len(t)]
    return round(float(np.mean(np.minimum(shares, 1.0))), 4) if shares else 1.0


def ann_tradeoff(vectors: np.ndarray, queries: np.ndarray, doc_filters: Sequence[np.ndarray | None],
                 ef_search: Sequence[int] = (32, 64, 128, 256), k: int = 10) -> list[dict[str, object]]:
    """Exact flat search against HNSW at several efSearch values.

    Args:
        vectors: the chunk embeddings of a built index.
        queries: normalized query embeddings.
        doc_filters: per query, the chunk ids of one document (the `doc` filter) or None.
        ef_search: HNSW beam widths to try.
        k: depth of the recall comparison (recall@k against flat).

    Returns:
        One row per index: build seconds, p50/p95 search ms, recall@k unfiltered and
        with the document filter (graph walk with a selector, as FAISS does it).
    """
    rows = []
    none = [None] * len(queries)
    t0 = time.perf_counter()
    flat = dense.build(vectors, "flat")
    flat_build = time.perf_counter() - t0
    truth, flat_ms = _timed_search(flat, queries, k, none)
    truth_filtered, _ = _timed_search(flat, queries, k, doc_filters)
    rows.append({"index": "flat", "build_s": round(flat_build, 2), "p50_ms": round(float(np.median(flat_ms)), 3),
                 "p95_ms": round(float(np.percentile(flat_ms, 95)), 3), f"recall@{k}": 1.0, f"filtered_recall@{k}": 1.0})
    t0 = time.perf_counter()
    hnsw = dense.build(vectors, "hnsw")
    hnsw_build = time.perf_counter() - t0
    for ef in ef_search:
        hnsw.hnsw.efSearch = ef
        found, ms = _timed_search(hnsw, queries, k, none)
        filtered, _ = _timed_search(hnsw, queries, k, doc_filters, exact_filter=False)
        rows.append({"index": f"hnsw M={dense.HNSW_M} ef={ef}", "build_s": round(hnsw_build, 2),
                     "p50_ms": round(float(np.median(ms)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
                     f"recall@{k}": recall_by_score(found, truth), f"filtered_recall@{k}": recall_by_score(filtered, truth_filtered)})
    return rows
