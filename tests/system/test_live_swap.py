"""A LivePipeline answering questions from several threads while `docs add` and `docs remove` write
new generations: each generation is swapped in between questions and no question is lost or fails.

Runs on a copy of the session's index with the session's encoder (never the repository's index/).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from test_docs_tab_browser import QUESTION, _gbk_plan
from test_documents import copy_index

from qa.answer.pipeline import Pipeline
from qa.app.live import LivePipeline
from qa.index.library import add_documents, remove_document
from qa.index.storage import load_index
from qa.schemas import AskResponse

pytestmark = pytest.mark.slow

# Answerable on every generation: the seeds are in all of them.
QUESTIONS = ("到2015年咸阳的宽带用户目标是多少？", "宝鸡2015年宽带用户目标是多少？", "2007年咸阳启动实施了什么政务平台建设？")
WORKERS = 3


def test_generations_swap_between_questions_and_none_is_lost(pipe: Pipeline, tmp_path: Path,
                                                             verbatim: Callable[..., None]) -> None:
    settings = copy_index(pipe, tmp_path)
    live = LivePipeline(Pipeline(settings, load_index(settings), pipe.encoder), log=lambda _: None, background=True)
    first = live.generation
    stop = threading.Event()
    asked: list[str] = []
    answered: list[tuple[str, AskResponse, str]] = []  # question, response, generation in service after it
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        i = n
        while not stop.is_set():
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            asked.append(question)
            try:
                answered.append((question, live.ask(question), live.generation))
            except Exception as exc:  # noqa: BLE001 (any failure is a lost question)
                failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    try:
        [doc_id] = add_documents(settings, lambda: pipe.encoder, [_gbk_plan(tmp_path / "files")], log=lambda _: None).accepted
        added = load_index(settings).build
        live.refresh()
        assert live.wait(120) and live.generation == added
        seen = len(answered)
        assert live.ask(QUESTION).citations[0].doc_id == doc_id  # the new document answers at once
        remove_document(settings, lambda: pipe.encoder, doc_id, log=lambda _: None)
        removed = load_index(settings).build
        live.refresh()
        assert live.wait(120) and live.generation == removed
        while len(answered) < seen + 2 * WORKERS:  # questions keep going on the last generation
            threading.Event().wait(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(120)
    assert not failures, failures
    assert len(answered) == len(asked) and all(response.answerable for _, response, _ in answered)
    assert [name for name, _ in live.swaps] == [added, removed]
    assert {generation for _, _, generation in answered} >= {first, removed}
    for _, response, _ in answered:
        verbatim(live.pipeline, response)  # the seeds' text is the same in every generation
