"""`docs add` of a DOCX, a text PDF and a GBK file makes each answerable, cited (page for the PDF),
in a running LivePipeline without a restart; bad files change nothing; `docs remove` and `docs list`.

The files are the seeds laid out for other cities: the Baoji plan as a Word file for 汉中 (real
tables), the Xianyang plan printed to PDF for 铜川 (LibreOffice; skipped without it), the 2007
review in GBK for 安康. Never touches the repository's index/ or data/.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.answer.pipeline import Pipeline
from qa.app.live import LivePipeline
from qa.errors import PlanQAError
from qa.evaluation import forms
from qa.index.library import Change, add_documents, list_documents, remove_document
from qa.index.storage import current_build, load_index
from qa.ingest.documents import load_document
from qa.ingest.text import squeeze
from qa.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow
SEEDS = Settings().seeds_dir


def _variant(tmp: Path, seed: str, city: str, old: str) -> Path:
    text = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8").replace(old, city).replace("咸政办发", "铜政办发")
    path = tmp / f"{city}-plan.txt"
    path.write_text(text, encoding="utf-8")
    return path


def make_files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    hanzhong = load_document(_variant(tmp, "baoji-12th-five-year-informatization-plan", "汉中", "宝鸡"))
    files = {"docx": forms.write_docx(hanzhong, tmp / "hanzhong-plan.docx")}
    gbk = tmp / "安康市2007年信息化建设综述.txt"
    gbk.write_bytes(_variant(tmp, "xianyang-2007-informatization-review", "安康", "咸阳").read_text(encoding="utf-8")
                    .replace("\xa0", " ").encode("gbk"))
    files["gbk"] = gbk
    if forms.soffice() is not None:
        tongchuan = load_document(_variant(tmp, "xianyang-12th-five-year-informatization-plan", "铜川", "咸阳"))
        files["pdf"] = forms.write_pdf(forms.write_docx(tongchuan, tmp / "tongchuan-plan.docx"), tmp / "pdf")
    return files


def copy_index(pipe: Pipeline, root: Path) -> Settings:
    """The session's seeds index and embedding cache, copied; added documents go to root/docs."""
    settings = Settings(seeds_dir=pipe.settings.seeds_dir, index_dir=root / "index", docs_dir=root / "docs")
    live = current_build(pipe.settings.index_dir)
    shutil.copytree(live, settings.index_dir / "builds" / live.name)
    shutil.copytree(pipe.settings.index_dir / "cache", settings.index_dir / "cache")
    (settings.index_dir / "CURRENT").write_text(live.name, encoding="utf-8")
    return settings


class Added:
    def __init__(self, settings: Settings, live: LivePipeline, change: Change, files: dict[str, Path], before: str) -> None:
        self.settings, self.live, self.change, self.files, self.before = settings, live, change, files, before


