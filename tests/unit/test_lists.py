"""Complete lists (qa.answer.lists): headings, introduced enumerations, clause lists."""
from __future__ import annotations

from qa.answer.lists import asked_count, best_list, clause_list, item_text
from qa.answer.retrieval import Hit
from qa.answer.select import Quote
from tests.unit.plan_view import make_view

VIEW = make_view()
DOC = next(iter(VIEW.documents.values()))


def keys(quotes) -> list[str]:
    return [DOC.text[q.key_start:q.key_end] for q in quotes]


def test_counts_and_markers() -> None:
    assert asked_count("从哪八个方向入手") == 8
    assert asked_count("九大产业集群") == 9
    assert asked_count("有哪些") is None
    assert item_text("（一）工业领域信息化") == "工业领域信息化"
    assert item_text("1、信息化认识不足") == "信息化认识不足"


def test_sibling_headings_under_the_matching_heading() -> None:
    problems = next(i for i, c in enumerate(VIEW.chunks) if "存在问题" in c.section_path)
    found = best_list(VIEW, [Hit(problems, 1.0, 0.0, 1.0)], [("问题", 1.0)], "存在哪些问题？", [])
    assert found.kind == "headings"
    assert keys(found.quotes) == ["信息化认识不足", "信息人才资源缺乏"]
    for quote in found.quotes:  # verbatim spans
        assert DOC.text[quote.start:quote.end].endswith(DOC.text[quote.key_start:quote.key_end])


def test_a_sentence_that_introduces_a_list_is_answered_by_the_headings_after_it() -> None:
    intro = next(i for i, c in enumerate(VIEW.chunks) if c.text.endswith("入手："))
    start = VIEW.chunks[intro].start
    quote = Quote(DOC.doc_id, intro, start, VIEW.chunks[intro].end, -1, -1, 1.0)
    found = best_list(VIEW, [Hit(intro, 1.0, 0.0, 1.0)], [("方向", 1.0)], "从哪三个方向入手？", [quote])
    assert keys(found.quotes) == ["工业领域信息化", "农业领域信息化", "电子政务领域信息化"]


def test_clause_list_in_one_sentence() -> None:
    start = DOC.text.index("形成了玻璃基板")
    end = DOC.text.index("。", start) + 1
    chunk = next(i for i, c in enumerate(VIEW.chunks) if c.start <= start < c.end)
    found = clause_list(VIEW, Quote(DOC.doc_id, chunk, start, end, -1, -1, 1.0), [("产品", 1.0)], None)
    assert found is not None and "玻璃基板、电视机、覆铜板、电子元器件" in keys(found.quotes)[0]


def test_ordinals() -> None:
    from qa.answer.lists import ordinal
    assert ordinal("第二项具体指什么？") == 2
    assert ordinal("第3条呢？") == 3
    assert ordinal("具体指什么？") is None


def test_a_two_item_list_joined_by_ji_counts_only_before_the_kind_asked() -> None:
    from qa.answer.lists import _list_span
    sentence = "重点推进信息技术在机床、汽车及零部件等产品上的渗透融合。"
    span = _list_span(sentence, ("产品",))
    assert span is not None and sentence[span[0]:span[1]].endswith("机床、汽车及零部件")
    assert _list_span(sentence, ("物流中心",)) is None  # the list is of 产品, not of what is asked
    assert _list_span("加快建设农产品批发价格信息、农作物和农产品预测预警等信息系统。", ("产业",)) is None


def test_a_title_beginning_with_place_and_period_is_not_named_by_them() -> None:
    from qa.answer.lists import _item_named
    question = "咸阳市“十二五”信息化发展规划文末列了哪两个附件？"
    assert not _item_named("咸阳市“十二五”信息化重大项目", question)
    assert _item_named("信息化重大项目", "信息化重大项目包括哪些？")


def test_the_asked_kind_and_how_a_list_fits_it() -> None:
    from qa.answer.lists import KIND_FIT, asked_kind, kind_fit
    assert asked_kind("社会事业公共信息服务平台要整合哪些部门的信息？") == "部门"
    assert asked_kind("在区域层面重点推进哪三个区的两化融合？") == "区"
    assert asked_kind("规划要在工业园区建立哪些信息资源库？") == "资源库"
    assert kind_fit("等部门信息的网络", "部门") == KIND_FIT
    assert kind_fit("等社会事业公共服务领域的服务水平", "部门") == -KIND_FIT
    assert kind_fit("，建立平台", "部门") == 0.0  # nothing said of the kind
    assert kind_fit("等信息资源", "资源库") == 0.0  # 资源 is no listed kind


