"""The memory-mapped lexicon answers exactly as the dicts it was written from (issue 16)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.index import lexicon

# A jieba-shaped FREQ: words with counts, their prefixes with 0; tags for the words only.
FREQ = {"宽": 0, "宽带": 259, "宽带用户": 12, "宽带用": 0, "咸": 0, "咸阳": 80, "用户": 3000, "用": 0, "a": 5, "5G": 1}
TAGS = {"宽带": "n", "宽带用户": "n", "咸阳": "ns", "用户": "n", "a": "eng", "5G": "eng", "目标": "n"}  # 目标: tag, no FREQ
TOTAL = sum(FREQ.values())
SOURCE = lexicon.source_key([b"jieba 0.42.1", b"dict", b"userdict"])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return lexicon.write(tmp_path / "lexicon", FREQ, TAGS, TOTAL, SOURCE)


def test_lookups_equal_the_dicts(folder: Path) -> None:
    table = lexicon.load(folder, SOURCE)
    assert table is not None and table.total == TOTAL and table.size == len(set(FREQ) | set(TAGS))
    for word in [*FREQ, *TAGS, "宽带用户目标", "", "阳", "咸阳市", "A"]:
        assert table.freq(word) == FREQ.get(word), word
        assert table.tag(word) == TAGS.get(word), word
    assert table.column("freq") == FREQ and table.column("tag") == TAGS


def test_overlay_reads_like_jiebas_dict_and_takes_writes(folder: Path) -> None:
    table = lexicon.load(folder, SOURCE)
    freq = lexicon.Overlay(table, "freq")
    assert "宽带用" in freq and freq["宽带用"] == 0 and freq.get("宽带用") == 0  # a prefix: a key with 0
    assert "目标" not in freq and freq.get("目标") is None and freq.get("目标", 1) == 1  # tagged only: no FREQ key
    assert 7 not in freq
    with pytest.raises(KeyError):
        freq["宝鸡"]
    freq["宝鸡"] = 80  # add_word
    freq["咸阳"] = 1
    assert freq["宝鸡"] == 80 and freq["咸阳"] == 1 and "宝鸡" in freq
    assert freq.to_dict() == {**FREQ, "宝鸡": 80, "咸阳": 1}
    tags = lexicon.Overlay(table, "tag")
    tags.update({"宝鸡": "ns"})  # the tagger merging user-dictionary tags
    assert tags.get("宝鸡") == "ns" and tags.get("咸阳") == "ns" and tags.get("宽", "x") == "x"
    with pytest.raises(ValueError, match=r"Unknown lexicon column 'total'. Supported columns: \['freq', 'tag'\]"):
        lexicon.Overlay(table, "total")


@pytest.mark.parametrize("damage", ["flip", "truncate", "manifest", "missing"])
def test_damaged_lexicon_is_not_used(folder: Path, damage: str) -> None:
    if damage == "flip":
        data = bytearray((folder / "freqs.npy").read_bytes())
        data[-1] ^= 1
        (folder / "freqs.npy").write_bytes(bytes(data))
    elif damage == "truncate":
        (folder / "slots.npy").write_bytes((folder / "slots.npy").read_bytes()[:-8])
    elif damage == "manifest":
        (folder / "manifest.json").write_text("{", encoding="utf-8")
    else:
        (folder / "keys.npy").unlink()
    assert lexicon.load(folder, SOURCE) is None


def test_other_source_or_format_is_not_used(folder: Path) -> None:
    assert lexicon.load(folder, lexicon.source_key([b"jieba 0.42.1", b"dict", b"other userdict"])) is None
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 0}), encoding="utf-8")
    assert lexicon.load(folder, SOURCE) is None
    assert lexicon.load(folder.parent / "nothing-here", SOURCE) is None


def test_an_existing_lexicon_is_kept(folder: Path) -> None:
    before = (folder / "manifest.json").read_text(encoding="utf-8")
    lexicon.write(folder, {"别的": 1}, {}, 1, SOURCE)  # another process got there first
    assert (folder / "manifest.json").read_text(encoding="utf-8") == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary folder left


def test_an_overlay_remembers_lookups_and_added_words_still_win() -> None:
    calls: list[str] = []

    class Table:
        def freq(self, word: str) -> int | None:
            calls.append(word)
            return {"宽带": 5}.get(word)

    overlay = lexicon.Overlay(Table(), "freq")
    assert "宽带" in overlay and overlay["宽带"] == 5 and "光纤" not in overlay and "光纤" not in overlay
    assert calls == ["宽带", "光纤"]  # each fragment probed once, hits and misses alike
    overlay["光纤"] = 3  # a word added later (jieba's add_word) is found over a remembered miss
    assert overlay["光纤"] == 3
