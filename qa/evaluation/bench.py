"""`planqa bench`: build time, cold start, warm latency per stage and mode, memory, index size.

Each scale (1x, 10x, 100x the seeds, made by qa.evaluation.scale) gets its own seeds and
index folder under a work folder, never the repository's `seeds/` or `index/`.
Builds and query runs happen in child processes so that cold start includes
interpreter start-up and peak RSS is that process's own (os.wait4). Numbers
are medians over `--repeat` runs; the table says how many cores ran them.

    planqa bench --scale 1,10,100 --repeat 3 --index /tmp/planqa-bench --out bench.json
    planqa bench --store faiss,milvus --scale 1,10,100    # the same scales on Milvus Lite too (issue 16)
    python -m qa.evaluation.bench backends --split dev    # quality of each embedding backend
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.errors import PlanQAError
from qa.evaluation.metrics import percentile
from qa.settings import REPO_ROOT, Settings

MODES = ("bm25", "dense", "hybrid", "hybrid+rescore", "bm25+rescore")
HEADLINE = Settings().mode  # the main table's mode: the default one
STAGES = ("embed", "bm25", "dense_search", "fusion", "answer", "total")
DATASET = REPO_ROOT / "eval" / "dataset.jsonl"
WARM_UP = 3  # questions asked before timing each mode (first-call allocations)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in the units given: the nearest-rank percentile the evaluation reports too."""
    return {f"p{q}": round(float(percentile(values, q) or 0.0), 2) for q in (50, 95, 99)}


def median_of(rows: Sequence[dict], path: Sequence[str]) -> float | None:
    values = []
    for row in rows:
        for key in path:
            row = row.get(key) if isinstance(row, dict) else None
        if isinstance(row, (int, float)):
            values.append(float(row))
    return round(float(np.median(values)), 2) if values else None


def load_questions(dataset: Path) -> list[dict]:
    rows = [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": r["question"], "history": r.get("history", []),
             "evidence": [(e["doc"], e["text"]) for e in r.get("evidence", [])]} for r in rows]


def load_pipeline(settings: Settings):
    """A pipeline whose encoder runs settings.backend (Pipeline.load uses the encoder's default)."""
    from qa.answer.pipeline import Pipeline
    from qa.index.encoder import Encoder
    from qa.index.storage import load_index

    pipe = Pipeline(settings, load_index(settings), Encoder(settings.model_dir, backend=settings.backend))
    pipe.encoder.load_in_memory()  # as `planqa serve` does: warm latencies are a server's
    return pipe


def store_build(settings: Settings) -> dict:
    """Fill the store's generation for the current build (FAISS needs nothing beyond the build)."""
    from qa.index.storage import load_index
    from qa.index.stores import open_store

    started = time.perf_counter()
    index = load_index(settings)
    loaded = time.perf_counter()
    open_store(settings, index, log=lambda m: None).close()
    return {"store_build_s": round(time.perf_counter() - loaded, 2), "load_s": round(loaded - started, 2)}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_mode(pipe, questions: list[dict], mode: str) -> dict:
    """Warm latency per stage and evidence hit@5 for every question in one mode."""
    from qa.evaluation.scale import SEED_CITIES, hit_at_k

    for q in questions[:WARM_UP]:
        pipe.ask(q["question"], q["history"], mode=mode)
    pipe.encoder.clear_cache()
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    unfiltered: list[float] = []
    runs, errors = [], 0
    for q in questions:
        try:
            response = pipe.ask(q["question"], q["history"], mode=mode)
        except ValueError:
            errors += 1
            runs.append([])
            continue
        for name in STAGES:
            stages[name].append(response.timing_ms.get(name, 0.0))
        # A question naming a seed city searches only that city's documents; the others search all.
        if not any(city in text for text in [q["question"], *q["history"]] for city in SEED_CITIES):
            unfiltered.append(response.timing_ms.get("total", 0.0))
        runs.append([(p.doc_id, p.text) for p in response.passages])
    return {"latency_ms": {name: percentiles(v) for name, v in stages.items()}, "errors": errors,
            "unfiltered_total_ms": {**percentiles(unfiltered), "n": len(unfiltered)},
            "hit@5": hit_at_k(runs, [q["evidence"] for q in questions], 5)}


