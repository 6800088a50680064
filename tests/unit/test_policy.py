"""Evidence checks (qa.answer.policy) on a tiny inline plan: every refusal reason."""
from __future__ import annotations

import pytest

from qa.answer.policy import (
    Corpus,
    another_indicator,
    answer_refusal,
    attribute_coverage,
    filter_refusal,
    scope_refusal,
    unknown_terms,
)
from qa.answer.query import Scope, analyse
from qa.answer.select import Quote
from tests.unit.plan_view import make_view

VIEW = make_view()
DOC = next(iter(VIEW.documents.values()))
CORPUS = Corpus(cities=("甲",), text=DOC.text, periods=("十二五",), windows=((2011, 2015),),
                synonyms={"手机": ("移动通信",), "移动通信": ("手机",)})
SCOPE = Scope(cities=("甲",), plan_windows=((2011, 2015),))


def facts(question: str):
    return analyse(question, ("甲",), SCOPE)


def quote_of(needle: str, key: str, role: str, year: int | None, view=VIEW) -> Quote:
    doc = next(iter(view.documents.values()))
    start = doc.text.index(needle)
    chunk = next(i for i, c in enumerate(view.chunks) if c.start <= start < c.end)
    key_start = doc.text.index(key, start)
    return Quote(doc.doc_id, chunk, start, start + len(needle), key_start, key_start + len(key), 3.0, role=role, year=year)


def edited(old: str, new: str):
    """The plan with one passage replaced: its view and its corpus."""
    view = make_view(DOC.text.replace(old, new))
    text = next(iter(view.documents.values())).text
    return view, Corpus(("甲",), text, ("十二五",), ((2011, 2015),), {})


STATUS = quote_of("全市宽带用户总数达到35万户", "35万户", "status", 2010)
TARGET = quote_of("全市宽带用户达到95万户", "95万户", "target", 2015)
COUNTY = quote_of("县级达到60%", "60%", "target", 2015)


@pytest.mark.parametrize("question, reason", [
    ("绵阳市到2015年宽带用户目标是多少？", "other_place"),
    ("甲市十三五期间宽带用户目标是多少？", "other_period"),
    ("甲市2020年宽带用户目标是多少？", "other_period"),
    ("甲市的5G基站要建多少个？", "not_in_corpus"),
])
def test_scope_refusals_name_what_is_missing(question: str, reason: str) -> None:
    f = facts(question)
    refusal = scope_refusal(f, CORPUS, ["5G"] if "5G" in question else [])
    assert refusal is not None and refusal.reason == reason
    assert any(word in refusal.message for word in ("绵阳", "十三五", "2020", "5G"))


def test_in_scope_question_passes() -> None:
    assert scope_refusal(facts("甲市到2015年宽带用户要达到多少？"), CORPUS, ["宽带用户"]) is None


def test_a_status_is_never_passed_off_as_a_target() -> None:
    refusal = answer_refusal(facts("甲市到2015年宽带用户要达到多少？"), STATUS, VIEW, CORPUS)
    assert refusal.reason == "status_only" and "2010年" in refusal.message and "35万户" in refusal.message
    assert answer_refusal(facts("甲市到2015年宽带用户要达到多少？"), TARGET, VIEW, CORPUS) is None


def test_a_target_is_never_passed_off_as_a_status() -> None:
    refusal = answer_refusal(facts("甲市2010年底宽带用户有多少？"), TARGET, VIEW, CORPUS)
    assert refusal.reason == "target_only"
    assert answer_refusal(facts("甲市2010年底宽带用户有多少？"), STATUS, VIEW, CORPUS) is None


def test_a_year_the_document_never_names() -> None:
    refusal = answer_refusal(facts("甲市2008年宽带用户有多少？"), STATUS, VIEW, CORPUS)
    assert refusal.reason == "other_period" and "2008" in refusal.message


