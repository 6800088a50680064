"""Shared fixtures: the real model and index, loaded once per test session.

Visible to tests/unit and tests/system alike. The pipeline is imported inside the
fixtures, so collecting a unit test never imports the answering stack or the model.
"""
from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from qa.answer.pipeline import Pipeline
    from qa.schemas import AskResponse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function returning a free loopback port."""
    return _free_port


@pytest.fixture(scope="session")
def pipe() -> Pipeline:
    """The real pipeline over the repo's seeds and index (rebuilt first if stale)."""
    from qa.answer.pipeline import Pipeline
    from qa.settings import Settings

    return Pipeline.load(Settings(), build_if_missing=True, log=lambda m: print(m, file=sys.stderr))


@pytest.fixture(scope="session")
def verbatim() -> Callable[[Pipeline, AskResponse], None]:
    """Check that every citation is cut verbatim out of its document."""

    def check(pipeline: Pipeline, response: AskResponse) -> None:
        for c in response.citations:
            assert c.quote == pipeline.index.documents[c.doc_id].text[c.start:c.end], c
            assert c.context == pipeline.index.documents[c.doc_id].text[c.context_start:c.context_end], c

    return check


@pytest.fixture(scope="session")
def app_url(pipe: Pipeline) -> Iterator[str]:
    """The web app around the real pipeline, on a free loopback port in this process."""
    from qa.app.web import build_demo, launch

    demo = build_demo(pipe)
    launch(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield demo.local_url
    demo.close()