def test_a_clause_list_of_another_kind_loses_to_one_of_the_asked_kind() -> None:
    text = ("甲市“十二五”信息化发展规划\n一、社会事业\n"
            "以信息化为手段，全面提升在社会保障、社会救助、医疗卫生、劳动就业等公共服务领域的服务水平。"
            "搭建整合共享公安、民政、劳动、教育、公积金管理等部门信息的网络。")
    view = make_view(text)
    sentences = [view.sentences[i] for i in range(len(view.sentences))]
    quotes = [Quote(s.doc_id, s.chunk, s.start, s.end, -1, -1, 1.0) for s in sentences]
    best = best_list(view, [], [("信息", 1.0)], "平台要整合哪些部门的信息？", quotes)
    assert best is not None and "公安" in view.text(best.quotes[0].doc_id)[best.quotes[0].key_start:best.quotes[0].key_end]


def test_the_list_the_asked_verb_introduces_wins() -> None:
    from qa.answer.lists import asked_lead
    assert asked_lead("乙市工业领域信息化要在企业中推进哪几个方面？") == "推进"
    assert asked_lead("附件里，农村信息化重点工程列了哪些项目？") == ""  # 列 is one character, 重点工程 no verb before 哪些
    assert asked_lead("乙市十二五信息化的重点工程有哪些？") == ""
    text = ("乙市“十二五”信息化发展规划\n一、工业领域信息化\n"
            "在企业中积极推进产品设计研发信息化、生产装备数字化、生产过程智能化和经营管理网络化；"
            "鼓励企业加大投入，促进生产与业务管理、生产与供应、研发与生产之间的集成，提升工业企业的信息化水平。")
    view = make_view(text)
    quotes = [Quote(s.doc_id, s.chunk, s.start, s.end, -1, -1, 1.0) for s in view.sentences]
    terms = [("工业", 1.7), ("领域", 1.9), ("企业", 1.3)]
    best = best_list(view, [], terms, "乙市工业领域信息化要在企业中推进哪几个方面？", quotes)
    key = view.text(best.quotes[0].doc_id)[best.quotes[0].key_start:best.quotes[0].key_end] if best else ""
    assert "生产装备数字化" in key
    # without the verb the other sentence, holding more of the question's words, would win
    best = best_list(view, [], terms, "乙市工业领域信息化在企业中有哪几个方面？", quotes)
    key = view.text(best.quotes[0].doc_id)[best.quotes[0].key_start:best.quotes[0].key_end] if best else ""
    assert "生产装备数字化" not in key


def test_a_short_run_the_asked_verb_follows_counts() -> None:
    from qa.answer.lists import _list_span, asked_kind, asked_lead
    question = "那第三项融合的是哪几张网？"
    assert asked_lead(question) == "融合" and asked_kind(question) == "网"  # 张 is a measure word
    sentence = "优化提升电信网、互联网、广播电视网的承载能力，逐步实现计算机网、电信网和有线电视网的“三网融合”。"
    span = _list_span(sentence, (), asked_kind(question), asked_lead(question))
    assert span is not None and "计算机网、电信网和有线电视网" in sentence[span[0]:span[1]]
    span = _list_span(sentence, (), asked_kind(question))  # without the verb: the longer run
    assert span is not None and "互联网" in sentence[span[0]:span[1]]


def test_a_list_of_the_asked_kind_in_another_sentence_of_the_passage() -> None:
    """The chosen sentence lists 园区; the asked 资源库 are listed in the next sentence."""
    text = ("甲市“十二五”信息化发展规划\n一、园区信息化\n"
            "在高新区、物流园区、汽车工业园区等园区，建立信息化公共服务平台。"
            "建立政策库、项目库、人才库、融资库等信息资源，为企业提供服务。")
    view = make_view(text)
    first = view.sentences[min(range(len(view.sentences)), key=lambda i: view.sentences[i].start
                               if "高新区" in view.text(view.sentences[i].doc_id)[view.sentences[i].start:view.sentences[i].end] else 10**9)]
    chosen = [Quote(first.doc_id, first.chunk, first.start, first.end, -1, -1, 1.0)]
    terms = [("园区", 1.0), ("建立", 1.0), ("信息", 1.0), ("资源", 1.0)]
    best = best_list(view, [], terms, "要在园区建立哪些信息资源库？", chosen)
    quote = best.quotes[0]
    assert view.text(quote.doc_id)[quote.key_start:quote.key_end].startswith("建立政策库、项目库")
    # with no kind asked the chosen sentence's own list stands
    plain = best_list(view, [], terms, "要在园区建立什么？", chosen)
    assert plain is None or "高新区" in view.text(plain.quotes[0].doc_id)[plain.quotes[0].key_start:plain.quotes[0].key_end]


