"""jieba's word dictionary as memory-mapped arrays, so a process starts without parsing it.

jieba keeps every dictionary word and every prefix of one (~580k keys) in a dict
(`Tokenizer.FREQ`), and its part-of-speech tagger a word -> tag dict of the same words.
Building them took ~0.7 s (jieba's marshalled cache) and ~0.5 s (a parse of its 349k-line
`dict.txt`) of every one-shot `planqa ask` (issue 16), which then looks up about a
thousand keys. A `Lexicon` holds the same keys, frequencies and tags in an open-addressing
hash table over `.npy` arrays, memory-mapped so only the pages touched are read; the
folder's `manifest.json` records the sha256 of each array (verified on open) and of the
dictionaries it was made from. `Overlay` presents one column as the mapping jieba reads;
words added later (`add_word`) go into a plain dict on top.

No jieba import here: segment.py is the only module that imports it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path

import numpy as np

FORMAT = 1
MANIFEST = "manifest.json"
ARRAYS = ("keys", "offsets", "freqs", "tags", "slots")
_NO_FREQ = -1  # a tagged word that is not one of jieba's FREQ keys
_EMPTY = -1  # an unused hash slot
RECENT_LOOKUPS = 100_000  # fragments an Overlay remembers (a few MB) before it starts afresh


def source_key(parts: Iterable[bytes]) -> str:
    """sha256 of what a lexicon is made from (format, jieba version, dictionary files), in order."""
    digest = hashlib.sha256(f"lexicon format {FORMAT}".encode())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _slot_of(data: bytes, mask: int) -> int:
    # crc32, not hash(): str hashes are salted per process, the table is built once for all.
    return zlib.crc32(data) & mask


class Lexicon:
    """Read-only word -> (frequency, tag) table over the arrays `write` made."""

    def __init__(self, folder: Path, manifest: dict) -> None:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}
        # memoryviews: indexing one returns a Python int without making a numpy scalar (~5x faster).
        self._keys = memoryview(arrays["keys"])
        self._offsets = memoryview(arrays["offsets"])
        self._freqs = memoryview(arrays["freqs"])
        self._tags = memoryview(arrays["tags"])
        self._slots = memoryview(arrays["slots"])
        self._mask = len(arrays["slots"]) - 1
        self.total = int(manifest["total"])
        self.tag_names: list[str | None] = [None, *manifest["tag_names"]]
        self.size = int(manifest["size"])

    def _find(self, word: str) -> int:
        data = word.encode("utf-8")
        slot = _slot_of(data, self._mask)
        while True:
            row = self._slots[slot]
            if row == _EMPTY:
                return -1
            if self._keys[self._offsets[row]:self._offsets[row + 1]] == data:
                return row
            slot = (slot + 1) & self._mask

    def freq(self, word: str) -> int | None:
        """jieba's FREQ[word] (0 for a prefix that is no word), None when it is no key."""
        row = self._find(word)
        if row < 0:
            return None
        value = self._freqs[row]
        return None if value == _NO_FREQ else value

    def tag(self, word: str) -> str | None:
        """The word's part-of-speech tag, None when it has none."""
        row = self._find(word)
        return self.tag_names[self._tags[row]] if row >= 0 else None

    def words(self) -> list[str]:
        keys, offsets = bytes(self._keys), self._offsets.tolist()
        return [keys[a:b].decode("utf-8") for a, b in pairwise(offsets)]

    def column(self, name: str) -> dict:
        """Every word's frequency ("freq") or tag ("tag") as a dict, words without one left out."""
        if name == "freq":
            return {w: f for w, f in zip(self.words(), self._freqs.tolist()) if f != _NO_FREQ}
        return {w: self.tag_names[t] for w, t in zip(self.words(), self._tags.tolist()) if t}


class Overlay:
    """One column of a Lexicon ("freq" or "tag") as the dict jieba reads, writable on top.

    jieba's Tokenizer reads FREQ with `in`, `[]` and `get` and writes it in `add_word`;
    its tagger reads tags with `get` and merges user tags with `update`.
    """

    def __init__(self, table: Lexicon, column: str) -> None:
        if column not in ("freq", "tag"):
            raise ValueError(f"Unknown lexicon column {column!r}. Supported columns: ['freq', 'tag']")
        self._table = table
        self._column = column
        self._lookup = table.freq if column == "freq" else table.tag
        self._added: dict[str, object] = {}
        # Recent lookups, hits and misses: segmenting one question looks up the same fragments
        # again and again (jieba asks `in` and then `[]`), each a hash probe into the arrays.
        self._recent: dict[str, object] = {}

    def _value(self, word: str) -> object:
        try:
            return self._recent[word]
        except KeyError:
            pass
        value = self._lookup(word)
        if len(self._recent) >= RECENT_LOOKUPS:
            self._recent.clear()
        self._recent[word] = value
        return value

    def get(self, word: str, default: object = None) -> object:
        if word in self._added:
            return self._added[word]
        value = self._value(word)
        return default if value is None else value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._added or self._value(word) is not None)

    def __getitem__(self, word: str) -> object:
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value

    def __setitem__(self, word: str, value: object) -> None:
        self._added[word] = value

    def update(self, other: Mapping[str, object]) -> None:
        self._added.update(other)

    def to_dict(self) -> dict:
        """The same mapping as a plain dict (~0.3 s for jieba's dictionary): for bulk lookups."""
        return {**self._table.column(self._column), **self._added}


def write(folder: Path, freq: Mapping[str, int], tags: Mapping[str, str], total: int, source: str) -> Path:
    """Write the lexicon of jieba's FREQ dict, its total and the word tags into `folder` (atomically).

    Returns the folder. An existing folder is left as it is (another process wrote it first).
    """
    words = sorted(set(freq) | set(tags))
    encoded = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(words) + 1, dtype=np.uint32)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    tag_names = sorted({t for t in tags.values() if t})
    tag_id = {t: i + 1 for i, t in enumerate(tag_names)}
    size = 1 << max(4, (2 * len(words) - 1).bit_length())  # load factor <= 0.5: short probes
    mask = size - 1
    table = [_EMPTY] * size  # a Python list: much faster to probe while building than an array
    for row, data in enumerate(encoded):
        slot = _slot_of(data, mask)
        while table[slot] != _EMPTY:
            slot = (slot + 1) & mask
        table[slot] = row
    arrays = {
        "keys": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "offsets": offsets,
        "freqs": np.array([freq.get(w, _NO_FREQ) for w in words], dtype=np.int64),
        "tags": np.array([tag_id.get(tags.get(w) or "", 0) for w in words], dtype=np.uint8),
        "slots": np.array(table, dtype=np.int32),
    }
    if len(tag_names) > 255:
        raise ValueError(f"lexicon: {len(tag_names)} distinct tags do not fit one byte")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        manifest = {"format": FORMAT, "source": source, "size": len(words), "total": int(total), "tag_names": tag_names,
                    "files": {f"{name}.npy": _sha256(tmp / f"{name}.npy") for name in ARRAYS}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / MANIFEST).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def load(folder: Path, source: str) -> Lexicon | None:
    """The lexicon in `folder` if it was made from `source` and every array matches its checksum, else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("source") != source:
            return None
        files = manifest["files"]
        if sorted(files) != sorted(f"{name}.npy" for name in ARRAYS):
            return None
        if any(_sha256(folder / name) != digest for name, digest in files.items()):
            return None
        return Lexicon(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return None
