"""Measurements for issue 14 (real documents in). Prints numbers; nothing here is a pass/fail test.

    .venv/bin/python scripts/bench_documents.py forms [--split dev]     # eval accuracy on .txt / .docx / .pdf forms of the seeds
    .venv/bin/python scripts/bench_documents.py add [--docs 100]        # add one document to a 100-document index; live swap
    .venv/bin/python scripts/bench_documents.py pdf-libraries           # pdfplumber vs pypdf on the seeds printed to PDF

`forms` lays the three seeds out as Word documents (heading styles, real ruled
tables, running header, page-number footer; qa.evaluation.forms), prints those to
PDF with LibreOffice, indexes each form on its own and runs the evaluation. Cases
are validated against the .txt seeds; every metric is computed against the texts
each form's index stores. `add` builds the synthetic corpus of qa.evaluation.scale
(first run: a few minutes of embedding, cached in the work folder), then times
`docs add` of one new document while a LivePipeline answers questions in a loop.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.answer.pipeline import Pipeline
from qa.index.build import index_lock, write_generation
from qa.index.encoder import Encoder
from qa.index.storage import load_index
from qa.ingest.documents import load_documents
from qa.settings import Settings

FORMS = ("txt", "docx", "pdf")
METRICS = ("headline_accuracy", "evidence_accuracy", "hit@5", "mrr@10", "citation_recall", "citation_precision",
           "abstain_accuracy", "verbatim_rate")


def _quiet(_: str) -> None:
    return None


def _settings(seeds: Path, index: Path, docs: Path) -> Settings:
    if not (index / "cache").exists() and (Settings().index_dir / "cache").is_dir():
        shutil.copytree(Settings().index_dir / "cache", index / "cache")  # same texts embed from the repo's cache
    return Settings(seeds_dir=seeds, index_dir=index, docs_dir=docs)


def make_forms(work: Path) -> dict[str, Path]:
    from qa.evaluation.forms import write_docx, write_pdf

    folders = {form: work / form for form in FORMS}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    docs, _ = load_documents(Settings().seeds_dir)
    for doc in docs:
        shutil.copy(doc.path, folders["txt"] / Path(doc.path).name)
        docx_path = write_docx(doc, folders["docx"] / f"{doc.doc_id}.docx")
        write_pdf(docx_path, folders["pdf"])
    return folders


def cmd_forms(args: argparse.Namespace) -> None:
    from qa.evaluation.dataset import load_dataset, load_seeds
    from qa.evaluation.harness import run_mode

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    folders = make_forms(work)
    print(f"forms written in {time.perf_counter() - started:.1f} s: {work}")
    encoder = Encoder(Settings().model_dir, backend=Settings().backend)
    cases = load_dataset(REPO / "eval/dataset.jsonl", load_seeds(Settings().seeds_dir), split=args.split)
    rows = {}
    for form, folder in folders.items():
        settings = _settings(folder, work / f"index-{form}", work / "no-docs")
        t0 = time.perf_counter()
        with index_lock(settings.index_dir):
            report = write_generation(settings, encoder, progress=False, log=_quiet, incremental=False)
        build_s = time.perf_counter() - t0
        pipe = Pipeline(settings, load_index(settings), encoder)
        texts = {d: doc.text for d, doc in pipe.index.documents.items()}
        form_cases, lost = remap_evidence(cases, texts)
        run = run_mode(pipe, form_cases, settings.mode, texts)
        rows[form] = {**{k: run.metrics["overall"].get(k) for k in METRICS}, "build_s": round(build_s, 2),
                      "chunks": sum(report.chunks.values()), "cases_left_out": lost,
                      "pages": sum(len(d.pages) for d in report.documents), "tables": sum(len(d.tables) for d in report.documents)}
    print(f"\n{args.split} split, {len(cases)} cases, mode {Settings().mode}\n")
    print("| form | " + " | ".join(METRICS) + " | chunks | pages | tables | cases left out | build s |")
    print("|---" * (len(METRICS) + 6) + "|")
    for form, row in rows.items():
        values = [f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in METRICS]
        print(f"| {form} | " + " | ".join(values) + f" | {row['chunks']} | {row['pages']} | {row['tables']} | "
              f"{row['cases_left_out']} | {row['build_s']} |")
    for form in ("docx", "pdf"):
        delta = rows[form]["headline_accuracy"] - rows["txt"]["headline_accuracy"]
        print(f"headline accuracy {form} - txt: {delta:+.3f} ({'within' if abs(delta) <= 0.02 else 'OUTSIDE'} 0.02)")


def remap_evidence(cases: list, texts: dict[str, str]) -> tuple[list, int]:
    """Cases whose evidence is re-found in another form's text, white space ignored.

    Line breaks and runs of spaces differ between a .txt and the text read back from
    a .docx or .pdf; the words do not. A case with evidence found nowhere is left
    out and counted (none is, on the seeds).
    """
    from qa.evaluation.dataset import Evidence

    lost = 0
    out = []
    for case in cases:
        evidence = []
        for ev in case.evidence:
            pattern = r"\s*".join(re.escape(ch) for ch in _norm(ev.text))
            match = re.search(pattern, texts.get(ev.doc, ""))
            if match:
                evidence.append(Evidence(doc=ev.doc, text=match.group()))
        if len(evidence) < len(case.evidence):
            lost += 1
            continue
        out.append(case.model_copy(update={"evidence": evidence}))
    return out, lost


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cmd_pdf_libraries(args: argparse.Namespace) -> None:
    import pdfplumber
    import pypdf

    work = Path(args.work)
    folders = make_forms(work) if not (work / "pdf").is_dir() else {"pdf": work / "pdf"}
    print("| document | library | seconds | similarity to source | differing runs |")
    print("|---|---|---|---|---|")
    for pdf in sorted(folders["pdf"].glob("*.pdf")):
        source = _norm((Settings().seeds_dir / f"{pdf.stem}.txt").read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        a = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        with pdfplumber.open(pdf) as doc:
            b = "\n".join(page.extract_text() or "" for page in doc.pages)
        tb = time.perf_counter() - t0
        for name, text, seconds in (("pypdf", a, ta), ("pdfplumber", b, tb)):
            matcher = difflib.SequenceMatcher(None, source, _norm(text), autojunk=False)
            runs = sum(1 for op in matcher.get_opcodes() if op[0] != "equal")
            print(f"| {pdf.stem} | {name} | {seconds:.2f} | {matcher.ratio():.4f} | {runs} |")


def _new_document(work: Path, copy: int) -> Path:
    """A plan no file of the corpus holds: a variant of the Xianyang plan for 嘉峪关 (figures x1.3,
    paragraphs shuffled, qa.evaluation.scale), as a Word file."""
    from qa.evaluation.forms import write_docx
    from qa.evaluation.scale import Variant, synthesize
    from qa.ingest.documents import load_document

    source = Settings().seeds_dir / "xianyang-12th-five-year-informatization-plan.txt"
    plain = work / "jiayuguan-12th-five-year-plan.txt"
    plain.write_text(synthesize(source.read_text(encoding="utf-8"), Variant(copy, ("嘉峪关", "酒泉"), 0, 1.3)), encoding="utf-8")
    doc = load_document(plain)
    plain.unlink()
    return write_docx(doc, work / "jiayuguan-12th-five-year-plan.docx")


def _restore(cache: Path, saved: Path) -> None:
    shutil.rmtree(cache)
    shutil.copytree(saved, cache)


def cmd_add(args: argparse.Namespace) -> None:
    from qa.app.live import LivePipeline
    from qa.evaluation.scale import write_corpus
    from qa.index.library import add_documents, remove_document

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    multiple = max(1, round(args.docs / 3))
    write_corpus(Settings().seeds_dir, work / "seeds", multiple)
    settings = _settings(work / "seeds", work / "index", work / "docs")
    encoder = Encoder(settings.model_dir, backend=settings.backend)
    shutil.rmtree(settings.docs_folder, ignore_errors=True)
    t0 = time.perf_counter()
    with index_lock(settings.index_dir):
        base = write_generation(settings, encoder, progress=True, log=_quiet, incremental=True)
    print(f"base index: {len(base.documents)} documents, {sum(base.chunks.values())} chunks "
          f"({base.embedded} texts embedded, {time.perf_counter() - t0:.1f} s)")
    new = _new_document(work, multiple)
    encoder.encode_passages(["预热"], progress=False)  # model loaded and warm, as in a running server
    # The cache as the base index left it, put back after each add, so every add embeds the new document afresh.
    saved = work / "cache-of-base-index"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(settings.index_dir / "cache", saved)

    t0 = time.perf_counter()
    change = add_documents(settings, lambda: encoder, [new], log=_quiet)
    quiet_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    removed = remove_document(settings, lambda: encoder, change.accepted[0], log=_quiet)
    remove_s = time.perf_counter() - t0
    _restore(settings.index_dir / "cache", saved)
    report = change.report
    print(f"docs add of 1 document to a {len(base.documents)}-document index, idle server: {quiet_s:.2f} s; "
          f"embedded {report.embedded} new texts ({report.cached} from the cache); {report.reused} documents not re-read")
    print(f"docs remove: {remove_s:.2f} s, embedded {removed.report.embedded} new texts")

    live = LivePipeline(Pipeline(settings, load_index(settings), encoder), log=print)
    questions = [json.loads(line)["question"] for line in (REPO / "eval/dataset.jsonl").read_text(encoding="utf-8").splitlines()[:40]]
    answered, failed, stop = [0], [0], threading.Event()

    def ask_loop() -> None:
        n = 0
        while not stop.is_set():
            try:
                live.ask(questions[n % len(questions)])
                answered[0] += 1
            except Exception as exc:  # noqa: BLE001 - counted, not raised: the point is to see none
                failed[0] += 1
                print(f"question failed during swap: {exc!r}")
            n += 1

    thread = threading.Thread(target=ask_loop)
    thread.start()
    time.sleep(1.0)
    before = answered[0]
    t0 = time.perf_counter()
    change = add_documents(settings, lambda: encoder, [new], log=_quiet)
    busy_s = time.perf_counter() - t0
    during_add = answered[0] - before
    t1 = time.perf_counter()
    while live.generation != change.report.build.name and time.perf_counter() - t1 < 120:
        time.sleep(0.05)
    visible_s = time.perf_counter() - t1
    stop.set()
    thread.join()
    print(f"docs add while one client asks questions non-stop: {busy_s:.2f} s; load+check of the new generation "
          f"{live.swaps[-1][1]:.2f} s; new index answering {visible_s:.2f} s after `docs add` returned; "
          f"questions answered meanwhile: {answered[0] - before} ({during_add} during the add), failed: {failed[0]}")
    answer = live.ask("到2015年嘉峪关全市宽带用户的目标是多少？")
    print(f"new document answerable: {answer.answerable}, cited {[c.doc_id for c in answer.citations]}")
    remove_document(settings, lambda: encoder, change.accepted[0], log=_quiet)
    _restore(settings.index_dir / "cache", saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    forms = sub.add_parser("forms")
    forms.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    forms.add_argument("--work", default="/tmp/planqa-forms")
    forms.set_defaults(func=cmd_forms)
    add = sub.add_parser("add")
    add.add_argument("--docs", type=int, default=100)
    add.add_argument("--work", default="/tmp/planqa-add")
    add.set_defaults(func=cmd_add)
    libs = sub.add_parser("pdf-libraries")
    libs.add_argument("--work", default="/tmp/planqa-forms")
    libs.set_defaults(func=cmd_pdf_libraries)
    args = parser.parse_args()
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores; other work skews timings)")
    args.func(args)
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
