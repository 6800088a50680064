"""`planqa bench`: argument checks, aggregation and rendering; one real 1x run (slow)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from qa.evaluation import bench
from qa.settings import Settings


def test_percentiles_and_medians() -> None:
    assert bench.percentiles([1, 2, 3, 4, 100]) == {"p50": 3.0, "p95": 100.0, "p99": 100.0}  # nearest rank, as the eval reports
    assert bench.percentiles([]) == {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    rows = [{"a": {"b": 1.0}}, {"a": {"b": 3.0}}, {"a": {}}]
    assert bench.median_of(rows, ["a", "b"]) == 2.0
    assert bench.median_of(rows, ["missing"]) is None


def _args(**changes: object) -> argparse.Namespace:
    return argparse.Namespace(**{"scale": "1", "repeat": 1, "out": None, "index": None, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scale": "1,x"}, "comma-separated whole multiples"),
        ({"scale": "0,10"}, "at least 1"),
        ({"repeat": 0}, "--repeat must be at least 1"),
        ({"index": "LIVE"}, "holds a live index"),
        ({"store": "faiss,elastic"}, "Unknown store 'elastic'"),
        ({"store": "milvus:nodb"}, "Unknown store"),
    ],
)
def test_main_refuses_bad_arguments(tmp_path: Path, changes: dict, message: str) -> None:
    if changes.get("index") == "LIVE":
        (tmp_path / "CURRENT").write_text("x", encoding="utf-8")
        changes = {"index": str(tmp_path)}
    with pytest.raises(ValueError, match=message):
        bench.main(_args(**changes), Settings())


def _fake_result(scale: int) -> dict:
    mode = {"hit@5": 0.9, "errors": 0, **{f"{s}_{p}": 1.0 for s in bench.STAGES for p in ("p50", "p95", "p99")}}
    return {"scale": scale, "backend": "onnx-int8", "counts": {"documents": 3 * scale, "chunks": 10, "sentences": 20},
            "build_s": 1.5, "ready_s": 2.0, "first_answer_s": 2.1, "rss_ready_mb": 300.0, "peak_rss_mb": 320.0,
            "index_mb": 2.0, "modes": {m: mode for m in bench.MODES},
            "ann": [{"index": "flat", "build_s": 0.0, "p50_ms": 0.1, "p95_ms": 0.2, "recall@10": 1.0, "filtered_recall@10": 1.0}]}


def test_render_has_one_row_per_scale_and_mode() -> None:
    text = bench.render([_fake_result(1), _fake_result(10)], cores=2)
    assert "2 cores" in text
    assert text.count("| 10x | ") == 1 + len(bench.MODES) + 1
    assert "| 1x | faiss | 3 | 30 (-) | 1.5 |" in text


@pytest.mark.slow
def test_bench_one_scale_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    live = Settings().index_dir / "CURRENT"
    before = live.read_text(encoding="utf-8") if live.exists() else None
    assert bench.main(_args(index=str(tmp_path / "work"), out=str(out)), Settings()) == 0
    result = json.loads(out.read_text(encoding="utf-8"))["results"][0]
    assert result["scale"] == 1 and result["build_reused"] is False
    assert set(result["modes"]) == set(bench.MODES)
    assert result["modes"]["bm25"]["embed_p50"] < result["modes"]["dense"]["embed_p50"]
    assert 0.0 < result["modes"]["hybrid+rescore"]["hit@5"] <= 1.0
    assert result["peak_rss_mb"] > 0 and result["index_mb"] > 0
    assert next(row["index"] for row in result["ann"]) == "flat"
    # The repository's own index is never touched.
    assert (live.read_text(encoding="utf-8") if live.exists() else None) == before


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "min_cosine"), [("onnx", 0.9999), ("onnx-int8", 0.97)])
def test_onnx_backends_embed_like_torch(backend: str, min_cosine: float) -> None:
    from qa.index.encoder import Encoder

    model_dir = Settings().model_dir
    torch_encoder, onnx_encoder = Encoder(model_dir, backend="torch"), Encoder(model_dir, backend=backend)
    assert onnx_encoder.backend == backend and onnx_encoder.dim == torch_encoder.dim
    texts = ["咸阳市“十二五”信息化发展规划的发文字号是什么？", "宽带用户", "全市固定电话交换设备总容量达到108万门," * 3]
    for encode in ("encode_queries", "encode_passages"):
        a, b = getattr(torch_encoder, encode)(texts), getattr(onnx_encoder, encode)(texts)
        assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
        assert (a * b).sum(axis=1).min() >= min_cosine


def test_unknown_backend_is_refused() -> None:
    from qa.index.encoder import Encoder

    with pytest.raises(ValueError, match="Unknown encoder backend 'gpu'"):
        Encoder(Settings().model_dir, backend="gpu")
    with pytest.raises(ValueError, match="Unknown backend 'gpu'"):
        Settings(backend="gpu")


def test_onnx_export_goes_stale_with_its_model_folder(tmp_path: Path) -> None:
    from qa.index.encoder import EXPORT_RECORD, EXPORT_VERSION, onnx_is_current

    (tmp_path / "planqa_model.json").write_text('{"source_sha256": "a"}', encoding="utf-8")
    (tmp_path / "onnx").mkdir()
    (tmp_path / "onnx" / "model.onnx").write_bytes(b"x")
    record = {"onnx": {"model": {"source_sha256": "a"}, "export_version": EXPORT_VERSION}}
    (tmp_path / "onnx" / EXPORT_RECORD).write_text(json.dumps(record), encoding="utf-8")
    assert onnx_is_current(tmp_path, "onnx")
    assert not onnx_is_current(tmp_path, "onnx-int8")  # never exported
    (tmp_path / "planqa_model.json").write_text('{"source_sha256": "b"}', encoding="utf-8")
    assert not onnx_is_current(tmp_path, "onnx")


@pytest.mark.slow
def test_missing_onnxruntime_falls_back_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from qa.index.encoder import Encoder

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    messages: list[str] = []
    encoder = Encoder(Settings().model_dir, backend="onnx", log=messages.append)
    assert encoder.backend == "torch"
    assert any("using torch" in m for m in messages)
    assert encoder.encode_queries(["宽带"]).shape == (1, encoder.dim)
