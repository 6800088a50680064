"""Questions about a document itself (qa.answer.header), on a made-up notice."""
from __future__ import annotations

from qa.answer.header import asked_part, find_part
from qa.ingest.documents import Document

NOTICE = (
    "绵阳市“十三五”信息化规划\n"
    "绵阳市人民政府关于印发《绵阳市“十三五”信息化规划》的通知\n"
    "绵府发〔2016〕7号\n"
    "各县市区人民政府，市政府各部门：    现将《规划》印发给你们，请认真执行。\n"
    "二○一六年三月五日\n"
    "一、发展现状\n"
)


def doc(text: str = NOTICE, number: str = "绵府发〔2016〕7号", office: str = "绵阳市人民政府") -> Document:
    return Document(doc_id="my", title="绵阳市“十三五”信息化规划", text=text, path="my.txt", sha256="0",
                    doc_number=number, office=office)


def part(name: str, document: Document | None = None) -> str | None:
    document = document or doc()
    span = find_part(document, name)
    return None if span is None else document.text[span.start:span.end]


def test_which_part_a_question_asks_for() -> None:
    assert asked_part("这份规划是哪天印发的？") == "date"
    assert asked_part("规划的发文字号是什么？") == "doc_number"
    assert asked_part("通知主送了哪些单位？") == "addressees"
    assert asked_part("标题全称是什么？") == "title"
    assert asked_part("发文机关是谁？") == "office"
    assert asked_part("到2015年宽带用户目标是多少？") == ""


def test_each_part_is_a_verbatim_span_of_the_front_matter() -> None:
    assert part("title") == "绵阳市“十三五”信息化规划"
    assert part("doc_number") == "绵府发〔2016〕7号"
    assert part("date") == "二○一六年三月五日"
    assert part("addressees") == "各县市区人民政府，市政府各部门"
    assert part("office") == "绵阳市人民政府"


def test_a_document_without_front_matter_has_no_such_part() -> None:
    plain = doc(text="绵阳市2016年信息化综述\n2016年是信息化快速发展的一年。\n", number="", office="")
    assert part("date", plain) is None
    assert part("doc_number", plain) is None
    assert part("addressees", plain) is None
    assert part("title", plain) == "绵阳市2016年信息化综述"
