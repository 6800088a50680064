"""Question slots (qa.answer.query): places by list and pattern, time role, attribute, answer type."""
from __future__ import annotations

import pytest

from qa.answer.query import (
    Scope,
    analyse,
    answer_type,
    find_years,
    qualifiers,
    time_role,
)

SCOPE = Scope(cities=("咸阳", "宝鸡"), plan_windows=((2011, 2015),), review_years=(2007,))


@pytest.mark.parametrize("question, place", [
    ("绵阳市到2015年宽带用户目标是多少？", "绵阳"),
    ("泉州的宽带用户目标是多少？", "泉州"),
    ("张掖市2015年宽带用户要达到多少", "张掖"),
    ("兰州到2015年宽带用户目标是多少？", "兰州"),
    ("岐山县的宽带接入工程计划投资多少？", "岐山"),
    ("甘肃省十二五期间信息服务业增加值目标是多少？", "甘肃"),
])
def test_places_are_found_by_pattern_not_only_by_list(question: str, place: str) -> None:
    assert place in analyse(question, SCOPE.cities, SCOPE).places


def test_generic_place_words_are_not_places() -> None:
    assert analyse("城镇家庭上网率到2015年达到多少？", SCOPE.cities, SCOPE).places == ()
    # a quantifier before an administrative word names no place
    assert analyse("宝鸡市里的政务网往下连到各县区，走的是啥线路？", SCOPE.cities, SCOPE).places == ("宝鸡",)
    # an everyday word the segmenter's dictionary calls a place (东西), or one it only guessed (上建)
    assert analyse("网上有人传违法的东西，宝鸡规划说咋对付？", SCOPE.cities, SCOPE).places == ("宝鸡",)
    assert analyse("宝鸡那个平台是在啥基础上建的；哪年建？", SCOPE.cities, SCOPE).places == ("宝鸡",)
    assert analyse("绵阳的宽带目标是多少？", SCOPE.cities, SCOPE).places == ("绵阳",)


def test_corpus_cities_keep_their_order() -> None:
    assert analyse("宝鸡2009年和咸阳2010年的固定电话用户各有多少？", SCOPE.cities, SCOPE).places == ("宝鸡", "咸阳")


@pytest.mark.parametrize("question, role", [
    ("咸阳到2015年宽带用户要达到多少？", "target"),
    ("咸阳市宽带用户到十二五末达到多少？", "target"),
    ("2010年底咸阳固定电话用户总数是多少？", "status"),
    ("十一五末咸阳宽带用户已经有多少户？", "status"),
    ("2007年咸阳有线电视用户达到了多少？", "status"),
    ("咸阳十二五期间宽带用户最终实际达到了多少？", "outcome"),
    ("宝鸡2009年移动电话用户的实际数是多少？", "status"),  # the actual figure of a past year is a status
    ("咸阳十二五期间宽带用户最终达到了多少？", "outcome"),
    ("宝鸡门户网站一站式服务平台的最终目的是什么？", ""),  # an aim, not an outcome
    ("咸阳目前有多少宽带用户？", "status"),
    ("十一五那几年咸阳两化融合做到什么程度了？", "status"),  # the years of 十一五, before the plan
    ("十一五前几年宝鸡电子政务怎么样？", "status"),  # any stretch of a period's years is a time
    ("十二五头几年咸阳宽带用户发展多少？", "target"),
    ("咸阳无纸化办公，十一五做到多大比例的部门？", "status"),  # a period before the plans is a past time
    ("咸阳十一五规划提出了哪些任务？", ""),  # unless it names its plan
    ("宝鸡基础资源综合服务平台哪年建？", ""),  # 基础 of a name asks no status
    ("宝鸡信息服务业这几年势头咋样？", "status"),  # the recent past
    ("宝鸡十二五信息化规划的文号是什么？", ""),
])
def test_time_role(question: str, role: str) -> None:
    assert analyse(question, SCOPE.cities, SCOPE).role == role


def test_a_year_decides_before_wording() -> None:
    # "达到了" sounds like a status, but 2015 is inside the plan's period.
    assert time_role("2015年宽带用户达到了多少", (2015,), (), SCOPE) == "target"
    assert time_role("2009年宽带用户目标", (2009,), (), SCOPE) == "status"


