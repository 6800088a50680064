"""A word counts in a text only where the text uses it as a word, not where it straddles two."""
from __future__ import annotations

import pytest

from qa.index.segment import has_word


@pytest.mark.parametrize(("text", "word"), [
    ("全市移动电话用户数达到300万户", "手机用户") ,
    ("大力推广电子商务", "广电"),
    ("实现网上办公", "网上办"),
    ("加强资金保障", "金保"),
    ("加快政务网站建设", "政务网"),
    ("支持中国企业走出去", "国企"),
])
def test_absent_or_straddling(text: str, word: str) -> None:
    assert not has_word(text, word)


@pytest.mark.parametrize(("text", "word"), [
    ("移动电话用户数达到300万户", "移动电话"),  # whole words
    ("移动电话用户数达到300万户", "电话"),  # inside one word
    ("宽带用户总数达到30万户", "宽带用户"),
    ("推广电子政务，广电网络全覆盖", "广电"),  # a straddling and a true occurrence
    ("国企改革", "国企"),
])
def test_used_as_a_word(text: str, word: str) -> None:
    assert has_word(text, word)
