"""Plain text in UTF-8 (with or without BOM), GBK/GB18030, Big5 or UTF-16/32 (the only charset-normalizer importer).

A byte-order mark decides; otherwise strict UTF-8 is tried first (most files,
and never a wrong guess), then charset-normalizer. Whatever was chosen is
returned so the build logs it; bytes that no allowed encoding decodes strictly
are refused with the file named, never replaced.
"""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Chinese documents come in these; anything else charset-normalizer proposes is a misreading.
_GB = ("gb2312", "gbk", "gb18030", "hz")
ALLOWED = ("utf_8", "ascii", *_GB, "big5", "big5hkscs", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be")
_CONTROL_SHARE = 0.001  # a few stray control characters are damage; more means binary
# A guessed (not UTF) encoding must give mostly common ideographs, CJK punctuation or
# ASCII; bytes that only decode into rare symbols were guessed wrong.
_READABLE_SHARE = 0.8


def detect(raw: bytes) -> str:
    """The codec name to decode `raw` with; charset-normalizer is asked only when it must be."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    if best is None:
        return ""
    name = best.encoding.lower().replace("-", "_")
    # GB18030 is a superset of GBK and GB2312: the same bytes decode the same, and more decode.
    return "gb18030" if name in _GB else name


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was read in.

    Raises:
        PlanQAError: no allowed encoding decodes the bytes, or the result is binary.
    """
    encoding = detect(raw)
    allowed = "UTF-8, GBK/GB18030, Big5, UTF-16, UTF-32"
    if encoding.replace("-", "_").removesuffix("_sig") not in ALLOWED:
        found = f" (best guess {encoding})" if encoding else ""
        raise PlanQAError(f"{path}: cannot tell the text encoding{found}; allowed: {allowed}; save it as UTF-8")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PlanQAError(f"{path}: not decodable as {encoding} (bad byte at offset {exc.start}); "
                          f"allowed: {allowed}; save it as UTF-8") from exc
    if "\x00" in text:
        raise PlanQAError(f"{path}: contains NUL bytes; not a plain text document")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if controls > _CONTROL_SHARE * len(text):
        raise PlanQAError(f"{path}: {controls} control characters after decoding as {encoding}; not a plain text document")
    if not encoding.startswith("utf") and _readable_share(text) < _READABLE_SHARE:
        raise PlanQAError(f"{path}: decoded as {encoding} (the best guess) it is not readable Chinese or Latin text; "
                          f"allowed: {allowed}; save it as UTF-8")
    return text, encoding


def _readable_share(text: str) -> float:
    """Share of the visible characters that are common CJK ideographs, CJK punctuation or ASCII."""
    visible = [ch for ch in text if not ch.isspace()]
    readable = sum(1 for ch in visible if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                   or "\uff00" <= ch <= "\uffef")
    return readable / len(visible) if visible else 1.0


def read(path: Path, raw: bytes) -> Extracted:
    """Read a text file; the encoding found is kept for the build log and `docs list`."""
    text, encoding = decode(raw, path)
    return Extracted(text=text, format="txt", encoding=encoding)
