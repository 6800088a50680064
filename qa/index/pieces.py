"""The tokenizer pieces a short text can use, so a one-shot question skips loading 100k of them.

Building the lean unigram tokenizer (100k pieces, qa.index.encoder) took ~0.2 s of every
one-shot `planqa ask` (issue 16), which then tokenizes one question. A unigram model
segments a pre-token by Viterbi over the pieces that occur in it, so a model holding
only the pieces that are substrings of the text's pre-tokens (same scores, the special
tokens at the same ids, `<unk>` with its score, hence the same unknown-token penalty)
segments it the same way. `PieceTable` finds them in a memory-mapped table
(qa.index.lexicon) written next to the lean tokenizer by `planqa model build`.

No `tokenizers` import here: the encoder builds the tokenizer from what this returns.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from qa.index import lexicon

FOLDER = "pieces"  # inside <model>/onnx/
VERSION = 1
META = "pieces.json"
SHELL = "shell.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_of(record: object) -> str:
    """The table's source key: the lean files' record (model and export version) and VERSION."""
    return lexicon.source_key([json.dumps(record, sort_keys=True).encode(), f"pieces {VERSION}".encode()])


def write(folder: Path, lean_json: dict, source: str) -> Path:
    """Write the piece table of a lean tokenizer (its JSON as written by the encoder) into `folder`."""
    vocab = lean_json["model"]["vocab"]
    special_ids = sorted({t["id"] for t in lean_json.get("added_tokens", [])} | {lean_json["model"]["unk_id"]})
    table = lexicon.write(folder / "table", {piece: i for i, (piece, _) in enumerate(vocab)}, {}, 0, source)
    scores = np.array([score for _, score in vocab], dtype=np.float64)
    np.save(folder / "scores.npy", scores, allow_pickle=False)
    # The tokenizer without its pieces: normalizer, pre-tokenizer, post-processor to run on the text.
    shell_id = {lean: i for i, lean in enumerate(special_ids)}
    shell = {**lean_json, "model": {**lean_json["model"], "vocab": [vocab[i] for i in special_ids]},
             "added_tokens": [{**t, "id": shell_id[t["id"]]} for t in lean_json.get("added_tokens", [])]}
    (folder / SHELL).write_text(json.dumps(shell, ensure_ascii=False), encoding="utf-8")
    meta = {"version": VERSION, "source": source, "specials": [[i, vocab[i][0]] for i in special_ids], "unk_id": lean_json["model"]["unk_id"],
            "max_chars": max(len(piece) for piece, _ in vocab),
            "sha256": {name: _sha256(folder / name) for name in ("scores.npy", SHELL)}}
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return table


class PieceTable:
    """Lean tokenizer pieces by text: piece -> lean id, and each piece's score."""

    def __init__(self, table: lexicon.Lexicon, scores: np.ndarray, meta: dict, shell: Path) -> None:
        self.shell = shell  # the tokenizer's JSON without pieces (special tokens only)
        self._table = table
        self._scores = scores
        self.specials: dict[int, str] = {int(i): str(piece) for i, piece in meta["specials"]}
        self.unk_id = int(meta["unk_id"])
        self._max_chars = int(meta["max_chars"])

    def vocabulary(self, pretokens: Iterable[str]) -> tuple[list[tuple[str, float]], np.ndarray]:
        """The pieces occurring in `pretokens` plus the special tokens, in lean id order.

        Returns:
            (piece, score) pairs for a unigram model (the leading special tokens keep their
            ids, so the post-processor's and padding's ids hold), and sub id -> lean id.
        """
        found: dict[int, str] = dict(self.specials)
        for text in pretokens:
            for start in range(len(text)):
                for end in range(start + 1, min(len(text), start + self._max_chars) + 1):
                    piece = text[start:end]
                    lean_id = self._table.freq(piece)
                    if lean_id is not None:
                        found[lean_id] = piece
        ids = sorted(found)  # <s>, <pad>, </s>, <unk> are lean ids 0-3, so sub ids 0-3 too
        return [(found[i], float(self._scores[i])) for i in ids], np.array(ids, dtype=np.int64)


def load(folder: Path, source: str) -> PieceTable | None:
    """The piece table in `folder` if it was made from `source` and matches its checksums, else None."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if meta.get("version") != VERSION or meta.get("source") != source:
            return None
        if any(_sha256(folder / name) != digest for name, digest in meta["sha256"].items()):
            return None
        table = lexicon.load(folder / "table", source)
        if table is None:
            return None
        return PieceTable(table, np.load(folder / "scores.npy", mmap_mode="r", allow_pickle=False), meta, folder / SHELL)
    except (OSError, ValueError, KeyError, TypeError):
        return None