@pytest.mark.parametrize("question, kind", [
    ("这个目标在哪一部分提出的？", "where"),
    ("咸阳十二五规划的文号是什么？", "docpart"),
    ("主要任务有哪些？", "list"),
    ("规划是哪天印发的？", "when"),
    ("由哪个部门牵头？", "who"),
    ("经费怎么保障？", "how"),
    ("投入多少资金？", "number"),
    ("是否建设数据中心？", "yesno"),
    ("指导思想是什么？", "what"),
    ("想让规模大点的公司设一个负责信息化的高管，这个职位叫啥？", "what"),  # 规模 is a modifier
    ("这个平台的名称是什么？", "what"),
    ("十一五那几年两化融合做到什么程度了？", "what"),  # 那几年 is a stretch of time, no count asked
    ("这几年建了几个平台？", "number"),
    ("市应急办牵头的那个项目安排了多少万元经费？", "number"),  # the who names the project, it is not asked
    ("那个工程是哪个单位负责的？", "who"),
    ("工业经济运行监测网建到了哪几级？", "number"),  # levels are answered as a count: 市县两级
    ("宝鸡和咸阳谁的宽带目标更高？", "number"),  # a comparison of figures, not a who
])
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


def test_attribute_drops_place_time_and_question_words() -> None:
    facts = analyse("到2015年咸阳的宽带用户目标是多少万户？", SCOPE.cities, SCOPE)
    assert facts.attribute == "宽带用户"
    assert analyse("宝鸡市级行政许可网上办理比例是多少？", SCOPE.cities, SCOPE).attribute.startswith("市级")
    # 几成 asks a share; in 多大成交额 the 成 belongs to 成交额
    assert analyse("宝鸡2015年网上买卖做到多大成交额？", SCOPE.cities, SCOPE).attribute.endswith("成交额")
    assert "成" not in analyse("宝鸡网上审批有几成？", SCOPE.cities, SCOPE).attribute
    # 什么程度 asks a description: 程度 is no word the answer must say
    assert analyse("十一五那几年咸阳两化融合做到什么程度了？", SCOPE.cities, SCOPE).attribute == "两化融合"
    assert "水平" in analyse("咸阳信息化水平指数目标是多少？", SCOPE.cities, SCOPE).attribute
    assert analyse("咸阳农村现在是个啥水平？", SCOPE.cities, SCOPE).attribute == "农村"
    # 多不多, 够不够 only ask yes or no
    assert analyse("眼下咸阳企业网上交易多不多？", SCOPE.cities, SCOPE).attribute == "企业网上交易"


def test_qualifiers_and_years() -> None:
    # 家庭 of 农村家庭 is also the household of the group 企业/居民/家庭 (not an enterprise figure)
    assert set(qualifiers("农村家庭上网率")) == {"农村家庭", "农村", "家庭"}
    assert find_years("二○一一年一月二十六日与2015年") == (2015, 2011)


def test_an_indicator_asked_without_how_much_is_a_number_question() -> None:
    from qa.answer.query import answer_type

    assert answer_type("宝鸡2015年农村居民每百户电脑拥有量目标？") == "number"
    assert answer_type("咸阳的宽带普及率？") == "number"
    assert answer_type("咸阳 2015 年 宽带用户 目标?") == "number"
    assert answer_type("咸阳宽带接入工程安排在哪几年实施？") == "when"
    assert answer_type("咸阳的电子政务目标？") != "number"


def test_attribute_leaves_out_what_the_question_gives_and_what_kind_of_answer_it_wants() -> None:
    # "除了A，还是…": A is given, not asked
    facts = analyse("宝鸡除了是建设部数字化城管试点城市，还是哪个部门的城市信息化试点城市", SCOPE.cities, SCOPE)
    assert "城管" not in facts.attribute and "试点城市" in facts.attribute
    # 叫什么名字 / 文末 say what kind of answer and where, not what is asked about
    assert "名字" not in analyse("咸阳成立的信息化行业协会叫什么名字？", SCOPE.cities, SCOPE).attribute
    assert "文末" not in analyse("规划文末列了哪两个附件？", SCOPE.cities, SCOPE).attribute
    # a spoken topic marker (这块, 这事) and a reference to a thing named before (这个项目) ask nothing
    assert analyse("咸阳电子商务这块定了啥目标？", SCOPE.cities, SCOPE).attribute == "电子商务"
    assert analyse("这个项目谁负责？", SCOPE.cities, SCOPE).attribute == ""
    assert analyse("该工程计划投资多少？", SCOPE.cities, SCOPE).attribute == "投资"
    assert "工程" in analyse("应该建哪些工程？", SCOPE.cities, SCOPE).attribute


def test_a_reference_to_a_thing_named_before_is_told() -> None:
    from qa.answer.query import refers_back

    assert refers_back("这个项目谁负责？") and refers_back("该平台哪年建成？") and refers_back("那个工程投资多少？")
    assert not refers_back("宝鸡的电子政务工程有哪些？") and not refers_back("应该工程化吗？")


