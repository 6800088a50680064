"""Issue 15, silent rot and colliding builds: the embedding cache, the build lock, old builds."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from qa.index import cache as cache_module
from qa.index.build import remove_old_builds
from qa.index.cache import EmbeddingCache
from qa.index.lock import build_lock, hold_for_reading, release


class FakeEncoder:
    """Unit vectors derived from the text, and a count of what was embedded."""

    dim = 8

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.embedded += texts
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


TEXTS = [f"第{i}段文字" for i in range(40)]


def _filled(folder: Path) -> np.ndarray:
    cache = EmbeddingCache(folder, "k", log=lambda _: None)
    vectors = cache.embed(FakeEncoder(), TEXTS, progress=False)
    cache.save()
    return vectors


def test_damaged_entries_are_dropped_and_reembedded(tmp_path: Path) -> None:
    clean = _filled(tmp_path)
    stored = np.load(tmp_path / "embeddings-k.npy")
    stored[: len(stored) // 2] = 0  # half the cache zeroed, as in the issue
    np.save(tmp_path / "embeddings-k.npy", stored)
    logs: list[str] = []
    encoder = FakeEncoder()
    cache = EmbeddingCache(tmp_path, "k", log=logs.append)
    vectors = cache.embed(encoder, TEXTS, progress=False)
    assert len(encoder.embedded) == len(TEXTS) // 2
    assert any("failed their checksum" in line for line in logs)
    np.testing.assert_allclose(vectors, clean, atol=1e-6)


def test_scaled_vectors_fail_their_checksum(tmp_path: Path) -> None:
    _filled(tmp_path)
    stored = np.load(tmp_path / "embeddings-k.npy")
    stored[0] *= 1.0001  # mild drift
    np.save(tmp_path / "embeddings-k.npy", stored)
    encoder = FakeEncoder()
    EmbeddingCache(tmp_path, "k", log=lambda _: None).embed(encoder, TEXTS, progress=False)
    assert len(encoder.embedded) == 1


def test_legacy_cache_keeps_only_unit_vectors(tmp_path: Path) -> None:
    vectors = FakeEncoder().encode_passages(TEXTS)
    vectors[:10] = 0
    import hashlib

    keys = [hashlib.sha256(t.encode()).hexdigest() for t in TEXTS]
    (tmp_path / "embeddings-k.json").write_text(json.dumps(keys), encoding="utf-8")
    np.save(tmp_path / "embeddings-k.npy", vectors)
    encoder = FakeEncoder()
    EmbeddingCache(tmp_path, "k", log=lambda _: None).embed(encoder, TEXTS, progress=False)
    assert len(encoder.embedded) == 10


def test_unwritable_cache_degrades_with_a_warning(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")  # fails for root too, unlike chmod
    logs: list[str] = []
    cache = EmbeddingCache(blocked, "k", log=logs.append)
    vectors = cache.embed(FakeEncoder(), TEXTS, progress=False)
    cache.save()
    cache.save()
    assert vectors.shape == (len(TEXTS), FakeEncoder.dim)
    assert len([line for line in logs if "without a cache" in line]) == 1


def test_long_builds_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "CHECKPOINT_TEXTS", 8)
    monkeypatch.setattr(cache_module, "CHECKPOINT_SECONDS", 0.0)
    EmbeddingCache(tmp_path, "k", log=lambda _: None).embed(FakeEncoder(), TEXTS, progress=False)  # never saved by hand
    encoder = FakeEncoder()
    EmbeddingCache(tmp_path, "k", log=lambda _: None).embed(encoder, TEXTS, progress=False)
    assert len(encoder.embedded) <= 8


def test_temp_names_are_unique(tmp_path: Path) -> None:
    target = tmp_path / "embeddings-k.npy"
    assert cache_module._tmp(target, ".npy") != cache_module._tmp(target, ".npy")
    _filled(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["embeddings-k.json", "embeddings-k.npy"]


def test_second_builder_is_told_and_waits(tmp_path: Path) -> None:
    with build_lock(tmp_path, log=lambda _: None), pytest.raises(BlockingIOError), build_lock(tmp_path, wait=False):
        pass
    with build_lock(tmp_path, wait=False):  # released once the first is done
        pass


def test_builds_being_read_are_kept(tmp_path: Path) -> None:
    for name in ("20260101-000000-1-a", "20260102-000000-1-b", "20260103-000000-1-c"):
        (tmp_path / name).mkdir()
    hold = hold_for_reading(tmp_path / "20260101-000000-1-a")
    try:
        remove_old_builds(tmp_path, keep="20260103-000000-1-c")
        assert sorted(os.listdir(tmp_path)) == ["20260101-000000-1-a", "20260103-000000-1-c"]
    finally:
        release(hold)
    remove_old_builds(tmp_path, keep="20260103-000000-1-c")
    assert os.listdir(tmp_path) == ["20260103-000000-1-c"]
