"""Concurrent users: scripts/loadtest.py against the session's app, its loopback guard, shared caches."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from qa.answer.pipeline import Pipeline
from qa.index import encoder as encoder_module
from qa.settings import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "loadtest.py"


@pytest.fixture(scope="module")
def loadtest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_percentile_is_nearest_rank(loadtest: ModuleType) -> None:
    values = [float(v) for v in range(1, 101)]
    assert loadtest.percentile(values, 50) == 50.0 and loadtest.percentile(values, 95) == 95.0
    assert loadtest.percentile([3.0], 95) == 3.0 and loadtest.percentile([], 50) == 0.0


@pytest.mark.parametrize("url", ["http://10.0.0.5:7860/", "http://example.com/", "http://0.0.0.0:7860/", "http://[::]:80/"])
def test_only_loopback_urls(loadtest: ModuleType, url: str) -> None:
    with pytest.raises(SystemExit, match="not a loopback address"):
        loadtest.require_loopback(url)
    for good in ("http://127.0.0.1:7860/", "http://localhost:1/", "http://[::1]:7860/"):
        loadtest.require_loopback(good)


@pytest.mark.slow
def test_answers_under_load_equal_answers_alone(app_url: str) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--url", app_url, "--clients", "10", "--requests", "40",
                             "--timeout", "90", "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=150, check=False)
    report = json.loads(result.stdout.splitlines()[-1])
    assert result.returncode == 0, report
    assert report["completed"] == 40 and report["errors"] == 0 and report["mismatches"] == 0


class _PausingEncode:
    """Replaces the model call; encoding `hold` waits until the test lets it go."""

    def __init__(self, hold: str) -> None:
        self.hold, self.entered, self.release = hold, threading.Event(), threading.Event()

    def __call__(self, texts: list[str], *_: object, **__: object) -> np.ndarray:
        if self.hold in texts:
            self.entered.set()
            self.release.wait(10)
        return np.ones((len(texts), 4), dtype=np.float32)


@pytest.mark.slow
def test_query_cache_eviction_race(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = pipe.encoder
    assert encoder is not None
    pausing = _PausingEncode("y")
    monkeypatch.setattr(encoder_module, "QUERY_CACHE_SIZE", 1)
    monkeypatch.setattr(encoder, "_encode", pausing)
    encoder.clear_cache()
    results: list[object] = []
    try:
        encoder.encode_queries(["x"])
        first = threading.Thread(target=lambda: results.append(_capture(encoder.encode_queries, ["x", "y"])))
        first.start()  # "x" is cached, "y" is being encoded ...
        assert pausing.entered.wait(10)
        encoder.encode_queries(["z"])  # ... while another user's question evicts "x"
        pausing.release.set()
        first.join(10)
    finally:
        encoder.clear_cache()  # the fake vectors must not outlive the test
    if isinstance(results[0], BaseException):
        raise results[0]


def _capture(function: Callable[..., object], *args: object) -> object:
    try:
        return function(*args)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the test's own thread
        return exc
