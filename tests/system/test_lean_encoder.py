"""The lean ONNX files (issue 16, memory diet) embed exactly as the full export.

The lean files are written into a scratch model folder of links to the real one,
so the shared model folder is never touched.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.index import encoder as enc
from qa.settings import Settings

pytestmark = pytest.mark.slow

ODD = ["Привет мир 咸阳", "é café 规划", "GIS、IPv6、ERP和5G网络建设", "二○一一年①Ⅱ℃ ±5%", "<mask> 的目标", "😀 宽带"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, pipe):
    real = Settings().model_dir
    if not enc.onnx_is_current(real, "onnx"):
        pytest.skip(f"no fp32 ONNX export in {real}")
    scratch = tmp_path_factory.mktemp("model")
    for item in real.iterdir():
        if item.name != enc.ONNX_FOLDER:
            (scratch / item.name).symlink_to(item)
    (scratch / enc.ONNX_FOLDER).mkdir()
    for name in (enc.ONNX_FILES["onnx"], enc.EXPORT_RECORD):
        (scratch / enc.ONNX_FOLDER / name).symlink_to(real / enc.ONNX_FOLDER / name)
    # The record is rewritten by the split: give the scratch folder its own copy.
    record = scratch / enc.ONNX_FOLDER / enc.EXPORT_RECORD
    record.unlink()
    record.write_text((real / enc.ONNX_FOLDER / enc.EXPORT_RECORD).read_text(encoding="utf-8"), encoding="utf-8")
    enc.prepare_lean(scratch, log=lambda m: None)
    full = enc._OnnxModel(scratch, enc.onnx_path(scratch, "onnx"), threads=1)
    lean = enc.Encoder(scratch)._model
    assert lean.table is not None and lean.id_map is not None
    return full, lean


def test_lean_embeddings_equal_the_full_export(models, pipe) -> None:
    full, lean = models
    texts = [c.text for c in pipe.index.chunks][:300] + [d.title for d in pipe.index.documents.values()] + ODD
    ids_full, mask_full = full._tokenize(texts)
    ids_lean, mask_lean = lean._tokenize(texts)
    assert np.array_equal(ids_full, ids_lean) and np.array_equal(mask_full, mask_lean)
    assert np.array_equal(full.encode(texts, "query", 16), lean.encode(texts, "query", 16))


def test_plan_text_never_needs_the_full_tokenizer(models, pipe) -> None:
    _, lean = models
    lean._full = None
    lean._tokenize([c.text for c in pipe.index.chunks] + [json.loads(line)["question"] for line in
                    (Path(__file__).resolve().parents[2] / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()])
    assert lean._full is None
    lean._tokenize(["Привет"])  # another script: the full tokenizer, loaded on first need
    assert lean._full is not None


def test_a_question_tokenized_by_its_own_pieces_equals_the_full_export(models, pipe) -> None:
    # Issue 16: a one-shot ask builds a unigram model of only its question's pieces (qa.index.pieces).
    full, _ = models
    fresh = enc.Encoder(full_model_dir(full))._model
    assert fresh.tokenizer is None and fresh._pieces is not None
    questions = [json.loads(line)["question"] for line in
                 (Path(__file__).resolve().parents[2] / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    prompt = fresh.prompts.get("query", "")

    def same(text: str) -> bool:
        (ids, mask), (ids_full, mask_full) = fresh._tokenize([prompt + text]), full._tokenize([prompt + text])
        return np.array_equal(ids, ids_full) and np.array_equal(mask, mask_full)

    assert all(same(q) for q in questions + [d.title for d in pipe.index.documents.values()] + ["😀 宽带", "é café 规划"])
    assert fresh.tokenizer is None  # none of them needed the lean tokenizer...
    assert np.array_equal(fresh.encode(questions[:5], "query", 16), full.encode(questions[:5], "query", 16))
    assert fresh.tokenizer is not None  # ...but a batch of five loads it, and so does a special token's string
    assert all(same(text) for text in ODD)


def full_model_dir(model: enc._OnnxModel) -> Path:
    return model._full_path.parent


def test_queries_and_passage_batches_embed_alike(pipe) -> None:
    """A query runs on the spinning session, passage batches on the sleeping one: the
    same text gets the same vector from either (a corpus and its questions must meet)."""
    encoder = pipe.encoder
    texts = [c.text for c in pipe.index.chunks][:24]
    one_by_one = np.concatenate([encoder._model.encode([t], "passage", 1) for t in texts])
    batched = encoder._model.encode(texts, "passage", 1, workers=2)
    assert encoder._model._sleeping is not None
    assert np.allclose(one_by_one, batched, atol=1e-5)