def worker(settings: Settings, dataset: Path, launch: float, modes: Sequence[str], ann: bool) -> dict:
    """One cold process: load, answer once, then every question in every mode."""
    from qa.index.storage import current_build

    imported = time.time()
    pipe = load_pipeline(settings)
    ready = time.time()
    questions = load_questions(dataset)
    pipe.ask(questions[0]["question"], questions[0]["history"])
    first = time.time()
    out = {"imports_s": round(imported - launch, 2), "ready_s": round(ready - launch, 2),
           "first_answer_s": round(first - launch, 2), "rss_ready_mb": _rss_mb(),
           "modes": {mode: run_mode(pipe, questions, mode) for mode in modes}}
    if ann:
        from qa.evaluation.scale import ann_tradeoff
        from qa.index import dense

        vectors = np.load(current_build(settings.index_dir) / "chunk_vectors.npy", allow_pickle=False)
        queries = pipe.encoder.encode_queries([q["question"] for q in questions])
        seeds = sorted(d for d in pipe.index.documents if "-x" not in d)
        docs = [q["evidence"][0][0] if q["evidence"] else seeds[i % len(seeds)] for i, q in enumerate(questions)]
        out["ann"] = ann_tradeoff(vectors, queries, [pipe.index.doc_chunk_ids[d] for d in docs])
        from qa.index.stores.faiss_store import FaissStore

        pipe.index.dense = dense.build(vectors, "hnsw")
        pipe.store = FaissStore.of(pipe.index)
        out["hnsw_pipeline"] = {**run_mode(pipe, questions, "hybrid+rescore"), "ef": dense.HNSW_EF_SEARCH}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def build(settings: Settings) -> dict:
    from qa.index.build import build_index
    from qa.index.encoder import Encoder

    started = time.perf_counter()
    folder, _ = build_index(settings, Encoder(settings.model_dir, backend=settings.backend), progress=False, log=lambda m: None)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {"build_s": round(time.perf_counter() - started, 2), "counts": manifest["counts"]}


