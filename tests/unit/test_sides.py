"""Comparison sides (qa.answer.sides): each side keeps its own place and year."""
from __future__ import annotations

from qa.answer.query import Scope, analyse
from qa.answer.sides import split_sides

SCOPE = Scope(cities=("咸阳", "宝鸡"), plan_windows=((2011, 2015),), review_years=(2007,))


def sides(question: str) -> list[tuple[str, str, str | None]]:
    facts = analyse(question, SCOPE.cities, SCOPE)
    return [(s.label, s.question, s.city) for s in split_sides(question, facts, SCOPE.cities)]


def test_each_city_keeps_its_own_year() -> None:
    got = sides("宝鸡2009年的固定电话用户数和咸阳2007年的固定电话用户总数各是多少？")
    assert [(label, city) for label, _, city in got] == [("宝鸡", "宝鸡"), ("咸阳", "咸阳")]
    assert "2009" in got[0][1] and "2007" not in got[0][1]
    assert "2007" in got[1][1] and "2009" not in got[1][1]


def test_a_shared_year_stays_on_both_sides() -> None:
    got = sides("到2015年宝鸡和咸阳的宽带用户目标分别是多少？")
    assert all("2015" in q for _, q, _ in got)


def test_two_years_of_one_city() -> None:
    got = sides("咸阳2010年宽带用户有多少，2015年的目标是多少？")
    assert [label for label, _, _ in got] == ["2010年", "2015年"]
    assert all(city == "咸阳" for _, _, city in got)


def test_from_to_is_two_sides_but_a_period_range_is_one() -> None:
    assert len(sides("咸阳数字电视用户从2007年到2010年增长到了多少？")) == 2
    assert len(sides("咸阳2011-2015年宽带投资多少？")) == 1


def test_a_year_and_another_period() -> None:
    got = sides("2007年咸阳的宽带用户和十二五的目标各是多少？")
    assert [label for label, _, _ in got] == ["2007年", "“十二五”"]


def test_no_comparison_is_one_side() -> None:
    assert sides("咸阳到2015年宽带用户要达到多少？") == [("", "咸阳到2015年宽带用户要达到多少？", "咸阳")]


def test_a_year_written_before_its_city_is_that_citys() -> None:
    got = sides("2007年咸阳移动在网用户和2009年宝鸡移动电话用户分别是多少？")
    assert [(label, city) for label, _, city in got] == [("咸阳", "咸阳"), ("宝鸡", "宝鸡")]
    assert "2007" in got[0][1] and "2009" not in got[0][1]
    assert "2009" in got[1][1] and "2007" not in got[1][1]


def test_each_side_naming_its_own_subject_asks_only_that() -> None:
    got = sides("2007年咸阳移动在网用户和2009年宝鸡移动电话用户分别是多少？")
    assert got[0][1] == "2007年咸阳移动在网用户分别是多少？"
    assert got[1][1] == "2009年宝鸡移动电话用户分别是多少？"
    assert sides("咸阳的宽带用户和宝鸡的移动电话用户分别是多少")[0][1] == "咸阳的宽带用户分别是多少"


def test_a_side_without_its_own_subject_shares_the_other_sides() -> None:
    # "宝鸡相比" names no subject: both sides ask for 宽带用户目标
    got = sides("咸阳宽带用户目标和宝鸡相比哪个高？")
    assert all("宽带用户目标" in q for _, q, _ in got)
    assert all("宽带用户目标" in q for _, q, _ in sides("咸阳市和宝鸡市的宽带用户目标各是多少"))


def test_each_place_asking_in_its_own_clause_gets_only_its_clause() -> None:
    from qa.answer.sides import _own_clauses
    sides = _own_clauses("两市信息化的指导思想里，咸阳以什么为核心，宝鸡以什么为中心？", ["咸阳", "宝鸡"])
    assert sides == ["两市信息化的指导思想里，咸阳以什么为核心？", "两市信息化的指导思想里，宝鸡以什么为中心？"]
    # a shared ask at the end is no clause of one's own
    assert _own_clauses("咸阳和宝鸡2015年宽带用户目标分别是多少？", ["咸阳", "宝鸡"]) is None
    assert _own_clauses("咸阳2010年宽带用户多少，宝鸡2009年呢？", ["咸阳", "宝鸡"]) is None
    # spoken question words (啥, 咋) ask too
    sides = _own_clauses("一卡通这事，咸阳定在哪年实现，宝鸡现在到啥程度？", ["咸阳", "宝鸡"])
    assert sides == ["一卡通这事，咸阳定在哪年实现？", "一卡通这事，宝鸡现在到啥程度？"]


