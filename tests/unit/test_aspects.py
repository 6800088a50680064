"""Two-part questions (qa.answer.aspects): one aspect per asked thing."""
from __future__ import annotations

from qa.answer.aspects import split_aspects


def aspects(question: str, kind: str = "number", setting: str = "") -> list[tuple[str, str, bool]]:
    return [(a.label, a.question, a.whole) for a in split_aspects(question, kind, ("咸阳", "宝鸡"), setting)]


def test_one_clause_per_thing_asked_and_the_setting_goes_to_the_later_clause() -> None:
    got = aspects("咸阳2010年信息化综合指数是多少？在全省排第几？", setting="咸阳2010年")
    assert [q for _, q, _ in got] == ["咸阳2010年信息化综合指数是多少？", "咸阳2010年在全省排第几？"]
    assert all(whole for _, _, whole in got)  # a clause lacks its subject: search with the whole question


def test_two_things_joined_before_one_question_word() -> None:
    got = aspects("宝鸡农业科技服务平台及综合服务工程的经费和实施年度是什么？", kind="what")
    assert [label for label, _, _ in got] == ["经费", "实施年度"]
    assert got[1][1] == "宝鸡农业科技服务平台及综合服务工程的实施年度是什么？"
    assert not any(whole for _, _, whole in got)


def test_two_indicators_keep_the_time_and_place_said_once() -> None:
    got = aspects("到2015年咸阳的宽带用户和移动电话用户目标各是多少？")
    assert [q for _, q, _ in got] == ["到2015年咸阳的宽带用户目标各是多少？", "到2015年咸阳的移动电话用户目标各是多少？"]


def test_sub_groups_share_their_head_noun() -> None:
    got = aspects("咸阳2015年城镇和农村家庭上网率目标分别是多少？")
    assert [label for label, _, _ in got] == ["城镇家庭上网率", "农村家庭上网率"]


def test_one_thing_asked_is_not_split() -> None:
    assert aspects("到2015年咸阳的宽带用户目标是多少？") == []
    assert aspects("构建社会主义和谐社会的目标是什么", kind="what") == []  # 和谐 is no conjunction
    assert aspects("宝鸡电子政务和电子商务方面有哪些重点工程？", kind="list") == []  # a list is one answer
    # the joined words are the subject of another clause, not the things asked
    assert aspects("宝鸡想让国企和政府部门设专门管信息化的高管，这叫什么制度？", kind="what") == []
    # two verbs joined by 和 are one predicate: one thing is asked of them
    assert aspects("乙市信息安全要建立和完善什么保护制度？", kind="what") == []
    assert len(aspects("乙市该工程的经费和实施年度是什么？", kind="what")) == 2


def test_a_clause_asking_only_the_name_belongs_to_the_clause_before() -> None:
    from qa.answer.aspects import split_aspects
    assert split_aspects("宝鸡对政府网站内容维护得好不好，有没有定专门的考核办法？叫什么名字？", "what") == []
