"""The piece table (qa.index.pieces): a unigram model of only a text's pieces tokenizes it as the whole model."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer, models

from qa.index import pieces

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
VOCAB = [[t, 0.0] for t in SPECIALS] + [["▁", -2.0], ["咸阳", -3.0], ["咸", -5.0], ["阳", -5.0], ["▁咸阳市", -2.5], ["市", -4.0],
                                         ["宽带", -3.0], ["宽", -6.0], ["带", -6.0], ["用户", -3.5], ["户", -6.0], ["用", -6.0],
                                         ["宽带用户", -4.0], ["<unk>x", -9.0], ["<mask>", 0.0]]
SOURCE = pieces.source_of({"model": "tiny", "export_version": 1})


def tokenizer_json() -> dict:
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
             for i, t in [*enumerate(SPECIALS), (len(VOCAB) - 1, "<mask>")]]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
            "post_processor": None, "decoder": None,
            "model": {"type": "Unigram", "unk_id": 3, "vocab": VOCAB, "byte_fallback": False}}


@pytest.fixture
def table(tmp_path: Path) -> pieces.PieceTable:
    pieces.write(tmp_path, tokenizer_json(), SOURCE)
    loaded = pieces.load(tmp_path, SOURCE)
    assert loaded is not None
    return loaded


def test_vocabulary_holds_the_texts_pieces_and_the_special_tokens(table: pieces.PieceTable) -> None:
    vocab, ids = table.vocabulary(["▁咸阳市宽带"])
    assert [p for p, _ in vocab] == ["<s>", "<pad>", "</s>", "<unk>", "▁", "咸阳", "咸", "阳", "▁咸阳市", "市", "宽带", "宽", "带", "<mask>"]
    assert ids.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 18]
    assert [s for _, s in vocab] == [VOCAB[i][1] for i in ids]
    assert table.unk_id == 3


@pytest.mark.parametrize("text", ["咸阳市宽带用户", "宽带 用户 咸阳", "用户宽带市", "咸", "阳阳阳宽", "咸阳Ж宽带"])
def test_piece_model_tokenizes_as_the_whole_model(table: pieces.PieceTable, text: str) -> None:
    whole = Tokenizer.from_str(json.dumps(tokenizer_json()))
    shell = Tokenizer.from_file(str(table.shell))
    pretokens = [p for p, _ in shell.pre_tokenizer.pre_tokenize_str(text)]
    vocab, ids = table.vocabulary(pretokens)
    small = Tokenizer(models.Unigram(vocab, unk_id=3, byte_fallback=False))
    small.pre_tokenizer = shell.pre_tokenizer
    assert ids[np.array(small.encode(text).ids)].tolist() == whole.encode(text).ids


@pytest.mark.parametrize("damage", ["scores.npy", "shell.json", "table/keys.npy", "pieces.json"])
def test_damaged_table_is_not_used(tmp_path: Path, damage: str) -> None:
    pieces.write(tmp_path, tokenizer_json(), SOURCE)
    path = tmp_path / damage
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    assert pieces.load(tmp_path, SOURCE) is None


def test_table_of_another_model_is_not_used(tmp_path: Path) -> None:
    pieces.write(tmp_path, tokenizer_json(), SOURCE)
    assert pieces.load(tmp_path, pieces.source_of({"model": "other", "export_version": 1})) is None
