"""What one search costs each store as the corpus grows past the bench's 100x (issue 16).

`planqa bench` builds every scale from text, which at 1000x means embedding ~170k new
texts. This takes a built index (e.g. bench's 100x) and tiles its chunk rows N times
(copy k: ids shifted, document ids suffixed) into a FAISS store and a Milvus Lite
collection, then times the BM25 and dense searches of the eval questions, unfiltered
and filtered to one document, and prints JSON: build seconds, p50/p95 ms, RSS, disk.

    python scripts/store_scale.py --seeds /tmp/planqa-bench/x100/seeds --index /tmp/planqa-bench/x100/index --tile 10
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.evaluation.bench import DATASET, _disk_mb, _rss_mb, load_questions, percentiles
from qa.index import dense
from qa.index.encoder import Encoder
from qa.index.segment import tokenize
from qa.index.storage import load_index
from qa.index.stores import ChunkRecord, StoreRow, Where, parse_store, rows_of
from qa.index.stores.faiss_store import FaissStore
from qa.settings import Settings


def tiled_rows(rows: list[StoreRow], tile: int) -> list[StoreRow]:
    out = []
    for k in range(tile):
        for row in rows:
            r = row.record
            record = ChunkRecord(r.id + k * len(rows), r.chunk_id, f"{r.doc_id}~{k}" if k else r.doc_id, r.city, r.period,
                                 r.kind, r.start, r.end, r.text)
            out.append(StoreRow(record, row.sparse, row.dense))
    return out


def timed(search, queries) -> dict:
    times = []
    for query in queries:
        t0 = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - t0) * 1000)
    return percentiles(times)


def measure(store, queries, doc: str) -> dict:
    where = Where(doc_id=doc)
    return {"bm25": timed(lambda q: store.search_sparse(q[0], None, 50), queries),
            "bm25_doc": timed(lambda q: store.search_sparse(q[0], None, 50, where), queries),
            "dense": timed(lambda q: store.search_dense(q[1], 50), queries),
            "dense_doc": timed(lambda q: store.search_dense(q[1], 50, where), queries)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--tile", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    settings = Settings().replace(seeds_dir=Path(args.seeds), index_dir=Path(args.index))
    index = load_index(settings)
    vectors = index.dense.reconstruct_n(0, index.dense.ntotal)
    rows = tiled_rows(rows_of(index, vectors), args.tile)
    questions = load_questions(DATASET)[: args.queries]
    encoder = Encoder(settings.model_dir, backend=settings.backend)
    queries = list(zip((tokenize(q["question"]) for q in questions), encoder.encode_queries([q["question"] for q in questions])))
    doc = min(index.documents)
    out: dict = {"chunks": len(rows), "tile": args.tile, "queries": len(queries), "rss_loaded_mb": _rss_mb()}

    t0 = time.perf_counter()
    # The tiled BM25 matrix: the same weights in every copy (a real 1000x corpus has
    # its own idf; what a search costs depends on the matrix's size, not its values).
    bm25 = index.bm25
    tiled = bm25.stacked(args.tile)
    faiss_store = FaissStore(tiled, dense.build(np.stack([r.dense for r in rows])), [r.record for r in rows])
    out["faiss"] = {"build_s": round(time.perf_counter() - t0, 2), "rss_mb": _rss_mb(), **measure(faiss_store, queries, doc)}

    from qa.index.stores.milvus_store import MilvusStore, connect, create_generation

    folder = Path(tempfile.mkdtemp(prefix="planqa-store-scale-"))
    try:
        client = connect(parse_store(f"milvus:{folder / 'x.db'}"))
        t0 = time.perf_counter()
        create_generation(client, "planqa_scale", rows, vectors.shape[1])
        built = round(time.perf_counter() - t0, 2)
        store = MilvusStore(client, "planqa_scale", bm25)
        out["milvus_lite"] = {"build_s": built, "rss_mb": _rss_mb(), "disk_mb": _disk_mb(folder), **measure(store, queries, doc)}
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
