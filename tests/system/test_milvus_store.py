"""The whole answer path on Milvus Lite gives the FAISS store's answers (issue 16).

Every 8th dev case plus document-filtered questions, in the default mode and a
fusion mode: same answer text, citations and passages. `planqa eval --split dev
--store milvus:PATH.db` checks all dev cases (docs/scale.md lists the result).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qa.errors import PlanQAError
from qa.evaluation.dataset import load_dataset, load_seeds
from qa.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow

DEV = load_dataset(REPO_ROOT / "eval" / "dataset.jsonl", load_seeds(Settings().seeds_dir), split="dev")[::8]
FILTERED = [("到2015年宽带用户的目标是多少？", "xianyang-12th-five-year-informatization-plan"),
            ("数字电视用户要达到多少？", "baoji-12th-five-year-informatization-plan"),
            ("宽带用户有多少？", "xianyang-2007-informatization-review")]


@pytest.fixture(scope="module")
def milvus_pipe(pipe, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("milvus_lite", reason="Milvus Lite is the optional extra planqa[milvus] (make test installs it)")
    from qa.answer.pipeline import Pipeline
    from qa.index.stores import open_store

    settings = pipe.settings.replace(store=f"milvus:{tmp_path_factory.mktemp('milvus') / 'x.db'}")
    try:
        store = open_store(settings, pipe.index, log=lambda m: print(m, file=sys.stderr))
    except PlanQAError as exc:  # e.g. no loopback port for its in-process gRPC server
        pytest.skip(f"Milvus Lite cannot start here: {exc}")
    yield Pipeline(settings, pipe.index, pipe.encoder, store=store)
    store.close()


def _same(faiss_response, milvus_response) -> None:
    def plain(response) -> tuple[dict, list[float]]:
        data = response.model_dump(exclude={"timing_ms"})
        scores = [passage.pop("score") for passage in data["passages"] + data["related"]]
        return data, scores

    milvus, milvus_scores = plain(milvus_response)
    faiss, faiss_scores = plain(faiss_response)
    assert milvus == faiss
    # float32 sums in another order: equal to ~7 significant digits, not bit for bit
    # (rounding both to 4 places can still split 4.774649 from 4.77465).
    assert milvus_scores == pytest.approx(faiss_scores, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("mode", ["bm25+rescore", "hybrid+rescore"])
@pytest.mark.parametrize("case", DEV, ids=lambda c: c.id)
def test_dev_answers_equal_on_milvus_lite(pipe, milvus_pipe, case, mode: str) -> None:
    _same(pipe.ask(case.question, case.history, mode=mode), milvus_pipe.ask(case.question, case.history, mode=mode))


@pytest.mark.parametrize(("question", "doc"), FILTERED)
def test_document_filter_is_pushed_down(pipe, milvus_pipe, question: str, doc: str) -> None:
    faiss_response, milvus_response = pipe.ask(question, [], doc), milvus_pipe.ask(question, [], doc)
    _same(faiss_response, milvus_response)
    assert milvus_response.passages and {p.doc_id for p in milvus_response.passages} == {doc}


def test_the_store_serves_the_builds_chunk_records(pipe, milvus_pipe) -> None:
    ids = [0, len(pipe.index.chunks) // 2, len(pipe.index.chunks) - 1]
    for record in milvus_pipe.store.fetch(ids):
        chunk = pipe.index.chunks[record.id]
        assert (record.chunk_id, record.doc_id, record.start, record.end, record.text) == (
            chunk.chunk_id, chunk.doc_id, chunk.start, chunk.end, chunk.text)
        assert pipe.index.documents[record.doc_id].text[record.start:record.end] == chunk.text or chunk.kind == "table_row"


def test_cli_eval_option_reaches_the_store(tmp_path: Path) -> None:
    from qa.app.cli import _settings, parser

    args = parser().parse_args(["eval", "--split", "dev", "--store", f"milvus:{tmp_path / 'x.db'}"])
    assert _settings(args).store == f"milvus:{tmp_path / 'x.db'}"
