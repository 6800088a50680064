"""Follow-ups (qa.answer.rewrite): only elliptical questions lean on the conversation."""
from __future__ import annotations

import pytest

from qa.answer.rewrite import is_elliptical, rewrite, rewrite_with_focus


@pytest.mark.parametrize("question", ["那宝鸡呢？", "农村呢？", "其中首期投了多少？", "这个项目计划经费是多少？",
                                      "宝鸡呢？由哪个部门牵头？", "计划经费多少？", "哪一年实施？", "第二项具体指什么？",
                                      "负责单位是谁？", "建设内容是什么？",
                                      "附件里谁负责？", "哪年建？", "责任机构是哪个？"])  # a property of something unnamed
def test_elliptical(question: str) -> None:
    assert is_elliptical(question)


@pytest.mark.parametrize("question", ["咸阳市“十二五”规划中电子信息产业工业总产值的年均增速目标是多少？",
                                      "2007年咸阳全市“商务领航”用户达到了多少家？", "电子政务有哪些目标？",
                                      "宽带用户有多少？"])
def test_complete_questions_are_not_elliptical(question: str) -> None:
    assert not is_elliptical(question)


def test_place_swap() -> None:
    assert rewrite("那宝鸡呢？", ["到2015年咸阳的宽带用户目标是多少？"]) == "到2015年宝鸡的宽带用户目标是多少？"


def test_sub_group_swap() -> None:
    assert rewrite("那县级的呢？", ["到十二五末，咸阳市级行政许可要有多大比例实现网上办理？"]) == \
        "到十二五末，咸阳县级行政许可要有多大比例实现网上办理？"
    assert "农村家庭上网率" in rewrite("农村呢？", ["咸阳城镇家庭上网率的目标是多少？"])


def test_a_complete_question_is_never_merged_with_the_history() -> None:
    history = ["宽带用户数目标是多少", "信息化水平指数目标是多少"]
    assert rewrite_with_focus("电子政务有哪些目标？", history) == ("电子政务有哪些目标？", "电子政务有哪些目标？")


def test_a_question_without_a_place_takes_the_conversations_place() -> None:
    standalone, focus = rewrite_with_focus("示范项目要实施多少个？", ["咸阳十二五期间要培育多少家省级示范企业？"])
    assert standalone == "咸阳示范项目要实施多少个？" and focus == "示范项目要实施多少个？"


def test_only_the_previous_question_gives_context() -> None:
    history = ["咸阳到2015年宽带用户要达到多少？", "宝鸡的电话普及率目标是多少？"]
    standalone, focus = rewrite_with_focus("计划经费多少？", history)
    assert "宽带" not in standalone and "电话普及率" in standalone and focus == "计划经费多少"


def test_new_place_in_a_topic_follow_up_replaces_the_old_one() -> None:
    standalone, _ = rewrite_with_focus("宝鸡呢？由哪个部门牵头？", ["咸阳的数字城管工程由哪个部门牵头？"])
    assert "咸阳" not in standalone and "宝鸡" in standalone


def test_a_new_indicator_alone_takes_the_previous_question() -> None:
    from qa.answer.rewrite import rewrite

    assert rewrite("那有线数字电视用户呢？", ["咸阳到2015年宽带用户目标是多少？"]) == "咸阳到2015年有线数字电视用户目标是多少？"
    # A two-character qualifier does not replace the indicator.
    assert "宽带用户" in rewrite("总数呢？", ["2007年咸阳新增宽带用户多少？"])


def test_total_after_an_increase_asks_the_level() -> None:
    from qa.answer.rewrite import rewrite

    assert rewrite("总数呢？", ["2007年咸阳新增宽带用户多少？"]) == "2007年咸阳宽带用户总数多少？"


@pytest.mark.parametrize("follow_up, expected", [
    ("网民呢？", "宝鸡2009年网民有多少？"),  # a two-character noun names a new indicator
    ("总数呢？", "宝鸡2009年互联网用户总数有多少？"),  # a measure word qualifies the old one
    ("农村呢？", "宝鸡2009年农村互联网用户有多少？"),  # a sub-group of the same indicator
])
def test_a_short_follow_up_swaps_or_qualifies_the_indicator(follow_up: str, expected: str) -> None:
    assert rewrite_with_focus(follow_up, ["宝鸡2009年互联网用户有多少？"]) == (expected, expected)


def test_a_new_indicator_does_not_take_the_old_ones_unit() -> None:
    # 多少人 was asked of 网民; a 普及率 is no number of people
    assert rewrite("互联网普及率呢？", ["宝鸡2009年网民有多少人？"]) == "宝鸡2009年互联网普及率是多少？"
    # the same indicator of another sub-group keeps its unit
    assert rewrite("农村的呢？", ["咸阳2010年城镇家庭有多少户上网？"]).endswith("有多少户上网？")
