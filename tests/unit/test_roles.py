"""Section and time roles (qa.answer.roles) for any plan's outline."""
from __future__ import annotations

import pytest

from qa.answer.roles import (
    DocProfile,
    document_kind,
    section_role,
    sentence_role,
    sentence_year,
)

PLAN = DocProfile("p", "plan", 2011, 2015, 2010)
REVIEW = DocProfile("r", "review", 2007, 2007, 2007)


@pytest.mark.parametrize("section, role", [
    (("一、“十一五”信息化发展现状", "（一）发展基础"), "status"),
    (("一、发展现状", "（二）存在问题"), "status"),
    (("二、指导思想、基本原则和发展目标", "（三）发展目标在“十二五”期间"), "target"),
    (("二、指导思想、基本原则和发展目标", "（一）指导思想深入贯彻"), "principle"),
    (("三、主要任务及重点工程", "（五）完善电子政务基础设施"), "project"),
    (("四、保障措施", "（一）加强组织领导"), "measures"),
    (("附件：", "重点工程"), "annex"),
    (("发文字号（文号）",), "header"),
    ((), ""),
])
def test_section_role_follows_the_outline(section: tuple[str, ...], role: str) -> None:
    assert section_role(section) == role


def test_document_kind() -> None:
    assert document_kind("咸阳市2007年信息化建设综述") == "review"
    assert document_kind("宝鸡市“十二五”信息化建设规划") == "plan"


@pytest.mark.parametrize("section, sentence, role", [
    ("status", "全市宽带用户总数达到35万户。", "status"),
    ("target", "到2015年，全市宽带用户达到95万户。", "target"),
    ("task", "目前已建成市级电子政务平台。", "status"),
    ("task", "2009年全市电信收入14.24亿元。", "status"),
    ("measures", "加强组织领导。", ""),
])
def test_sentence_role(section: str, sentence: str, role: str) -> None:
    assert sentence_role(PLAN, section, sentence) == role
    assert sentence_role(REVIEW, section, sentence) == "status"


def test_sentence_year_from_the_paragraph_or_the_plan() -> None:
    assert sentence_year(PLAN, "status", "全市宽带用户总数达到35万户。", "2010年底，全市固定电话用户85.9万户。") == 2010
    assert sentence_year(PLAN, "status", "全市宽带用户总数达到35万户。", "") == 2010
    assert sentence_year(PLAN, "target", "宽带用户达到95万户。", "") == 2015
    assert sentence_year(PLAN, "target", "到2013年建成平台。", "") == 2013