def test_a_pair_the_sentence_says_is_the_asked_thing() -> None:
    """Of two-item runs each followed by 等…, the one whose words after 等 are the question's;
    "哪些内容" asks no kind of thing, so "等…系统…" is no other kind."""
    from qa.answer.lists import _list_span, asked_kind
    sentence = ("加快发展客户软件定制、软件编程和软件测试等软件开发外包，"
                "积极培育软件系统租赁、系统托管等软件系统应用外包，积极探索在互联网、移动互联网、物联网环境下的软件服务模式创新。")
    question = "软件系统应用外包包括哪些内容？"
    assert asked_kind(question) == ""
    span = _list_span(sentence, ("软件", "系统", "软件系统", "外包"), asked_kind(question))
    assert sentence[span[0]:span[1]] == "积极培育软件系统租赁、系统托管"


def test_a_part_of_a_whole_said_first_is_the_asked_kind() -> None:
    from qa.answer.lists import asked_kind
    assert asked_kind("2007年综述是从哪几个方面总结当年进展的？") == "方面"
    assert asked_kind("规划要在工业园区建立哪些信息资源库？") == "资源库"  # a kind said whole stays whole


def test_comma_clauses_each_ending_in_the_asked_kind_are_a_list() -> None:
    from qa.answer.lists import _list_span, run_fit
    sentence = ("将平台建设成为提供产业集群和企业的宣介、展示及推广平台，提供技术和产品信息的平台，"
                "发布企业采购和技术招标信息的平台，提供技术、商品及产权交易的平台。")
    span = _list_span(sentence, (), "平台")
    assert span is not None and sentence[span[0]:span[1]].endswith("产权交易的平台")
    assert run_fit(sentence, span, "平台") > 0  # each comma clause is an item, its own 、 inside it
    assert _list_span("提供技术平台，发布信息。", (), "平台") is None  # one clause is no list


def test_a_list_beside_a_sentence_that_lists_nothing() -> None:
    text = ("甲市“十二五”信息化发展规划\n一、农业领域信息化\n"
            "推进农村公共信息服务体系建设。"
            "整合各种资源，构建服务于农业生产、村务公开、财务管理、医疗卫生和教育等的农村公共信息服务体系，推进信息化管理。")
    view = make_view(text)
    first = view.sentences[0]
    heading = Quote(first.doc_id, first.chunk, first.start, first.end, -1, -1, 1.0)
    terms = [("农村", 1.0), ("公共", 1.0), ("信息", 0.5), ("服务", 0.5), ("体系", 1.0)]
    best = best_list(view, [], terms, "甲市的农村公共信息服务体系要服务哪些方面？", [heading])
    key = view.text(best.quotes[0].doc_id)[best.quotes[0].key_start:best.quotes[0].key_end] if best else ""
    assert "村务公开" in key and key.endswith("农村公共信息服务体系")  # the last item's word is not cut


def test_things_of_the_asked_kind_joined_by_he_are_a_list() -> None:
    from qa.answer.lists import _list_span
    sentence = ("围绕宝鸡市“九大产业集群”（汽车及零部件产业集群、钛及钛合金产业集群、机床工具产业集群）的发展需求，"
                "搭建核心技术创新平台和公共技术服务支撑平台，推进现代集成制造系统平台的广泛应用。")
    span = _list_span(sentence, ("技术", "平台"), "平台")
    assert sentence[span[0]:span[1]] == "核心技术创新平台和公共技术服务支撑平台"  # not the clusters, nor the verb 搭建
    span = _list_span(sentence, ("产业", "集群"), "集群")
    assert "钛及钛合金产业集群" in sentence[span[0]:span[1]]


def test_points_counted_yi_shi_er_shi_are_a_list() -> None:
    from qa.answer.lists import _ORDINAL_POINT
    body = "4、普及率有待提高。主要表现在以下几点：一是融合程度不高，应用不多。二是数据共享未能有效开展，功能较少。三是农村信息化亟待提高，相对滞后。"
    assert [m.group(1) for m in _ORDINAL_POINT.finditer(body)] == ["一", "二", "三"]
    assert not list(_ORDINAL_POINT.finditer("统一是基础"))  # 一是 inside a word is no point


def test_a_cell_part_names_a_value_past_its_place_name() -> None:
    from qa.answer.lists import _names
    assert _names("广电", "宝鸡广电") and _names("广电", "宝鸡电信、移动、联通、广电")
    assert not _names("电信", "宝鸡广电")


def test_a_generic_classifier_names_no_kind() -> None:
    # 哪几样, 哪几件: "which things" — any list may answer
    from qa.answer.lists import asked_kind
    from qa.answer.query import analyse
    assert asked_kind("地方标准这块，重点先抓哪几样？") == ""
    assert asked_kind("重点要办哪几件？") == ""
    assert "样" not in analyse("咸阳定地方规范这块，重点先抓哪几样？", ("咸阳",)).attribute