def test_both_cities_are_the_sides_of_a_question_about_the_two() -> None:
    from qa.answer.query import Scope, analyse
    from qa.answer.sides import split_sides
    cities = ("咸阳", "宝鸡")
    scope = Scope(cities=cities, plan_windows=((2011, 2015),))
    question = "两市搞农业信息服务，各靠哪个网站当主阵地？"
    sides = split_sides(question, analyse(question, cities, scope), cities)
    assert [(s.label, s.question) for s in sides] == [("咸阳", "咸阳搞农业信息服务，各靠哪个网站当主阵地？"),
                                                     ("宝鸡", "宝鸡搞农业信息服务，各靠哪个网站当主阵地？")]
    # over the documents of three cities, "两市" names no two of them
    three = ("咸阳", "宝鸡", "绵阳")
    assert len(split_sides(question, analyse(question, three, scope), three)) == 1
    assert len(split_sides("两级平台怎么建？", analyse("两级平台怎么建？", cities, scope), cities)) == 1


def test_each_time_asking_in_its_own_clause_after_a_shared_topic() -> None:
    from qa.answer.query import Scope, analyse
    from qa.answer.sides import split_sides
    cities = ("咸阳", "宝鸡")
    scope = Scope(cities=cities, plan_windows=((2011, 2015),), review_years=(2007,))

    def sides(question: str) -> list[tuple[str, str]]:
        return [(s.label, s.question) for s in split_sides(question, analyse(question, cities, scope), cities)]
    assert sides("市政府门户网站，2007年咸阳干了啥，十二五规划又要咋弄？") == [
        ("2007年", "市政府门户网站，2007年咸阳干了啥？"), ("“十二五”", "市政府门户网站，十二五规划又要咋弄？")]
    # the later clause leans on the first for its subject: both keep the whole question
    assert [q for _, q in sides("咸阳2010年宽带用户有多少，2015年的目标是多少？")] == [
        "咸阳2010年宽带用户有多少，的目标是多少？", "咸阳宽带用户有多少，2015年的目标是多少？"]
    # 十一五末 is 2010: a time apart from 2007, though 2007 falls in 十一五
    assert len(sides("政府信息公开，2007年咸阳啥进展？到十一五末的规划里又在往哪深化？")) == 2


def test_two_times_each_naming_its_own_subject_in_its_own_clause() -> None:
    from qa.answer.query import Scope, analyse
    from qa.answer.sides import split_sides
    cities = ("咸阳", "宝鸡")
    scope = Scope(cities=cities, plan_windows=((2011, 2015),), review_years=(2007,))
    question = "2007年咸阳预计电子工业产值是多少？十二五规划定的2015年规模以上电子信息工业产值又是多少？"
    assert [s.question for s in split_sides(question, analyse(question, cities, scope), cities)] == [
        "2007年咸阳预计电子工业产值是多少？", "十二五规划定的2015年规模以上电子信息工业产值又是多少？"]
    lean = "宝鸡信息化综合指数2009年是多少，2015年末要达到多少？"  # 末要 names nothing
    assert all("信息化综合指数" in s.question for s in split_sides(lean, analyse(lean, cities, scope), cities))


def test_a_year_and_a_period_each_stay_with_their_city() -> None:
    got = sides("村村通电话这事，2007年咸阳和宝鸡十一五期间各做到啥程度了？")
    assert [city for _, _, city in got] == ["咸阳", "宝鸡"]
    assert "2007" in got[0][1] and "十一五" not in got[0][1]
    assert "十一五期间" in got[1][1] and "2007" not in got[1][1]