def test_enumerated_latin_terms_stay_separate_words() -> None:
    attribute = analyse("咸阳有哪些企业用上了CAD、CAM、CAPP？", SCOPE.cities, SCOPE).attribute
    assert "CADCAM" not in attribute and "CAD" in attribute and "CAPP" in attribute


def test_an_indicator_with_a_year_before_its_target_asks_a_number() -> None:
    assert answer_type("宝鸡有线电视用户2015年目标？") == "number"
    assert answer_type("咸阳软件业收入2015年目标？") == "number"  # 收入 is a figure too
    assert answer_type("宝鸡有线电视用户“十二五”末目标？") == "number"


def test_how_many_items_is_a_list_question_but_how_many_things_is_a_number() -> None:
    assert answer_type("宝鸡的基本原则有几条？") == "list"
    assert answer_type("咸阳存在的问题有几个方面？") == "list"
    assert answer_type("咸阳的政府门户网站上总共挂了多少条信息？") == "number"
    assert answer_type("宝鸡有几个专家管理系统？") == "number"


def test_shi_yi_ji_is_the_city_level() -> None:
    assert qualifiers("咸阳市一级的审批事项有几成可以网上申请？") == ("市级",)


@pytest.mark.parametrize("question", ["十二五末的信息化指数目标，咸阳和宝鸡谁定得高？", "咸阳和宝鸡2015年宽带用户目标哪个更多？"])
def test_which_is_higher_compares_figures_and_is_no_who(question: str) -> None:
    facts = analyse(question, SCOPE.cities, SCOPE)
    assert facts.answer_type == "number" and facts.wants_number
    assert not any(w in facts.attribute for w in ("谁", "高", "哪个", "多"))


def test_a_programme_named_after_the_place_keeps_its_name() -> None:
    facts = analyse("数字宝鸡眼下搞到啥程度了？", SCOPE.cities, SCOPE)
    assert facts.places == ("宝鸡",) and "数字宝鸡" in facts.attribute
    assert facts.role == "status"  # 眼下 is now
    assert "宝鸡" not in analyse("宝鸡的数字电视用户有多少？", SCOPE.cities, SCOPE).attribute


def test_a_place_with_its_own_administrative_suffix_is_surely_a_place() -> None:
    assert "乾县" in analyse("2007年咸阳的村级信息服务站里，乾县有几个？", SCOPE.cities, SCOPE).admin_places


def test_where_in_a_table_is_no_asked_word() -> None:
    assert "表里" not in analyse("宝鸡重点工程表里，农村信息化重点工程列了哪几个项目？", SCOPE.cities, SCOPE).attribute


def test_distributive_words_and_ranks_are_frame_words() -> None:
    # 各自 (like 分别), 行列 of 进入…行列 and 层面 of 在全国层面 say nothing of what is asked
    facts = analyse("在全国层面，咸阳和宝鸡各自想进入什么行列？", SCOPE.cities, SCOPE)
    assert facts.attribute == "全国进入"


@pytest.mark.parametrize("question, attribute", [
    ("咸阳打不打算给警察上电脑课？", "给警察上电脑课"),  # A不AB: 打算's asking form, not 打不打 + 算
    ("咸阳需不需要建数据中心？", "建数据中心"),
    ("宝鸡的资金够不够用？", "资金"),
    ("有没有电子商务平台？", "电子商务平台"),
])
def test_an_a_not_a_asking_form_is_removed_whole(question: str, attribute: str) -> None:
    assert analyse(question, SCOPE.cities + ("宝鸡",), SCOPE).attribute == attribute


@pytest.mark.parametrize("question, place", [
    ("攀枝花到2015年宽带用户目标是多少？", "攀枝花"), ("克拉玛依2010年宽带用户有多少？", "克拉玛依"),
    ("旬邑县的信息化进展如何？", "旬邑"), ("凤翔县农村信息服务站建了几个？", "凤翔"), ("渭南市临渭区的宽带用户？", "渭南"),
])
def test_places_are_found_by_the_dictionarys_tags(question: str, place: str) -> None:
    # the place tagger reads the dictionary's ns tags (no HMM guessing of unknown words)
    from qa.answer.query import find_places
    assert place in find_places(question)


def test_a_word_glued_from_frame_characters_is_a_frame_word() -> None:
    # the segmenter glues 各|定 and 它|定; neither names what is asked
    assert analyse("十二五电子商务这块，咸阳和宝鸡各定了啥目标？", SCOPE.cities + ("宝鸡",), SCOPE).attribute == "电子商务"