def test_a_status_of_another_year() -> None:
    # The plan names 2009 (in passing) but its figures describe 2010.
    view, corpus = edited("部分部门重视不够。", "部分部门2009年起重视不够。")
    quote = quote_of("全市宽带用户总数达到35万户", "35万户", "status", 2010, view)
    refusal = answer_refusal(facts("甲市2009年宽带用户有多少？"), quote, view, corpus)
    assert refusal.reason == "other_period" and "只给出了2010年" in refusal.message


def test_an_outcome_asked_of_a_plan() -> None:
    refusal = answer_refusal(facts("甲市十二五宽带用户实际完成了多少？"), TARGET, VIEW, CORPUS)
    assert refusal.reason == "outcome" and "95万户" in refusal.message


def test_another_sub_groups_value() -> None:
    refusal = answer_refusal(facts("甲市市级行政许可网上办理比例目标是多少？"), COUNTY, VIEW, CORPUS)
    assert refusal.reason == "no_value" and "县级" in refusal.message


def test_filter_excludes_the_named_place() -> None:
    refusal = filter_refusal(facts("乙市呢？宽带目标"), ("甲",), ["甲市规划"])
    assert refusal is None  # 乙 is not a place jieba knows; nothing to say
    refusal = filter_refusal(analyse("宝鸡的宽带目标是多少？", ("甲", "宝鸡"), SCOPE), ("甲",), ["甲市规划"])
    assert refusal.reason == "filtered_out" and "宝鸡" in refusal.message and "《甲市规划》" in refusal.message


def test_coverage_counts_thesaurus_equivalents() -> None:
    assert attribute_coverage([("手机", 1.0)], "移动通信总容量", CORPUS) == 1.0
    assert attribute_coverage([("手机", 1.0), ("农村", 1.0)], "移动通信总容量", CORPUS) == 0.5
    assert unknown_terms(["手机", "无人机", "宽带"], CORPUS) == ["无人机"]


def test_a_word_hidden_across_two_words_is_not_held() -> None:
    """"广电" (广播电视) inside 推广|电子商务 and "金保" inside 资金|保障 are not the words."""
    corpus = Corpus(("甲",), DOC.text, ("十二五",), ((2011, 2015),),
                    {"广电": ("广播电视",), "广播电视": ("广电",), "金保": ("金保工程",), "金保工程": ("金保",)})
    assert attribute_coverage([("广电", 1.0)], "大力推广电子商务应用", corpus) == 0.0
    assert attribute_coverage([("广电", 1.0)], "广电网络覆盖全市", corpus) == 1.0
    assert attribute_coverage([("金保", 1.0)], "加强资金保障", corpus) == 0.0
    assert attribute_coverage([("金保", 1.0)], "建成金保工程二期", corpus) == 1.0


def test_a_sub_group_the_question_does_not_name() -> None:
    view, corpus = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", "企业互联网普及率达到90%。")
    quote = quote_of("企业互联网普及率达到90%", "90%", "target", 2015, view)
    refusal = answer_refusal(facts("甲市到2015年全市人口的互联网普及率要达到多少？"), quote, view, corpus)
    assert refusal.reason == "no_value" and "企业" in refusal.message


def test_a_province_the_documents_only_mention() -> None:
    corpus = Corpus(("甲",), DOC.text + "根据陕西省人民政府的意见。", ("十二五",), ((2011, 2015),), {})
    refusal = scope_refusal(analyse("陕西省十二五信息化规划的宽带目标是多少？", ("甲",), SCOPE), corpus, [])
    assert refusal.reason == "other_place" and "陕西" in refusal.message
    # a company named after the province is no question about the province
    assert scope_refusal(analyse("陕西天宏硅材料公司开工的是什么项目？", ("甲",), SCOPE), corpus, []) is None


