"""The Milvus store (the only module importing pymilvus): one collection per index generation.

A generation is named by a hash of the build's files and index settings
(`planqa_<16 hex>`), built under a `_building` name, renamed when complete, and then
the alias `planqa` is switched to it - the Milvus counterpart of `index/CURRENT`.
Each app process queries the generation of the build it loaded, by name, because
the sparse dimensions are that build's BM25 term ids; the alias tells operators
and new processes which generation is live. The previous generation is kept so
processes still on it keep answering until they reload.

Rows: primary key = chunk row of the build; `dense` FLOAT_VECTOR (FLAT or HNSW, IP);
`sparse` SPARSE_FLOAT_VECTOR holding the chunk's BM25 weights by term id (inverted
index, IP), so a query vector of its terms' boosts scores exactly as
:meth:`qa.index.bm25.BM25.scores`; `doc_id`, `city`, `period`, `kind` are scalar
fields for pushed-down filters; `chunk_id`, span and text let `fetch` quote it.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import PlanQAError
from qa.index.bm25 import BM25
from qa.index.stores import (
    ChunkRecord,
    Run,
    StoreRow,
    StoreSpec,
    Where,
    rows_of,
    tie_complete,
)

try:
    from pymilvus import DataType, MilvusClient
except ImportError as exc:  # an optional extra
    raise PlanQAError("the milvus store needs pymilvus (and milvus-lite for a .db file): pip install 'planqa[milvus]'") from exc

if TYPE_CHECKING:
    from qa.index.storage import LoadedIndex

ALIAS = "planqa"
BATCH = 2000  # rows per insert request: well under gRPC's 64 MB message limit at 384 dims
# HNSW parameters mirror qa.index.dense (Malkov & Yashunin 2018), so `dense_index="hnsw"` means the same on both stores.
HNSW = {"M": 32, "efConstruction": 80}
HNSW_EF = 128
RECORD_FIELDS = ["id", "chunk_id", "doc_id", "city", "period", "kind", "span_start", "span_end", "text"]


def quote(value: str) -> str:
    """A Milvus string literal (double quotes, backslash escapes)."""
    return json.dumps(value, ensure_ascii=False)


def milvus_filter(where: Where | None) -> str:
    """The boolean expression Milvus applies before its top-k; "" = no filter."""
    if where is None:
        return ""
    parts = []
    if where.doc_id is not None:
        parts.append(f"doc_id == {quote(where.doc_id)}")
    if where.city is not None:
        parts.append(f"city == {quote(where.city)}")
    return " and ".join(parts)


def generation(index: LoadedIndex) -> str:
    """Collection name of a build: same files and index settings, same generation."""
    blob = json.dumps([index.manifest.get("files"), index.manifest.get("settings")], sort_keys=True, ensure_ascii=False)
    return f"{ALIAS}_{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:16]}"


def _schema(client: MilvusClient, dim: int):
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("chunk_id", DataType.VARCHAR, max_length=128)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("city", DataType.VARCHAR, max_length=128)
    schema.add_field("period", DataType.VARCHAR, max_length=128)
    schema.add_field("kind", DataType.VARCHAR, max_length=32)
    schema.add_field("span_start", DataType.INT64)
    schema.add_field("span_end", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=65535)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    return schema


def _index_params(client: MilvusClient, dense_kind: str):
    params = client.prepare_index_params()
    if dense_kind == "hnsw":
        params.add_index("dense", index_type="HNSW", metric_type="IP", params=HNSW)
    else:
        params.add_index("dense", index_type="FLAT", metric_type="IP")
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    for scalar in ("doc_id", "city"):
        params.add_index(scalar, index_type="INVERTED")
    return params


def _entity(row: StoreRow) -> dict:
    r = row.record
    return {"id": r.id, "chunk_id": r.chunk_id, "doc_id": r.doc_id, "city": r.city, "period": r.period, "kind": r.kind,
            "span_start": r.start, "span_end": r.end, "text": r.text,
            "dense": np.asarray(row.dense, dtype=np.float32), "sparse": dict(row.sparse)}


def _record(entity: Mapping) -> ChunkRecord:
    return ChunkRecord(int(entity["id"]), entity["chunk_id"], entity["doc_id"], entity["city"], entity["period"],
                       entity["kind"], int(entity["span_start"]), int(entity["span_end"]), entity["text"])


class MilvusStore:
    """BM25 and dense search in one Milvus collection (one index generation).

    Args:
        client: a connected MilvusClient.
        collection: the generation's collection name.
        bm25: the loaded build's BM25 (its vocabulary maps query terms to sparse dimensions).
        dense_kind: "flat" or "hnsw" (search parameters follow it).
        replicas: in-memory replicas on a cluster's query nodes (throughput and failover, not answers).
    """

    name = "milvus"

    def __init__(self, client: MilvusClient, collection: str, bm25: BM25, dense_kind: str = "flat", replicas: int = 1) -> None:
        self.client = client
        self.collection = collection
        self.bm25 = bm25
        self.dense_params = {"metric_type": "IP", **({"params": {"ef": HNSW_EF}} if dense_kind == "hnsw" else {})}
        # A renamed or restarted collection starts released.
        client.load_collection(collection, **({"replica_number": replicas} if replicas > 1 else {}))

    @classmethod
    def open(cls, spec: StoreSpec, index: LoadedIndex, log: Callable[[str], None] = print) -> MilvusStore:
        """Connect and serve `index`'s generation, building it (and switching the alias) if it is missing."""
        client = connect(spec)
        name = generation(index)
        dense_kind = str(index.manifest.get("settings", {}).get("dense_index", "flat"))
        if not client.has_collection(name):
            started = time.perf_counter()
            vectors = index.dense.reconstruct_n(0, index.dense.ntotal)
            log(f"milvus: building collection {name} ({len(index.chunks)} chunks) at {spec.uri}")
            create_generation(client, name, rows_of(index, vectors), vectors.shape[1], dense_kind, spec.shards)
            switch_alias(client, name)
            log(f"milvus: {name} is live (alias {ALIAS!r}) after {time.perf_counter() - started:.1f} s")
        return cls(client, name, index.bm25, dense_kind, spec.replicas)

    def _search(self, field: str, query: object, limit: int, where: Where | None, params: dict) -> Run:
        found = self.client.search(self.collection, data=[query], anns_field=field, limit=limit,
                                   filter=milvus_filter(where), search_params=params, output_fields=["id"])[0]
        return Run(np.array([h["id"] for h in found], dtype=np.int64), np.array([h["distance"] for h in found], dtype=np.float32))

    def search_sparse(self, tokens: Sequence[str], boosts: Mapping[str, float] | None, depth: int,
                      where: Where | None = None) -> Run:
        weights = self.bm25.query_weights(list(tokens), dict(boosts or {}))
        if not weights or depth <= 0:
            return Run.empty()
        run = tie_complete(lambda limit: self._search("sparse", weights, limit, where, {"metric_type": "IP"}), depth)
        keep = run.scores > 0
        return Run(run.ids[keep], run.scores[keep])

    def search_dense(self, vector: np.ndarray, depth: int, where: Where | None = None) -> Run:
        if depth <= 0:
            return Run.empty()
        query = np.asarray(vector, dtype=np.float32)
        return tie_complete(lambda limit: self._search("dense", query, limit, where, self.dense_params), depth)

    def fetch(self, ids: Sequence[int]) -> list[ChunkRecord]:
        if not len(ids):
            return []
        wanted = [int(i) for i in ids]
        rows = self.client.query(self.collection, filter=f"id in {wanted}", output_fields=RECORD_FIELDS)
        by_id = {int(r["id"]): _record(r) for r in rows}
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise PlanQAError(f"chunk ids not in {self.collection}: {missing[:10]}")
        return [by_id[i] for i in wanted]

    def add_document(self, rows: Sequence[StoreRow]) -> None:
        """Insert one document's chunks into this generation.

        Their BM25 weights are the caller's: weights computed against this build's
        statistics stay exact for queries; a new build (generation) recomputes all.
        """
        docs = {r.record.doc_id for r in rows}
        if len(docs) != 1:
            raise PlanQAError(f"add_document takes the chunks of one document, got {sorted(docs)[:5]}")
        for start in range(0, len(rows), BATCH):
            self.client.insert(self.collection, [_entity(r) for r in rows[start:start + BATCH]])
        self.client.flush(self.collection)

    def remove_document(self, doc_id: str) -> int:
        result = self.client.delete(self.collection, filter=f"doc_id == {quote(doc_id)}")
        self.client.flush(self.collection)
        return int(result.get("delete_count", 0)) if isinstance(result, Mapping) else len(result or [])

    def count(self) -> int:
        return int(self.client.query(self.collection, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def close(self) -> None:
        self.client.close()


def connect(spec: StoreSpec) -> MilvusClient:
    """A client for a Milvus Lite file or a server; a server that does not answer is a PlanQAError."""
    try:
        return MilvusClient(uri=spec.uri, token=spec.token) if spec.token else MilvusClient(uri=spec.uri)
    except Exception as exc:  # pymilvus raises its own MilvusException, and grpc/OS errors underneath
        raise PlanQAError(f"cannot open Milvus at {spec.uri}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


def create_generation(client: MilvusClient, name: str, rows: Sequence[StoreRow], dim: int, dense_kind: str = "flat",
                      shards: int = 1) -> None:
    """Create and fill a collection under a temporary name; rename it to `name` only when complete."""
    building = f"{name}_building"
    if client.has_collection(building):
        client.drop_collection(building)  # left by a killed build
    client.create_collection(building, schema=_schema(client, dim), index_params=_index_params(client, dense_kind),
                             **({"num_shards": shards} if shards > 1 else {}))
    for start in range(0, len(rows), BATCH):
        client.insert(building, [_entity(r) for r in rows[start:start + BATCH]])
    # Milvus Lite rebuilds the index of unflushed rows on every search; flushed segments keep theirs.
    client.flush(building)
    client.load_collection(building)
    got = int(client.query(building, filter="", output_fields=["count(*)"])[0]["count(*)"])
    if got != len(rows):
        client.drop_collection(building)
        raise PlanQAError(f"Milvus holds {got} of {len(rows)} rows after inserting {building}; nothing was switched")
    client.rename_collection(building, name)


def switch_alias(client: MilvusClient, name: str) -> None:
    """Point the alias at `name`; drop every generation but it and the one it replaces (processes not yet reloaded)."""
    # list_aliases first: describe_alias of a missing alias logs an RPC error before raising.
    previous = client.describe_alias(ALIAS)["collection_name"] if ALIAS in client.list_aliases().get("aliases", []) else None
    if previous is None:
        client.create_alias(name, ALIAS)
    elif previous != name:
        client.alter_alias(name, ALIAS)
    keep = {name, previous}
    for other in client.list_collections():
        if other.startswith(f"{ALIAS}_") and other not in keep and not other.endswith("_building"):
            client.drop_collection(other)