def _child(command: str, settings: Settings, *extra: str) -> tuple[dict, float, float]:
    """Run `python -m qa.evaluation.bench <command>`; its JSON, wall seconds and peak RSS (MB)."""
    argv = [sys.executable, "-m", "qa.evaluation.bench", command, "--seeds", str(settings.seeds_dir), "--index",
            str(settings.index_dir), "--model", str(settings.model_dir), "--backend", settings.backend,
            "--store", settings.store, *extra]
    started = time.time()
    child = subprocess.Popen([*argv, "--launch", repr(started)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed with exit code {child.returncode}")
    return json.loads(output.strip().splitlines()[-1]), round(time.time() - started, 2), round(usage.ru_maxrss / 1024, 1)


def cold_ask(settings: Settings, question: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `python -m qa ask` from a built index: what a one-shot CLI user waits."""
    argv = [sys.executable, "-m", "qa", "ask", question, "--seeds", str(settings.seeds_dir), "--index", str(settings.index_dir),
            "--model", str(settings.model_dir), "--store", settings.store]
    started = time.time()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, cwd=REPO_ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed")
    return round(time.time() - started, 2), round(usage.ru_maxrss / 1024, 1)


def store_setting(store: str, folder: Path) -> str:
    """A bench `--store` entry as a setting: bare "milvus" is a Milvus Lite file in the scale's folder."""
    return f"milvus:{folder / 'milvus.db'}" if store == "milvus" else store


def _cache_entries(path: Path) -> int:
    """Texts in one embedding-cache file (format 2: {"format", "entries"}; before: a list)."""
    record = json.loads(path.read_text(encoding="utf-8"))
    return len(record.get("entries", [])) if isinstance(record, dict) else len(record)


def _disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def bench_scale(settings: Settings, multiple: int, work: Path, repeat: int, dataset: Path, log=print, store: str = "faiss") -> dict:
    """Build (or reuse) the index of one scale and measure it `repeat` times on one store.

    Every store serves the same build (the FAISS build folder is built once per scale);
    a Milvus store then fills its collection from it, timed as `store_build_s`.
    """
    from qa.evaluation.scale import write_corpus
    from qa.index.storage import IndexProblem, check_index, current_build

    folder = work / f"x{multiple}"
    scaled = settings.replace(seeds_dir=folder / "seeds", index_dir=folder / "index")
    write_corpus(settings.seeds_dir, scaled.seeds_dir, multiple)
    result: dict = {"scale": multiple, "backend": settings.backend, "store": store}
    record = folder / "cold_build.json"  # the cold build's wall time, reported again when the index is reused
    try:
        manifest = check_index(scaled, current_build(scaled.index_dir))
        cold = json.loads(record.read_text(encoding="utf-8"))
        result.update(cold, counts=manifest["counts"], build_reused=True)
        log(f"{multiple}x: reusing the index built cold in {cold['build_s']} s")
    except (IndexProblem, OSError, ValueError):
        shutil.rmtree(scaled.index_dir, ignore_errors=True)  # cold: no embedding cache either
        log(f"{multiple}x: building the index from scratch")
        built, wall, rss = _child("build", scaled)
        cold = {"build_s": wall, "build_peak_rss_mb": rss}
        record.write_text(json.dumps(cold), encoding="utf-8")
        result.update(cold, counts=built["counts"], build_reused=False)
    if repeat > 1:
        # Same documents, embeddings from the content-hash cache: what a rebuild after an edit costs.
        built, wall, _ = _child("build", scaled)
        result["rebuild_cached_s"] = wall
    build = current_build(scaled.index_dir)
    result["index_mb"] = _disk_mb(build)
    if store != "faiss":
        scaled = scaled.replace(store=store_setting(store, folder))
        spec = scaled.store.split(":", 1)[1]
        if store == "milvus":
            shutil.rmtree(spec, ignore_errors=True)  # a cold collection build every time
        log(f"{multiple}x: filling {scaled.store}")
        built, wall, rss = _child("store", scaled)
        result.update(store_build_s=built["store_build_s"], store_build_wall_s=wall, store_build_peak_rss_mb=rss)
        result["store_mb"] = _disk_mb(Path(spec)) if store == "milvus" or spec.endswith(".db") else None
    # Equal texts (boilerplate repeated across synthetic copies) are embedded once.
    result["unique_embedded"] = sum(_cache_entries(p) for p in (scaled.index_dir / "cache").glob("*.json"))
    result["cache_mb"] = _disk_mb(scaled.index_dir / "cache")
    runs = []
    for number in range(repeat):
        log(f"{multiple}x: query run {number + 1}/{repeat}")
        run, _, rss = _child("worker", scaled, "--dataset", str(dataset), *(["--ann"] if number == 0 and store == "faiss" else []))
        run["peak_rss_mb"] = rss
        run["cold_ask_s"], run["cold_ask_peak_rss_mb"] = cold_ask(scaled, load_questions(dataset)[0]["question"])
        runs.append(run)
    for key in ("imports_s", "ready_s", "first_answer_s", "rss_ready_mb", "peak_rss_mb", "cold_ask_s", "cold_ask_peak_rss_mb"):
        result[key] = median_of(runs, [key])
    result["modes"] = {
        mode: {"hit@5": runs[0]["modes"][mode]["hit@5"], "errors": runs[0]["modes"][mode]["errors"],
               "unfiltered_n": runs[0]["modes"][mode]["unfiltered_total_ms"]["n"],
               **{f"unfiltered_{p}": median_of([r["modes"][mode]["unfiltered_total_ms"] for r in runs], [p]) for p in ("p50", "p95")},
               **{f"{stage}_{p}": median_of([r["modes"][mode]["latency_ms"] for r in runs], [stage, p])
                  for stage in STAGES for p in ("p50", "p95", "p99")}}
        for mode in MODES
    }
    result["ann"] = runs[0].get("ann", [])
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews timings
    hnsw = runs[0].get("hnsw_pipeline")
    if hnsw:
        result["hnsw_pipeline"] = {"hit@5": hnsw["hit@5"], "total_p50": hnsw["latency_ms"]["total"]["p50"], "ef": hnsw["ef"],
                                   "dense_search_p50": hnsw["latency_ms"]["dense_search"]["p50"]}
    return result


def compare_backends(settings: Settings, dataset: Path, split: str, backends: Sequence[str] = ("torch", "onnx", "onnx-int8")) -> dict:
    """Eval metrics of each embedding backend, and how often its citations equal torch's.

    Each backend builds its own index under settings.index_dir/<backend> (a shared
    embedding cache would hand one backend's vectors to another).
    """
    from qa.answer.pipeline import Pipeline
    from qa.evaluation.dataset import load_dataset, load_seeds
    from qa.evaluation.harness import run_mode
    from qa.index.build import build_index
    from qa.index.encoder import Encoder
    from qa.index.storage import load_index

    cases = load_dataset(dataset, load_seeds(settings.seeds_dir), split=split)
    out: dict = {"split": split, "cases": len(cases), "backends": {}}
    answers: dict[str, dict[str, tuple]] = {}
    for backend in backends:
        chosen = settings.replace(backend=backend, index_dir=settings.index_dir / backend)
        encoder = Encoder(chosen.model_dir, backend=backend)
        build_index(chosen, encoder, progress=False, log=lambda m: None)
        pipe = Pipeline(chosen, load_index(chosen), encoder)
        run = run_mode(pipe, cases, chosen.mode, {d: doc.text for d, doc in pipe.index.documents.items()})
        answers[backend] = {r["id"]: (r["answerable_got"], tuple((q["doc_id"], q["start"], q["end"]) for q in r["quotes"])) for r in run.records}
        overall = run.metrics["overall"]
        out["backends"][backend] = {key: overall[key] for key in ("headline_accuracy", "evidence_accuracy", "hit@1", "hit@5", "mrr@10", "citation_recall",
                                                                  "citation_precision", "abstain_accuracy", "latency_p50_ms", "latency_p95_ms")}
        reference = answers[backends[0]]
        out["backends"][backend]["same_citations_as_" + backends[0]] = round(
            sum(answers[backend][i] == reference[i] for i in reference) / max(len(reference), 1), 4)
    return out


def render(results: Sequence[dict], cores: int) -> str:
    """Markdown tables of bench_scale results."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    dirty = " (+ uncommitted changes)" if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                                                        capture_output=True, text=True, check=False).stdout.strip() else ""
    lines = [f"date {time.strftime('%Y-%m-%d')}, commit {commit}{dirty}, {cores} cores, backend {results[0]['backend'] if results else '-'}", "",
             (f"Main table: mode {HEADLINE} (the default). Build = the FAISS build folder; a Milvus store fills its collection "
             "from it after (store build s); store MB = the Milvus Lite file."), "",
             ("| scale | store | docs | chunks+sentences (unique) | build s | rebuild (cached) s | store build s | ready s | first answer s | cold ask s | "
             "RSS ready MB | peak RSS MB | index MB | store MB | query p50 ms | p95 | p99 | unfiltered p50 / p95 | hit@5 |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        d = r["modes"][HEADLINE]
        lines.append(f"| {r['scale']}x | {r.get('store', 'faiss')} | {r['counts']['documents']} | {r['counts']['chunks'] + r['counts']['sentences']} ({r.get('unique_embedded', '-')}) | "
                     f"{r['build_s']} | {r.get('rebuild_cached_s', '-')} | {r.get('store_build_s', '-')} | {r['ready_s']} | {r['first_answer_s']} | "
                     f"{r.get('cold_ask_s', '-')} | {r['rss_ready_mb']} | "
                     f"{r['peak_rss_mb']} | {r['index_mb']} | {r.get('store_mb') or '-'} | {d['total_p50']} | {d['total_p95']} | {d['total_p99']} | "
                     f"{d.get('unfiltered_p50')} / {d.get('unfiltered_p95')} (n={d.get('unfiltered_n')}) | {d['hit@5']} |")
    lines += ["", "| scale | store | mode | total p50 | p95 | p99 | embed p50 | bm25 p50 | dense p50 | fusion p50 | answer p50 | hit@5 |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for mode, d in r["modes"].items():
            lines.append(f"| {r['scale']}x | {r.get('store', 'faiss')} | {mode} | {d['total_p50']} | {d['total_p95']} | {d['total_p99']} | {d['embed_p50']} | "
                         f"{d['bm25_p50']} | {d['dense_search_p50']} | {d['fusion_p50']} | {d['answer_p50']} | {d['hit@5']} |")
    lines += ["", "| scale | dense index | build s | search p50 ms | p95 | recall@10 vs flat | doc-filtered recall@10 |", "|---|---|---|---|---|---|---|"]
    for r in results:
        for row in r.get("ann", []):
            lines.append(f"| {r['scale']}x | {row['index']} | {row['build_s']} | {row['p50_ms']} | {row['p95_ms']} | {row['recall@10']} | {row['filtered_recall@10']} |")
    pipelines = [r for r in results if r.get("hnsw_pipeline")]
    if pipelines:
        lines += ["", "| scale | pipeline (hybrid+rescore) with | dense search p50 ms | total p50 ms | hit@5 |", "|---|---|---|---|---|"]
        for r in pipelines:
            flat, hnsw = r["modes"]["hybrid+rescore"], r["hnsw_pipeline"]
            lines.append(f"| {r['scale']}x | flat | {flat['dense_search_p50']} | {flat['total_p50']} | {flat['hit@5']} |")
            lines.append(f"| {r['scale']}x | hnsw ef={hnsw.get('ef', '-')} | {hnsw['dense_search_p50']} | {hnsw['total_p50']} | {hnsw['hit@5']} |")
    return "\n".join(lines)


def main(args: argparse.Namespace, settings: Settings) -> int:
    """`planqa bench`: --scale list, --store list, --repeat, --out; --index keeps the work folder (reused when fresh)."""
    try:
        scales = sorted({int(s) for s in str(args.scale).split(",") if s.strip()})
    except ValueError:
        raise PlanQAError(f"--scale takes comma-separated whole multiples such as 1,10,100, got {args.scale!r}") from None
    if not scales or scales[0] < 1:
        raise PlanQAError(f"--scale multiples must be at least 1, got {args.scale!r}")
    stores = [s.strip() for s in str(getattr(args, "store", None) or "faiss").split(",") if s.strip()]
    for store in stores:
        settings.replace(store=store_setting(store, Path("x")))  # refuse a bad store before any work
    if args.repeat < 1:
        raise PlanQAError(f"--repeat must be at least 1, got {args.repeat}")
    explicit = getattr(args, "index", None)
    if explicit and (Path(explicit) / "CURRENT").exists():
        raise PlanQAError(f"{explicit} holds a live index; give bench an empty or bench-only work folder")
    work = Path(explicit) if explicit else Path(tempfile.mkdtemp(prefix="planqa-bench-"))
    cores = os.cpu_count() or 1
    log = lambda message: print(f"bench: {message}", file=sys.stderr)
    try:
        results = [bench_scale(settings, n, work, args.repeat, DATASET, log, store) for n in scales for store in stores]
    finally:
        if not explicit:
            shutil.rmtree(work, ignore_errors=True)
    print(render(results, cores))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"cores": cores, "results": results}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _child_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.evaluation.bench")
    parser.add_argument("command", choices=["build", "store", "worker", "backends"])
    for flag in ("--seeds", "--index", "--model"):
        parser.add_argument(flag)
    parser.add_argument("--backend", default=Settings().backend)
    parser.add_argument("--store", default=Settings().store)
    parser.add_argument("--dataset", default=str(DATASET))
    parser.add_argument("--launch", type=float, default=None)
    parser.add_argument("--ann", action="store_true")
    parser.add_argument("--split", default="dev")
    args = parser.parse_args(argv)
    launch = args.launch or time.time()
    changes = {k: Path(v) for k, v in (("seeds_dir", args.seeds), ("index_dir", args.index), ("model_dir", args.model)) if v}
    settings = Settings().replace(backend=args.backend, store=args.store, **changes)
    if args.command == "build":
        out = build(settings)
    elif args.command == "store":
        out = store_build(settings)
    elif args.command == "worker":
        out = worker(settings, Path(args.dataset), launch, MODES, args.ann)
    else:
        out = compare_backends(settings, Path(args.dataset), args.split)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