def test_a_named_project_of_another_document_is_refused_naming_it() -> None:
    from qa.answer.policy import Corpus, absent_thing_refusal, named_things

    xy = "专栏2：农村信息化重点工程 2、精准农业引导工程：依托我市农业科技园区。"
    bj = "专栏4：农村信息化重点工程 1、农村宽带及有线电视网络覆盖工程。"
    corpus = Corpus(cities=("咸阳", "宝鸡"), text=xy + "\n" + bj, periods=(), windows=(), synonyms={})
    question = "宝鸡的精准农业引导工程要依托什么？"
    assert named_things(question, corpus.text) == ["精准农业引导工程"]
    refusal = absent_thing_refusal(question, [("宝鸡规划", bj)], corpus)
    assert refusal is not None and refusal.reason == "other_place" and "精准农业引导工程" in refusal.message
    assert absent_thing_refusal(question, [("咸阳规划", xy)], corpus) is None
    assert absent_thing_refusal("宝鸡的智慧农业工程要依托什么？", [("宝鸡规划", bj)], corpus) is None  # never named anywhere
    # a user adds 项目 to a project the plan names bare: the plan's name is the thing
    airport = Corpus(cities=("咸阳", "宝鸡"), text=xy + "\n1、航空物流园：依托国际机场。\n" + bj, periods=(), windows=(), synonyms={})
    assert named_things("宝鸡的航空物流园项目投资多少？", airport.text) == ["航空物流园"]
    assert absent_thing_refusal("宝鸡的航空物流园项目投资多少？", [("宝鸡规划", bj)], airport).reason == "other_place"
    assert named_things("宝鸡的物流园项目投资多少？", airport.text) == []  # 物流园 alone is a kind, not a name
    # a kind of thing named in another order is named: 重大信息化项目 is the plan's 信息化重大项目
    xy_annex, bj_annex = "附件一：咸阳市“十二五”信息化重大项目", "宝鸡市重大信息化项目"
    kinds = Corpus(cities=("咸阳", "宝鸡"), text=xy_annex + "\n" + bj_annex, periods=(), windows=(), synonyms={})
    assert absent_thing_refusal("咸阳十二五有哪些重大信息化项目？", [("咸阳规划", xy_annex)], kinds) is None


def test_a_named_technology_the_documents_never_mention_is_refused() -> None:
    from qa.answer.policy import Corpus, unmentioned_technologies

    corpus = Corpus(cities=("咸阳",), text="推进物联网和云计算应用。", periods=(), windows=(), synonyms={})
    assert unmentioned_technologies("咸阳的人工智能产业目标是什么？", corpus) == ["人工智能"]
    assert unmentioned_technologies("咸阳的物联网应用有哪些？", corpus) == []


def test_another_rate_of_the_same_sub_group_is_refused() -> None:
    from qa.answer.policy import Corpus, rate_refusal
    from qa.answer.query import analyse

    corpus = Corpus(cities=("宝鸡",), text="", periods=(), windows=(), synonyms={})
    facts = analyse("宝鸡2015年农村家庭上网率目标是多少？", ("宝鸡",))
    refusal = rate_refusal(facts, "农村家庭电脑拥有率达到45台/百户", corpus)
    assert refusal is not None and "上网率" in refusal.message
    assert rate_refusal(facts, "农村家庭上网率达到30%", corpus) is None
    # jieba leaves 率 alone in 光纤/入户/率: the rate is 入户率, not any 覆盖率
    fibre = analyse("咸阳光纤入户率目标是多少？", ("咸阳",))
    assert rate_refusal(fibre, "应用入户，农村有线电视网络覆盖率达75%以上", corpus) is not None
    assert rate_refusal(fibre, "光纤入户率达到60%", corpus) is None


def test_a_whole_area_figure_is_not_one_companys() -> None:
    from qa.answer.policy import _other_owner
    from qa.answer.query import analyse

    facts = analyse("2007年咸阳全市信息化建设总投资是多少？", ("咸阳",))
    assert _other_owner(facts, "彩虹集团总投资13亿元建设的国内第一条液晶玻璃基板生产线开工建设") == "彩虹集团"
    assert _other_owner(facts, "全市信息化建设总投资达到5亿元") == ""
    assert _other_owner(analyse("彩虹集团总投资多少？", ("咸阳",)), "彩虹集团总投资13亿元") == ""