@pytest.fixture(scope="module")
def added(pipe: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Added:
    root = tmp_path_factory.mktemp("docs")
    settings = copy_index(pipe, root)
    live = LivePipeline(Pipeline(settings, load_index(settings), pipe.encoder), log=lambda _: None)
    before = live.generation
    files = make_files(root / "files")
    change = add_documents(settings, lambda: pipe.encoder, list(files.values()), log=lambda _: None)
    return Added(settings, live, change, files, before)


def ask(added: Added, question: str, verbatim: Callable[..., None]):
    added.live.ask("宽带")  # notices the new generation, loads it in the background
    assert added.live.wait(120)
    response = added.live.ask(question)
    verbatim(added.live.pipeline, response)
    return response


def test_add_indexes_only_new_chunks_and_swaps_generation(added: Added) -> None:
    report = added.change.report
    assert len(added.change.accepted) == len(added.files) and not added.change.refused
    assert report.build.name != added.before and current_build(added.settings.index_dir) == report.build
    assert 0 < report.embedded < report.cached  # the seeds' texts and the unchanged sentences came from the cache
    stored = sorted(p.name for p in added.settings.docs_folder.iterdir())
    assert stored == sorted(f"{doc_id}{added.files[form].suffix}" for doc_id, form in zip(added.change.accepted, added.files))


def test_docx_is_answerable_with_a_table_row(added: Added, verbatim: Callable[..., None]) -> None:
    response = ask(added, "汉中专栏1主要指标中，城市用户互联网带宽2015年目标是多少M？", verbatim)
    assert response.answerable and "16" in response.answer
    [cite] = [c for c in response.citations if c.doc_id == "hanzhong-plan"]
    assert cite.kind == "table_row" and cite.page is None and "城市用户互联网带宽" in cite.display


def test_gbk_file_is_answerable(added: Added, verbatim: Callable[..., None]) -> None:
    response = ask(added, "2007年安康启动实施了什么政务平台建设？", verbatim)
    assert response.answerable and "安康市政务协同办公平台" in response.answer
    doc_id = added.change.accepted[list(added.files).index("gbk")]
    assert doc_id.startswith("安康市2007年信息化建设综述-") and response.citations[0].doc_id == doc_id
    assert added.live.index.documents[doc_id].encoding == "gb18030"


def test_pdf_is_answerable_with_the_page_it_is_printed_on(added: Added, verbatim: Callable[..., None]) -> None:
    if "pdf" not in added.files:
        pytest.skip("LibreOffice (Debian libreoffice-writer-nogui) is not installed: no PDF fixture")
    import pdfplumber

    response = ask(added, "到2015年铜川全市宽带用户的目标是多少？", verbatim)
    assert response.answerable and "95万户" in response.answer
    [cite] = [c for c in response.citations if c.doc_id == "tongchuan-plan"]
    assert cite.page is not None and cite.page >= 1
    with pdfplumber.open(added.files["pdf"]) as pdf:
        printed = squeeze(pdf.pages[cite.page - 1].extract_text())
    assert squeeze(cite.quote)[:12] in printed


def test_docs_list_shows_every_document(added: Added) -> None:
    rows = {r.doc_id: r for r in list_documents(added.settings)}
    assert len(rows) == 3 + len(added.files)
    assert rows["hanzhong-plan"].format == "docx" and rows["hanzhong-plan"].place == "汉中" and rows["hanzhong-plan"].chunks > 100
    assert rows["hanzhong-plan"].folder == "added" and rows["baoji-12th-five-year-informatization-plan"].folder == "seeds"
    if "pdf" in added.files:
        assert rows["tongchuan-plan"].detail.endswith("页") and rows["tongchuan-plan"].doc_number == "铜政办发〔2011〕11号"


def _bad_files(tmp: Path, added: Added) -> dict[Path, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(added.files["docx"], tmp / "again.docx")
    (tmp / "empty.pdf").write_bytes(b"")
    shutil.copyfile(sys.executable, tmp / "setup.pdf")
    (tmp / "seed-copy.txt").write_bytes((SEEDS / "xianyang-2007-informatization-review.txt").read_bytes())
    return {tmp / "again.docx": "duplicate of document 'hanzhong-plan'", tmp / "empty.pdf": "empty",
            tmp / "setup.pdf": "content is executable", tmp / "seed-copy.txt": "duplicate of document 'xianyang-2007",
            tmp / "missing.docx": "no such file"}


def test_bad_files_are_refused_and_change_nothing(added: Added, tmp_path: Path) -> None:
    bad = _bad_files(tmp_path, added)
    build, stored = current_build(added.settings.index_dir), sorted(added.settings.docs_folder.iterdir())
    change = add_documents(added.settings, lambda: pytest.fail("no encoder needed when nothing is added"), list(bad))
    assert change.accepted == () and change.report is None
    for problem in change.refused:
        assert problem.message.startswith(problem.path) and bad[Path(problem.path)] in problem.message
    assert current_build(added.settings.index_dir) == build and sorted(added.settings.docs_folder.iterdir()) == stored


def test_cli_docs_list_and_refusal(added: Added, tmp_path: Path) -> None:
    where = ["--seeds", str(added.settings.seeds_dir), "--index", str(added.settings.index_dir), "--docs", str(added.settings.docs_folder)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "qa", "docs", *args, *where], cwd=REPO_ROOT, check=False,
                              capture_output=True, text=True, encoding="utf-8", timeout=300)

    listing = run("list")
    assert listing.returncode == 0 and "hanzhong-plan\t" in listing.stdout and "gb18030" in listing.stdout
    (tmp_path / "setup.pdf").write_bytes(b"MZ\x90\x00" + b"\0" * 100)
    refused = run("add", str(tmp_path / "setup.pdf"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"planqa: refused: {tmp_path / 'setup.pdf'}: named .pdf but the content is executable (Windows)" in refused.stderr
    unknown = run("remove", "no-such-doc")
    assert unknown.returncode == 2 and "no added document with id 'no-such-doc'" in unknown.stderr


def test_broken_generation_is_never_swapped_in(added: Added, verbatim: Callable[..., None]) -> None:
    live = added.live
    live.ask("宽带")
    live.wait(120)
    serving = live.generation
    broken = added.settings.index_dir / "builds" / "20991231-000000-1-broken"
    shutil.copytree(current_build(added.settings.index_dir), broken)
    (broken / "dense.faiss").write_bytes(b"damaged")
    current = added.settings.index_dir / "CURRENT"
    good = current.read_text(encoding="utf-8")
    try:
        current.write_text(broken.name, encoding="utf-8")
        response = live.ask("到2015年咸阳全市宽带用户的目标是多少？")
        assert live.wait(120) and live.generation == serving and response.answerable
        verbatim(live.pipeline, live.ask("到2015年咸阳全市宽带用户的目标是多少？"))
    finally:
        current.write_text(good, encoding="utf-8")
        shutil.rmtree(broken)


def test_question_in_flight_finishes_on_the_old_generation(pipe: Pipeline, tmp_path: Path) -> None:
    settings = copy_index(pipe, tmp_path)
    live = LivePipeline(Pipeline(settings, load_index(settings), pipe.encoder), log=lambda _: None)
    old = live.pipeline
    started, release, answers = threading.Event(), threading.Event(), []
    original = old.ask

    def slow_ask(*args, **kwargs):
        started.set()
        release.wait(60)
        return original(*args, **kwargs)

    old.ask = slow_ask  # this instance only: the question holds the old pipeline while the swap happens
    thread = threading.Thread(target=lambda: answers.append(live.ask("2007年咸阳启动实施了什么政务平台建设？")))
    thread.start()
    assert started.wait(60)
    files = make_files(tmp_path / "files")
    change = add_documents(settings, lambda: pipe.encoder, [files["gbk"]], log=lambda _: None)
    live.ask("宽带")
    assert live.wait(120) and live.generation == change.report.build.name and live.pipeline is not old
    release.set()
    thread.join(60)
    [answer] = answers
    assert answer.answerable and all(c.doc_id in old.index.documents for c in answer.citations)
    assert change.accepted[0] in live.index.documents and change.accepted[0] not in old.index.documents


def test_remove_takes_a_document_out(pipe: Pipeline, tmp_path: Path) -> None:
    settings = copy_index(pipe, tmp_path)
    gbk = make_files(tmp_path / "files")["gbk"]
    [doc_id] = add_documents(settings, lambda: pipe.encoder, [gbk], log=lambda _: None).accepted
    with pytest.raises(PlanQAError, match="is a bundled document"):
        remove_document(settings, lambda: pipe.encoder, "baoji-12th-five-year-informatization-plan")
    change = remove_document(settings, lambda: pipe.encoder, doc_id, log=lambda _: None)
    assert change.report.embedded == 0 and doc_id not in load_index(settings).documents
    assert not any(settings.docs_folder.iterdir())
