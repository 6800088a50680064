"""Plain-text reading (qa.ingest.readers.txt): encodings detected, logged, never guessed silently."""
from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from qa.errors import PlanQAError
from qa.ingest.documents import load_document
from qa.ingest.readers import read_file
from qa.ingest.readers.txt import decode

RNG = random.Random(1)
PLAN = "榆林市“十三五”信息化发展规划\n一、发展目标\n到2020年，全市宽带用户达到95万户，光纤入户率达到80%。\n"


@pytest.mark.parametrize(("data", "encoding"), [
    pytest.param(PLAN.encode("utf-8"), "utf-8", id="utf-8"),
    pytest.param(codecs.BOM_UTF8 + PLAN.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
    pytest.param(PLAN.encode("gbk"), "gb18030", id="gbk"),
    pytest.param((PLAN + "𠀀字").encode("gb18030"), "gb18030", id="gb18030-4-byte"),
    pytest.param(PLAN.encode("utf-16"), "utf-16", id="utf-16-bom"),
    pytest.param(codecs.BOM_UTF16_BE + PLAN.encode("utf-16-be"), "utf-16", id="utf-16-be-bom"),
    pytest.param(PLAN.encode("utf-16-le"), "utf_16_le", id="utf-16-le-no-bom"),
])
def test_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    text, found = decode(data, Path("plan.txt"))
    assert text.removesuffix("𠀀字") == PLAN
    assert found == encoding


def test_gbk_file_loads_with_its_encoding_recorded(tmp_path: Path) -> None:
    path = tmp_path / "榆林市规划.TXT"  # extensions in any case
    path.write_bytes(PLAN.encode("gbk"))
    doc = load_document(path)
    assert doc.text == PLAN and doc.encoding == "gb18030" and doc.format == "txt"
    assert doc.title == "榆林市“十三五”信息化发展规划" and doc.city == "榆林" and doc.period == "十三五"


@pytest.mark.parametrize(("data", "reason"), [
    pytest.param(bytes(RNG.randrange(128, 256) for _ in range(3000)), r"cannot tell the text encoding|not decodable|not readable",
                 id="random-high-bytes"),
    pytest.param(b"\xa2" * 3000, r"not readable Chinese", id="one-repeated-byte"),
    pytest.param("Hello café".encode("cp1252") * 20, r"cannot tell the text encoding \(best guess", id="latin-1"),
    pytest.param(b"\x01\x02\x03\x04" * 200 + "正文".encode(), r"control characters", id="control-bytes"),
])
def test_undecodable_text_is_refused_naming_the_file(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(PlanQAError, match=reason) as info:
        read_file(path, data)
    assert str(info.value).startswith(str(path))