def test_a_list_of_a_specific_kind_needs_that_kind_in_the_evidence() -> None:
    from qa.answer.policy import list_noun_refusal
    from qa.answer.query import analyse

    facts = analyse("宝鸡的农业科技服务平台及综合服务工程要建立哪些业务系统？", ("宝鸡",))
    row = "农业科技服务平台及综合服务工程 · 实施单位：农业局、科技局 · 实施年度：2011-2013 · 计划经费：1,000万元"
    assert list_noun_refusal(facts, row) is not None
    assert list_noun_refusal(facts, "建立农业生产、农村救济等业务信息系统") is None
    assert list_noun_refusal(analyse("宝鸡有哪些重点工程？", ("宝鸡",)), row) is None  # 工程 is a generic list noun


def test_a_sub_group_is_not_answered_by_the_whole_areas_figure() -> None:
    from qa.answer.policy import _whole_area_only
    from qa.answer.query import analyse

    facts = analyse("咸阳2015年农村宽带用户目标是多少？", ("咸阳",))
    assert _whole_area_only(facts, "全市宽带用户达到95万户") == "全市"
    assert _whole_area_only(facts, "全市农村宽带用户达到20万户") == ""
    assert _whole_area_only(analyse("咸阳2015年宽带用户目标是多少？", ("咸阳",)), "全市宽带用户达到95万户") == ""


def test_a_sub_group_is_not_answered_by_a_figure_that_names_no_sub_group() -> None:
    from qa.answer.policy import _whole_area_only
    from qa.answer.query import analyse

    facts = analyse("十一五末咸阳农村有线电视用户有多少户？", ("咸阳",))
    assert _whole_area_only(facts, "有线电视用户达到46万户", "有线电视用户达到46万户\n一、发展现状") == "总体"
    assert _whole_area_only(facts, "有线电视用户达到46万户", "农村有线电视用户达到46万户") == ""


def test_a_thesaurus_phrase_lends_its_equivalents_to_its_words() -> None:
    from qa.answer.thesaurus import phrase_synonyms
    from qa.index.segment import tokenize
    table = {"网上买卖": ("电子商务",), "电子商务": ("网上买卖",)}
    merged = phrase_synonyms("宝鸡网上买卖一年要做到多大规模？", table, tokenize)
    cut = [t for t in tokenize("网上买卖") if len(t) >= 2 and t != "网上买卖"]
    assert cut and all("电子商务" in merged[t] for t in cut)
    assert phrase_synonyms("宽带用户有多少？", table, tokenize) is table  # nothing to lend


PHONES = {"手机用户数": ("移动电话用户数",), "移动电话用户数": ("手机用户数",)}


@pytest.mark.parametrize("sentence, key, refused", [
    ("电话用户数达到350万户。", "350万户", True),  # all telephones, not the mobile ones asked
    ("数字电视用户数达到35万户。", "35万户", True),  # another indicator with the same head
    ("移动电话用户数达到220万户。", "220万户", False),  # the official name of what is asked
    ("手机用户数达到220万户。", "220万户", False),
])
def test_a_figure_of_a_broader_indicator_is_not_the_asked_ones(sentence: str, key: str, refused: bool) -> None:
    view, _ = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", sentence)
    corpus = Corpus(("甲",), next(iter(view.documents.values())).text, ("十二五",), ((2011, 2015),), PHONES)
    quote = quote_of(sentence[:-1], key, "target", 2015, view)
    refusal = answer_refusal(facts("甲市2015年手机用户数目标是多少？"), quote, view, corpus)
    assert (refusal is not None and refusal.reason == "no_value" and "手机用户数" in refusal.message) == refused


def test_levels_named_together_are_not_an_unasked_sub_group() -> None:
    view, corpus = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", "全市已建成市县级政务网站63家。")
    quote = quote_of("全市已建成市县级政务网站63家", "63家", "target", 2015, view)
    assert answer_refusal(facts("甲市2015年政务网站有多少家？"), quote, view, corpus) is None


