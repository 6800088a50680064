"""A missing, damaged, stale or half-built index: detected, explained, rebuilt. Never the repo's index/."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.answer import pipeline as pipeline_module
from qa.answer.pipeline import Pipeline
from qa.index.build import build_index
from qa.index.storage import (
    FORMAT_VERSION,
    IndexProblem,
    current_build,
    load_index,
    resource_hashes,
)
from qa.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow
QUESTION = "到2015年咸阳的宽带用户目标是多少？"


def copy_index(pipe: Pipeline, root: Path, *, cache: bool = True, build: bool = True) -> Settings:
    """Seeds and (optionally) the repo's live build and embedding cache, copied under root."""
    settings = Settings(seeds_dir=root / "seeds", index_dir=root / "index")
    shutil.copytree(pipe.settings.seeds_dir, settings.seeds_dir)
    settings.index_dir.mkdir()
    if cache:  # a rebuild then embeds nothing and takes about a second
        shutil.copytree(pipe.settings.index_dir / "cache", settings.index_dir / "cache")
    if build:
        live = current_build(pipe.settings.index_dir)
        shutil.copytree(live, settings.index_dir / "builds" / live.name)
        (settings.index_dir / "CURRENT").write_text(live.name, encoding="utf-8")
    return settings


@pytest.fixture()
def reuse_encoder(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pipeline.load gets the session's encoder instead of loading the model again."""
    monkeypatch.setattr(pipeline_module, "Encoder", lambda *args, **kwargs: pipe.encoder)


def assert_answers(pipeline: Pipeline, verbatim: Callable[..., None]) -> None:
    response = pipeline.ask(QUESTION)
    assert response.answerable and any("95万户" in c.quote for c in response.citations)
    verbatim(pipeline, response)


def test_missing_index_is_built_or_explained(pipe: Pipeline, tmp_path: Path, reuse_encoder: None,
                                            verbatim: Callable[..., None]) -> None:
    settings = copy_index(pipe, tmp_path, build=False)
    with pytest.raises(IndexProblem, match=r"no index in .*; run `planqa index build`") as info:
        Pipeline.load(settings, build_if_missing=False)
    assert info.value.reason == "missing"
    logs: list[str] = []
    loaded = Pipeline.load(settings, build_if_missing=True, log=logs.append)
    assert logs[0].startswith("no index in") and "rebuilding" in logs[0]
    assert_answers(loaded, verbatim)


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = [
    pytest.param(lambda b: _flip_bytes(b / "dense.faiss"), "corrupt", r"dense\.faiss is missing or damaged", id="flipped-faiss"),
    pytest.param(lambda b: _truncate(b / "chunks.jsonl"), "corrupt", r"chunks\.jsonl is missing or damaged", id="truncated-chunks"),
    pytest.param(lambda b: (b / "sentences.jsonl").write_text(""), "corrupt", r"sentences\.jsonl is missing", id="emptied-sentences"),
    pytest.param(lambda b: (b / "chunk_vectors.npy").unlink(), "corrupt", r"chunk_vectors\.npy is missing", id="deleted-vectors"),
    pytest.param(lambda b: _flip_bytes(b / "sentence_vectors.npy"), "corrupt", r"sentence_vectors\.npy .*checksum", id="flipped-npy"),
    pytest.param(lambda b: (b / "manifest.json").write_text("{trunc"), "corrupt", r"manifest\.json is unreadable", id="broken-manifest"),
    pytest.param(lambda b: (b.parent.parent / "CURRENT").write_text("nope"), "missing", "names a build that does not exist", id="pointer-to-nothing"),
    pytest.param(lambda b: (b.parent.parent / "CURRENT").write_text("../../.."), "missing", "names a build", id="pointer-escapes"),
    pytest.param(lambda b: (b.parent.parent / "CURRENT").write_text(""), "missing", "names a build", id="pointer-empty"),
    pytest.param(lambda b: (b.parent.parent / "CURRENT").write_bytes(b"\xff\xfe"), "corrupt", "CURRENT is unreadable", id="pointer-binary"),
]


@pytest.mark.parametrize(("damage", "reason", "message"), DAMAGE)
def test_damaged_index_is_detected_and_rebuilt(pipe: Pipeline, tmp_path: Path, reuse_encoder: None, verbatim: Callable[..., None],
                                               damage: Callable[[Path], object], reason: str, message: str) -> None:
    settings = copy_index(pipe, tmp_path)
    damaged = current_build(settings.index_dir)
    damage(damaged)
    with pytest.raises(IndexProblem, match=message) as info:
        load_index(settings)
    assert info.value.reason == reason and "planqa index build" in str(info.value)
    logs: list[str] = []
    loaded = Pipeline.load(settings, build_if_missing=True, log=logs.append)
    assert any("rebuilding" in line for line in logs)
    # A damaged build is removed; behind a broken CURRENT the build is intact and stays as an
    # older generation (Settings.keep_builds).
    pointer = "names a build" in message or "CURRENT" in message
    assert current_build(settings.index_dir) != damaged and damaged.exists() == pointer
    assert_answers(loaded, verbatim)


def _edit_manifest(build: Path, **changes: object) -> None:
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    (build / "manifest.json").write_text(json.dumps({**manifest, **changes}, ensure_ascii=False), encoding="utf-8")


def test_index_from_other_settings_or_model_is_stale(pipe: Pipeline, tmp_path: Path, reuse_encoder: None,
                                                    verbatim: Callable[..., None]) -> None:
    settings = copy_index(pipe, tmp_path)
    with pytest.raises(IndexProblem, match="built with other settings") as info:
        load_index(settings.replace(chunk_max_chars=300))
    assert info.value.reason == "stale"
    load_index(settings.replace(top_k=3, mode="bm25"))  # query-time settings do not touch the index
    build = current_build(settings.index_dir)
    _edit_manifest(build, format_version=0)
    with pytest.raises(IndexProblem, match="another PlanQA version"):
        load_index(settings)
    _edit_manifest(build, format_version=FORMAT_VERSION, model={"upstream_model": "BAAI/bge-small-zh"})
    with pytest.raises(IndexProblem, match="another embedding model") as info:
        load_index(settings)
    assert info.value.reason == "stale"
    assert_answers(Pipeline.load(settings, build_if_missing=True, log=lambda _: None), verbatim)
    with (settings.seeds_dir / "xianyang-2007-informatization-review.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n补充说明。\n")
    with pytest.raises(IndexProblem, match="documents in .* changed"):
        load_index(settings)


def test_index_from_other_token_resources_is_stale(pipe: Pipeline, tmp_path: Path, reuse_encoder: None,
                                                   verbatim: Callable[..., None]) -> None:
    settings = copy_index(pipe, tmp_path)
    build = current_build(settings.index_dir)
    # As if the index had been built before a word was added to the user dictionary.
    _edit_manifest(build, resources={**resource_hashes(), "qa/data/userdict.txt": "0" * 64})
    with pytest.raises(IndexProblem, match=r"resources changed since the index was built \(qa/data/userdict\.txt\)") as info:
        load_index(settings)
    assert info.value.reason == "stale" and "planqa index build" in str(info.value)
    logs: list[str] = []
    loaded = Pipeline.load(settings, build_if_missing=True, log=logs.append)
    assert "qa/data/userdict.txt" in logs[0] and "rebuilding" in logs[0]
    assert current_build(settings.index_dir) != build and not build.exists()
    assert loaded.index.manifest["resources"] == resource_hashes()
    assert_answers(loaded, verbatim)


def test_build_killed_midway_leaves_previous_index(pipe: Pipeline, tmp_path: Path, verbatim: Callable[..., None]) -> None:
    settings = copy_index(pipe, tmp_path, cache=False)  # no cache: the build spends a minute embedding
    before = current_build(settings.index_dir)
    stray = settings.index_dir / "builds" / ".tmp-20000101-000000-999999999-dead"  # a crashed build's leftover
    stray.mkdir()
    (stray / "chunks.jsonl").write_text('{"half a li', encoding="utf-8")
    command = [sys.executable, "-m", "qa", "index", "build", "--quiet",
               "--seeds", str(settings.seeds_dir), "--index", str(settings.index_dir)]
    build = subprocess.Popen(command, cwd=REPO_ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    watchdog = threading.Timer(120, build.kill)
    watchdog.start()
    try:
        assert build.stderr is not None
        for line in build.stderr:
            if line.startswith("embedding "):
                time.sleep(2)  # well inside the embedding, which takes about a minute
                break
        build.send_signal(signal.SIGKILL)
        assert build.wait(timeout=30) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        build.kill()
    assert current_build(settings.index_dir) == before
    loaded = Pipeline(settings, load_index(settings), pipe.encoder)  # loads, checksums and all
    assert_answers(loaded, verbatim)

    shutil.copytree(pipe.settings.index_dir / "cache", settings.index_dir / "cache", dirs_exist_ok=True)
    live = settings.index_dir / "builds" / ".tmp-20000101-000000-1-live"  # pid 1 runs: a build in progress
    live.mkdir()
    final, _ = build_index(settings, pipe.encoder, progress=False, log=lambda _: None)
    # `loaded` still reads the previous build (issue 15), so it stays with the new one and the running build.
    assert sorted(p.name for p in final.parent.iterdir()) == sorted([final.name, live.name, before.name])
    assert current_build(settings.index_dir) == final and os.listdir(final)
