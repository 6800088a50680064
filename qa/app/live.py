"""A pipeline that follows `index/CURRENT`, so a running server picks up `docs add` without a restart.

Between questions :meth:`LivePipeline.ask` reads CURRENT (one small file). When it
names another generation, that generation is loaded and checked in a background
thread while questions go on being answered by the old one; only a fully loaded,
checksum-verified generation is swapped in, by one reference assignment. A
question already running keeps the pipeline object it started with, so it
finishes on the old index; a generation that fails to load is logged and never
swapped in (it is not retried until CURRENT changes again).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from qa.answer.pipeline import Pipeline
from qa.index.storage import IndexProblem, load_index
from qa.schemas import AskResponse
from qa.settings import Settings

Log = Callable[[str], None]


def _current_name(settings: Settings) -> str | None:
    try:
        return (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


class LivePipeline:
    """Same surface as :class:`qa.answer.pipeline.Pipeline` (``ask``, ``documents``, ``index``,
    ``settings``, ``encoder``, ...), following index generations as they are written.

    Args:
        pipeline: the pipeline over the generation in service now.
        log: gets one line per swap or refused generation.
        background: load a new generation in a thread (True, for a server) or in the
            asking thread before answering (False: the question is answered on the new index).
    """

    def __init__(self, pipeline: Pipeline, *, log: Log = print, background: bool = True) -> None:
        self._pipeline = pipeline
        self._build = pipeline.index.build
        self._log = log
        self._background = background
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._refused: str | None = None
        self.swaps: list[tuple[str, float]] = []  # (generation, seconds to load and check it)

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = True, log: Log = print,
             background: bool = True) -> LivePipeline:
        """Load the model and the current index (building it if missing or stale), as Pipeline.load."""
        return cls(Pipeline.load(settings, build_if_missing=build_if_missing, log=log), log=log, background=background)

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline in service now."""
        return self._pipeline

    @property
    def generation(self) -> str:
        """Name of the index generation in service."""
        return self._build

    def __getattr__(self, name: str) -> Any:
        # documents, index, settings, encoder, view, ...: always those of the generation in service.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._pipeline, name)

    def ask(self, question: str, history: list[str] | None = None, doc: str | None = None, **kwargs: Any) -> AskResponse:
        """Answer on the generation in service, after noticing a newer one (see the module docstring)."""
        self.refresh()
        return self._pipeline.ask(question, history, doc, **kwargs)

    def refresh(self) -> bool:
        """Start loading the generation CURRENT names if it is new; True when a load was started."""
        name = _current_name(self._pipeline.settings)
        if name is None or name in (self._build, self._refused):
            return False
        with self._lock:
            if self._loader is not None and self._loader.is_alive():
                return False
            self._loader = threading.Thread(target=self._swap_in, args=(name,), name=f"planqa-load-{name}", daemon=True)
            self._loader.start()
        if not self._background:
            self._loader.join()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a load in progress; True when none is left running."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)
        return loader is None or not loader.is_alive()

    def _swap_in(self, name: str) -> None:
        started = time.perf_counter()
        old = self._pipeline
        try:
            index = load_index(old.settings, old.settings.index_dir / "builds" / name)
            fresh = Pipeline(old.settings, index, old.encoder, old.weights)
        except (IndexProblem, OSError) as problem:  # a broken or vanished generation: keep serving the old one
            self._refused = name
            self._log(f"index generation {name} not taken into service: {problem}")
            return
        self._pipeline = fresh
        self._build = name
        seconds = time.perf_counter() - started
        self.swaps.append((name, seconds))
        self._log(f"index generation {name} in service ({len(index.documents)} documents, loaded in {seconds:.2f} s)")