def test_a_bandwidth_is_a_figure_and_a_network_generation_is_a_name() -> None:
    view, corpus = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", "农村家庭用户互联网带宽达到4M。")
    quote = quote_of("农村家庭用户互联网带宽达到4M", "4M", "target", 2015, view)
    assert answer_refusal(facts("甲市2015年农村家庭上网带宽目标是多少？"), quote, view, corpus) is None
    view, corpus = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", "加快建设4G网络。")
    quote = quote_of("加快建设4G网络", "4G", "target", 2015, view)
    refusal = answer_refusal(facts("甲市2015年4G网络覆盖多少个乡镇？"), quote, view, corpus)
    assert refusal is not None and refusal.reason == "no_value"


def test_a_sub_group_with_its_own_figure_does_not_qualify_the_next_indicator() -> None:
    sentence = "移动电话用户数达到300万户，电话普及率达到90/百人。"
    view, corpus = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", sentence)
    quote = quote_of(sentence[:-1], "90/百人", "target", 2015, view)
    refusal = answer_refusal(facts("甲市2015年移动电话普及率目标是多少？"), quote, view, corpus)
    assert refusal is not None and refusal.reason == "no_value" and "移动电话" in refusal.message
    assert answer_refusal(facts("甲市2015年电话普及率目标是多少？"), quote, view, corpus) is None


def test_a_named_technology_must_be_in_the_quote() -> None:
    from qa.answer.policy import technology_refusal
    corpus = Corpus(cities=("宝鸡",), text="物联网", periods=(), windows=(), synonyms={})
    asked = analyse("宝鸡物联网示范工程计划投资多少？", ("宝鸡",))
    refusal = technology_refusal(asked, "装备制造数字化示范工程 · 计划经费：20,000万元", corpus)
    assert refusal is not None and "物联网" in refusal.message
    assert technology_refusal(asked, "物联网应用示范工程 · 计划经费：5,000万元", corpus) is None


def test_a_modifier_named_apart_from_its_head_is_still_named() -> None:
    # "电子商务年交易量": 年 splits the name 电子商务交易量, but 电子商务 is there
    sentence = "实现电子商务年交易量达250亿元以上。"
    view, _ = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", sentence)
    synonyms = {"电子商务交易额": ("电子商务交易量",), "电子商务交易量": ("电子商务交易额",)}
    corpus = Corpus(("甲",), next(iter(view.documents.values())).text, ("十二五",), ((2011, 2015),), synonyms)
    quote = quote_of(sentence[:-1], "250亿元", "target", 2015, view)
    assert answer_refusal(facts("甲市2015年电子商务交易额目标是多少？"), quote, view, corpus) is None


def test_a_list_of_another_thing_than_the_named_project_is_refused() -> None:
    from qa.answer.policy import Corpus, unnamed_thing_refusal
    text = "精准农业引导工程：依托农业科技园区，实现对农业生产过程实时监控。基本完成了农村信息综合服务站建设工作。"
    corpus = Corpus(cities=("甲",), text=text, periods=(), windows=(), synonyms={})
    question = "精准农业引导工程要依托什么、对哪些生产环节实时监控？"
    refusal = unnamed_thing_refusal(question, ["基本完成了农村信息综合服务站建设工作。\n一、现状"], corpus)
    assert refusal is not None and "精准农业引导工程" in refusal.message
    assert unnamed_thing_refusal(question, ["依托农业科技园区\n专栏4 > 精准农业引导工程"], corpus) is None  # named in the heading


def plan_with(passage: str):
    """The plan with its 网上办理 passage replaced by ``passage``: its view and its corpus."""
    return edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", passage)


