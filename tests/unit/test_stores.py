"""The store interface (qa.index.stores): spec parsing, tie-breaks, filters, and the
FAISS and Milvus Lite stores answering a tiny inline corpus with the same runs."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.index import dense
from qa.index.bm25 import BM25
from qa.index.stores import ChunkRecord, Run, StoreRow, Where, parse_store, tie_complete
from qa.index.stores.faiss_store import FaissStore
from qa.settings import Settings


@pytest.mark.parametrize(("value", "kind", "uri", "lite"), [
    ("faiss", "faiss", "", False),
    ("milvus:/tmp/x.db", "milvus", "/tmp/x.db", True),
    ("milvus:rel/x.db", "milvus", "rel/x.db", True),
    ("milvus://localhost:19530", "milvus", "http://localhost:19530", False),
    ("milvus://10.0.0.7:19530/", "milvus", "http://10.0.0.7:19530", False),
])
def test_parse_store(value: str, kind: str, uri: str, lite: bool) -> None:
    spec = parse_store(value)
    assert (spec.kind, spec.uri, spec.lite) == (kind, uri, lite)


@pytest.mark.parametrize("value", ["", "FAISS", "milvus", "milvus:", "milvus:/tmp/x", "milvus:.db", "milvus://host",
                                   "milvus://host:0", "milvus://host:99999", "milvus://a b:1", "elastic://h:9200"])
def test_bad_store_is_refused_with_the_allowed_forms(value: str) -> None:
    with pytest.raises(ValueError, match=r"Unknown store|port must be") as info:
        parse_store(value)
    if "Unknown" in str(info.value):
        assert "milvus:PATH.db" in str(info.value)
    with pytest.raises(ValueError):
        Settings(store=value)


def test_server_token_comes_from_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANQA_MILVUS_TOKEN", "user:secret")
    assert parse_store("milvus://h:19530").token == "user:secret"
    assert parse_store("milvus:/tmp/x.db").token == ""
    assert "secret" not in str(Settings(store="milvus://h:19530").index_fingerprint())


def test_cluster_knobs_apply_to_a_server_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANQA_MILVUS_REPLICAS", "2")
    monkeypatch.setenv("PLANQA_MILVUS_SHARDS", "4")
    assert (parse_store("milvus://h:19530").replicas, parse_store("milvus://h:19530").shards) == (2, 4)
    assert (parse_store("milvus:/tmp/x.db").replicas, parse_store("faiss").shards) == (1, 1)
    monkeypatch.setenv("PLANQA_MILVUS_REPLICAS", "0")
    with pytest.raises(ValueError, match="PLANQA_MILVUS_REPLICAS must be"):
        _ = parse_store("milvus://h:19530").replicas


def _engine(ids: list[int], scores: list[float]):
    """A fake engine: exact top-n by score, but ties in *descending* id order (not ours)."""
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], -ids[i]))
    calls: list[int] = []

    def fetch(limit: int) -> Run:
        calls.append(limit)
        top = order[:limit]
        return Run(np.array([ids[i] for i in top], np.int64), np.array([scores[i] for i in top], np.float32))

    return fetch, calls


def test_tie_complete_sees_every_tie_at_the_cut() -> None:
    # Five chunks tie at 1.0; the engine would hand back the highest ids first.
    fetch, calls = _engine([0, 1, 2, 3, 4, 5, 6], [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.5])
    run = tie_complete(fetch, depth=3)
    assert run.ids.tolist() == [5, 0, 1] and run.scores.tolist() == [2.0, 1.0, 1.0]
    assert calls == [6, 12]  # asked again, for twice as many, while the last hit tied with the cut


def test_tie_complete_doubles_through_a_long_tie() -> None:
    fetch, calls = _engine(list(range(1000)), [1.0] * 999 + [0.5])
    assert tie_complete(fetch, depth=2).ids.tolist() == [0, 1]
    assert calls == [4, 8, 16, 32, 64, 128, 256, 512, 1024]


def test_tie_complete_edges() -> None:
    fetch, calls = _engine([3, 1], [1.0, 1.0])
    assert tie_complete(fetch, depth=5).ids.tolist() == [1, 3] and calls == [10]
    assert tie_complete(fetch, depth=0).ids.tolist() == []
    fetch, _ = _engine([], [])
    assert len(tie_complete(fetch, depth=2).ids) == 0


# A tiny corpus: two documents of one city each, a duplicate chunk (exact score ties),
# and a chunk of a document without a city.
CORPUS = [["宽带", "用户"], ["宽带", "用户"], ["宽带", "宽带", "目标"], ["电话"], ["宽带", "电话"], ["目标"]]
DOCS = ["xy", "xy", "bj", "bj", "other", "xy"]
CITIES = {"xy": "咸阳", "bj": "宝鸡", "other": ""}
VECTORS = np.random.default_rng(7).standard_normal((len(CORPUS), 8)).astype(np.float32)
VECTORS[1] = VECTORS[0]  # equal vectors tie in the dense run too
VECTORS /= np.linalg.norm(VECTORS, axis=1, keepdims=True)
WHERES = [None, Where(doc_id="xy"), Where(city="宝鸡"), Where(doc_id="xy", city="宝鸡"), Where(city="咸阳"), Where(doc_id="nope")]
QUERIES = [(["宽带"], None), (["宽带", "目标", "宽带"], {"目标": 0.5}), (["电话", "用户"], None), (["未知"], None)]


def _rows() -> list[StoreRow]:
    bm25 = BM25(CORPUS)
    weights = bm25.weights.tocsr()
    rows = []
    for i, doc in enumerate(DOCS):
        lo, hi = weights.indptr[i], weights.indptr[i + 1]
        record = ChunkRecord(i, f"c{i}", doc, CITIES[doc], "十二五", "paragraph", 10 * i, 10 * i + 5, "".join(CORPUS[i]))
        rows.append(StoreRow(record, dict(zip(weights.indices[lo:hi].tolist(), weights.data[lo:hi].tolist())), VECTORS[i]))
    return rows


def _faiss() -> FaissStore:
    return FaissStore(BM25(CORPUS), dense.build(VECTORS), [r.record for r in _rows()])


@pytest.mark.parametrize("where", WHERES, ids=str)
def test_faiss_store_filters_before_the_top_k(where: Where | None) -> None:
    store = _faiss()
    run = store.search_sparse(["宽带"], None, depth=2, where=where)
    admitted = [i for i, d in enumerate(DOCS) if where is None or ((where.doc_id in (None, d)) and (where.city in (None, CITIES[d])))]
    scores = BM25(CORPUS).scores(["宽带"])
    expected = sorted((i for i in admitted if scores[i] > 0), key=lambda i: (-scores[i], i))[:2]
    assert run.ids.tolist() == expected


def test_faiss_store_changes_documents_only_by_a_rebuild() -> None:
    with pytest.raises(ValueError, match="rebuilding the index"):
        _faiss().remove_document("xy")


@pytest.fixture
def milvus(tmp_path: Path):
    pytest.importorskip("milvus_lite", reason="Milvus Lite is the optional extra planqa[milvus]")
    from qa.index.stores.milvus_store import (
        MilvusStore,
        connect,
        create_generation,
        switch_alias,
    )

    client = connect(parse_store(f"milvus:{tmp_path / 'x.db'}"))
    create_generation(client, "planqa_test", _rows(), VECTORS.shape[1])
    switch_alias(client, "planqa_test")
    store = MilvusStore(client, "planqa_test", BM25(CORPUS))
    yield store
    store.close()


@pytest.mark.parametrize("where", WHERES, ids=str)
def test_milvus_lite_runs_equal_faiss_runs(milvus, where: Where | None) -> None:
    faiss_store = _faiss()
    for tokens, boosts in QUERIES:
        for depth in (1, 2, 10):
            want, got = faiss_store.search_sparse(tokens, boosts, depth, where), milvus.search_sparse(tokens, boosts, depth, where)
            assert got.ids.tolist() == want.ids.tolist(), (tokens, depth)
            np.testing.assert_allclose(got.scores, want.scores, rtol=1e-6)
    for query in VECTORS[[0, 3, 5]]:
        want, got = faiss_store.search_dense(query, 3, where), milvus.search_dense(query, 3, where)
        assert got.ids.tolist() == want.ids.tolist()
        np.testing.assert_allclose(got.scores, want.scores, rtol=1e-5, atol=1e-6)


def test_milvus_fetch_returns_the_chunk_records_in_order(milvus) -> None:
    assert milvus.fetch([4, 0, 2]) == _faiss().fetch([4, 0, 2])
    assert milvus.fetch([]) == []
    with pytest.raises(ValueError, match="not in planqa_test"):
        milvus.fetch([99])


def test_milvus_add_and_remove_a_document(milvus) -> None:
    assert milvus.remove_document("xy") == 3
    assert milvus.count() == 3
    assert milvus.search_sparse(["用户"], None, 10).ids.tolist() == []
    milvus.add_document([r for r in _rows() if r.record.doc_id == "xy"])
    assert milvus.count() == 6 and milvus.search_sparse(["用户"], None, 10).ids.tolist() == [0, 1]
    with pytest.raises(ValueError, match="one document"):
        milvus.add_document(_rows())


def test_milvus_filter_expressions() -> None:
    pytest.importorskip("pymilvus")
    from qa.index.stores.milvus_store import milvus_filter

    assert milvus_filter(None) == ""
    assert milvus_filter(Where(doc_id="a")) == 'doc_id == "a"'
    assert milvus_filter(Where(doc_id='x"y', city="咸阳")) == 'doc_id == "x\\"y" and city == "咸阳"'


def test_a_new_generation_goes_live_and_the_one_before_last_is_dropped(tmp_path: Path) -> None:
    pytest.importorskip("milvus_lite", reason="Milvus Lite is the optional extra planqa[milvus]")
    from qa.index.stores.milvus_store import (
        ALIAS,
        connect,
        create_generation,
        switch_alias,
    )

    client = connect(parse_store(f"milvus:{tmp_path / 'g.db'}"))
    for name in ("planqa_g1", "planqa_g2", "planqa_g3"):
        create_generation(client, name, _rows()[:2], VECTORS.shape[1])
        switch_alias(client, name)
        assert client.describe_alias(ALIAS)["collection_name"] == name
    assert sorted(client.list_collections()) == ["planqa_g2", "planqa_g3"]
    client.close()
