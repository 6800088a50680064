"""The lean tokenizer (qa.index.encoder.lean_tokenizer) on a tiny hand-made unigram model."""
from __future__ import annotations

import json

import numpy as np
import pytest
from tokenizers import Tokenizer

from qa.index.encoder import lean_tokenizer

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
VOCAB = [[t, 0.0] for t in SPECIALS] + [["▁", -2.0], ["咸阳", -3.0], ["咸", -5.0], ["阳", -5.0], ["▁Пр", -3.0],
                                         ["П", -6.0], ["р", -6.0], ["宽带", -3.0], ["○", -6.0], ["<mask>", 0.0]]


def tokenizer_json() -> dict:
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
             for i, t in [*enumerate(SPECIALS), (len(VOCAB) - 1, "<mask>")]]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
            "post_processor": None, "decoder": None,
            "model": {"type": "Unigram", "unk_id": 3, "vocab": VOCAB, "byte_fallback": False}}


def test_lean_keeps_cjk_pieces_and_maps_ids_back() -> None:
    lean, ids = lean_tokenizer(tokenizer_json())
    kept = [piece for piece, _ in lean["model"]["vocab"]]
    assert kept == ["<s>", "<pad>", "</s>", "<unk>", "▁", "咸阳", "咸", "阳", "宽带", "○", "<mask>"]
    assert ids.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13]
    assert {t["content"]: t["id"] for t in lean["added_tokens"]}["<mask>"] == 10
    full, small = Tokenizer.from_str(json.dumps(tokenizer_json())), Tokenizer.from_str(json.dumps(lean))
    for text in ["咸阳宽带", "宽带○咸", "<mask>咸阳"]:
        assert ids[np.array(small.encode(text).ids)].tolist() == full.encode(text).ids
    assert 3 in small.encode("Пр咸阳").ids and 3 not in full.encode("Пр咸阳").ids  # <unk>: the full tokenizer takes over


def test_lean_needs_the_leading_special_tokens() -> None:
    broken = tokenizer_json()
    broken["model"]["vocab"][1] = ["Ж", 0.0]
    broken["added_tokens"] = [t for t in broken["added_tokens"] if t["content"] != "<pad>"]
    with pytest.raises(ValueError, match="first special tokens"):
        lean_tokenizer(broken)