def test_a_total_asked_is_not_one_fund() -> None:
    view, corpus = plan_with("市政府筹措1亿元资金，建立市信息化专项资金。“十二五”期间全市信息化建设总投资约20亿元。")
    fund = quote_of("市政府筹措1亿元资金", "1亿元", "target", 2015, view)
    refusal = answer_refusal(facts("甲市十二五期间信息化建设总投资是多少？"), fund, view, corpus)
    assert refusal is not None and refusal.reason == "no_value" and "总投资" in refusal.message
    total = quote_of("全市信息化建设总投资约20亿元", "20亿元", "target", 2015, view)
    assert answer_refusal(facts("甲市十二五期间信息化建设总投资是多少？"), total, view, corpus) is None
    # the fund itself, asked for, is answered
    assert answer_refusal(facts("甲市市政府筹措多少资金建立信息化专项资金？"), fund, view, corpus) is None


def test_a_sibling_indicator_of_the_same_kind() -> None:
    terms = [("信息化", 1.0), ("综合", 1.0), ("指数", 1.0)]
    q = "2010年甲市信息化综合指数是多少？"
    assert another_indicator("信息化基础设施指数", "信息化综合指数", terms, q, CORPUS)
    assert not another_indicator("信息化综合指数", "信息化综合指数", terms, q, CORPUS)
    # another kind of figure (a 率 for an 指数) is left to the other checks
    assert not another_indicator("信息化基础设施普及率", "信息化综合指数", terms, q, CORPUS)
    # an equivalent through the thesaurus is the same indicator
    assert not another_indicator("移动通信用户数", "手机用户数", [("手机", 1.0), ("用户数", 1.0)], "手机用户数是多少", CORPUS)


def test_an_increase_asked_is_not_the_level_reached() -> None:
    view, corpus = plan_with("2010年底，移动通信在网用户150万户。全市新增宽带用户4万户。")
    level = quote_of("移动通信在网用户150万户", "150万户", "status", 2010, view)
    refusal = answer_refusal(facts("甲市2010年移动通信在网用户新增了多少户？"), level, view, corpus)
    assert refusal is not None and refusal.reason == "no_value" and "新增" in refusal.message
    added = quote_of("全市新增宽带用户4万户", "4万户", "status", 2010, view)
    assert answer_refusal(facts("甲市2010年新增宽带用户多少？"), added, view, corpus) is None


def test_a_figure_the_question_gives_is_not_the_answer() -> None:
    view, corpus = plan_with("市政府筹措1亿元资金，建立市信息化专项资金，主要用于欠发达地区的信息化建设。")
    fund = quote_of("市政府筹措1亿元资金", "1亿元", "target", 2015, view)
    refusal = answer_refusal(facts("甲市1亿元专项资金里给欠发达地区分了多少？"), fund, view, corpus)
    assert refusal is not None and refusal.reason == "no_value"
    assert answer_refusal(facts("甲市市政府筹措多少资金建立信息化专项资金？"), fund, view, corpus) is None


def test_a_choice_question_needs_a_quote_that_chooses() -> None:
    from qa.answer.policy import Corpus, choice_refusal

    corpus = Corpus(cities=("甲",), text="", periods=(), windows=(), synonyms={"变小": ("缩小",)})
    question = "城乡差距这几年是变大还是变小？"
    assert choice_refusal(question, "城乡数字鸿沟有所缩小。", corpus) is None  # an equivalent of one option
    refused = choice_refusal(question, "加大农村信息基础设施建设。", corpus)
    assert refused is not None and "变大" in refused.message and "变小" in refused.message
    assert choice_refusal("城乡差距有多大？", "加大农村信息基础设施建设。", corpus) is None  # no choice asked


def test_the_figures_own_indicator_may_end_in_value_or_income() -> None:
    from qa.answer.policy import figure_subject
    sentence = "打造陈仓现代物流园和中国西北金属电子交易平台，到2015年信息服务业增加值达到60亿元。"
    view, _ = plan_with(sentence)
    quote = quote_of(sentence, "60亿元", "target", 2015, view)
    assert figure_subject(view, quote) == "信息服务业增加值"  # 增加值 names an indicator as 率/额 do


def test_a_sentence_naming_only_the_questions_words_answers_nothing() -> None:
    from qa.answer.policy import restates
    question = "宝鸡培育信息服务外包产业，打算建立哪两样东西？"
    assert restates(question, "三是培育壮大信息服务外包产业。", {})
    assert not restates(question, "积极建立专业数据备份中心和服务外包公共平台。", {})
    # an equivalent of a question word is the question's word too
    assert restates("上网的人多吗？", "网民。", {"网民": ("上网的人",)})
    # a state (发展) is said, not restated
    assert not restates("金盾工程建得怎么样？", "金盾工程发展迅速。", {})


def test_quotation_marks_do_not_part_a_name() -> None:
    from qa.answer.policy import _names
    assert _names("开展“数字宝鸡”工程，对城市的自然空间进行动态监测", "数字宝鸡工程")
    assert _names("在“中国咸阳”门户网站开设了9个频道", "“中国咸阳”门户网站")
    assert not _names("开展“数字咸阳”工程", "数字宝鸡工程")


COMPUTERS = {"电脑拥有量": ("每百户拥有电脑", "百户电脑拥有量"), "每百户拥有电脑": ("电脑拥有量",), "百户电脑拥有量": ("电脑拥有量",)}


@pytest.mark.parametrize("sentence, key, refused", [
    ("城镇居民拥有电脑数达到85/百户。", "85/百户", False),  # 每百户 is the figure's base, its unit says it
])
def test_a_per_head_base_is_no_narrower_indicator(sentence: str, key: str, refused: bool) -> None:
    view, _ = edited("市级行政许可事项网上办理比例达到80%，县级达到60%。", sentence)
    corpus = Corpus(("甲",), next(iter(view.documents.values())).text, ("十二五",), ((2011, 2015),), COMPUTERS)
    quote = quote_of(sentence[:-1], key, "target", 2015, view)
    refusal = answer_refusal(facts("甲市2015年城镇居民电脑拥有量目标是多少？"), quote, view, corpus)
    assert (refusal is not None) == refused, refusal


def test_a_modifier_ends_at_a_word_boundary() -> None:
    from qa.answer.policy import _word_ends

    assert _word_ends("每百户拥有电脑") == [3]  # never 每百户拥 | 有电脑
    assert _word_ends("移动电话用户数") == [2, 4]  # 移动 | 电话用户数 and 移动电话 | 用户数


def test_a_persons_name_asked_needs_a_person_named() -> None:
    from qa.answer.policy import person_refusal

    refused = person_refusal("城市一卡通工程的项目负责人叫什么名字？", "6.城市一卡通工程：采用双认证系统，建设城市一卡通业务。")
    assert refused is not None and refused.reason == "no_value" and "负责人" in refused.message
    assert person_refusal("领导小组组长姓什么？", "成立了以市长为组长的信息化工作领导小组。") is not None  # a title is no name
    assert person_refusal("考察旬邑的副司长叫什么名字？", "推广应用司副司长董宝青考察了旬邑县县域经济信息化。") is None
    assert person_refusal("领导小组组长是谁？", "成立了以市长为组长的信息化工作领导小组。") is None  # 是谁: the title answers
    assert person_refusal("这个平台叫什么名字？", "建设企业信息化公共服务平台。") is None  # a thing's name


def test_a_figure_per_year_is_not_a_total_over_years() -> None:
    from qa.answer.policy import _span_total

    per_year = facts("甲市数字档案馆工程的经费每年分别安排多少？")
    assert _span_total(per_year, "数字档案馆工程 · 实施单位：档案局 · 实施年度：2011-2015 · 计划经费：840万元") == "2011-2015"
    assert _span_total(facts("甲市每年要培育多少家示范企业？"), "5年内培育20家省级示范企业") == "5年内"
    assert _span_total(facts("甲市每年培训多少人？"), "计划每年培训500人") == ""  # the figure is per year
    assert _span_total(facts("甲市数字档案馆工程的经费是多少？"), "实施年度：2011-2015 · 计划经费：840万元") == ""  # no year asked
