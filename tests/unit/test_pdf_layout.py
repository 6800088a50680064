"""PDF layout rules (qa.ingest.readers.pdf_layout) on hand-made pages: no PDF library involved."""
from __future__ import annotations

from qa.ingest.readers.pdf_layout import (
    Glyph,
    Line,
    Page,
    PdfTable,
    assemble,
    clean_cell,
    lines_from_glyphs,
    running_lines,
)

SIZE = 10.0
LEFT, RIGHT = 50.0, 550.0  # 50 characters of 10 pt per full line


def text_line(text: str, top: float, *, indent: int = 0, size: float = SIZE, full: bool = False) -> Line:
    """A line of `text`; `full` stretches it to the right margin, as a wrapped line is."""
    x0 = LEFT + indent * size
    x1 = RIGHT if full else x0 + len(text) * size
    return Line(text, x0, x1, top, top + size, size)


def page(*lines: Line, tables: tuple[PdfTable, ...] = ()) -> Page:
    return Page(600.0, 800.0, tuple(lines), tables)


def header_footer(n: int) -> tuple[Line, Line]:
    return text_line("咸阳市人民政府办公室", 20.0), text_line(f"- {n} -", 770.0)


def test_glyphs_make_lines_with_spaces_only_between_latin_words() -> None:
    glyphs = [Glyph(ch, 50 + i * 10, 60 + i * 10, 100, 110, 10) for i, ch in enumerate("宽带用户")]
    glyphs += [Glyph(ch, 100 + i * 6, 106 + i * 6, 100.5, 110.5, 10) for i, ch in enumerate("RFID")]
    glyphs += [Glyph(ch, 130 + 4 + i * 6, 140 + i * 6, 100, 110, 10) for i, ch in enumerate("tag")]
    glyphs += [Glyph("下", 50, 60, 120, 130, 10)]
    lines = lines_from_glyphs(glyphs)
    assert [line.text for line in lines] == ["宽带用户RFID tag", "下"]


def test_a_wide_gap_splits_a_line_into_cells() -> None:
    glyphs = [Glyph(ch, 50 + i * 10, 60 + i * 10, 100, 110, 10) for i, ch in enumerate("指标")]
    glyphs += [Glyph(ch, 200 + i * 6, 206 + i * 6, 100, 110, 10) for i, ch in enumerate("2015")]
    assert [line.text for line in lines_from_glyphs(glyphs)] == ["指标", "2015"]


def test_running_headers_footers_and_page_numbers_are_found() -> None:
    pages = [page(*header_footer(n), text_line(f"正文第{n}页的内容。", 100.0)) for n in range(1, 4)]
    assert running_lines(pages) == {(p, i) for p in range(3) for i in (0, 1)}
    single = [page(text_line("第 1 页 共 1 页", 775.0), text_line("标题", 20.0), text_line("正文。", 100.0))]
    assert running_lines(single) == {(0, 0)}  # one page: only the page number can be told


def test_wrapped_lines_join_and_paragraphs_break_across_pages() -> None:
    first = "一、发展目标到二〇二〇年全市宽带用户达到九十五万户光纤入户率达到百分之八十城乡"  # 40 chars
    pages = [
        page(*header_footer(1),
             text_line("规划正文开始了这里有一段很长的文字需要换行才能排完所以它会一直写到右边的边界为止", 100.0, full=True),
             text_line("然后在下一行结束。", 112.0),
             text_line("第二段从缩进开始写起这一行也写满了整整一行文字直到右边的边界为止然后继续写写写", 130.0, indent=2, full=True),
             text_line("并且跨过了页面的底部到下一页", 142.0, full=True)),
        page(*header_footer(2), text_line("继续写完。", 100.0), text_line(first, 112.0, full=True), text_line("一体化。", 124.0)),
    ]
    layout = assemble(pages)
    paragraphs = layout.text.split("\n")
    assert paragraphs[0].endswith("右边的边界为止然后在下一行结束。")
    assert paragraphs[1].endswith("并且跨过了页面的底部到下一页继续写完。")
    assert paragraphs[2] == first + "一体化。"
    assert "咸阳市人民政府办公室" not in layout.text and "- 1 -" not in layout.text and layout.dropped == 4
    page_two = layout.pages[1]
    assert layout.text[page_two:].startswith("继续写完。")


def test_a_line_carried_short_by_line_breaking_rules_still_runs_on() -> None:
    wrapped = text_line("实现社会保障服务“一卡", 100.0)
    wrapped = Line(wrapped.text, LEFT, RIGHT - 3 * SIZE, 100.0, 110.0, SIZE)  # three characters short
    ended = Line("全市宽带用户达到95万户。", LEFT, RIGHT - 3 * SIZE, 140.0, 150.0, SIZE)
    full = text_line("第一段写满一整行", 88.0, full=True)
    layout = assemble([page(full, wrapped, text_line("通”；公用事业服务。", 112.0), ended, text_line("下一段。", 152.0))])
    assert layout.text.split("\n") == ["第一段写满一整行实现社会保障服务“一卡通”；公用事业服务。", "全市宽带用户达到95万户。", "下一段。"]


def test_larger_lines_are_headings_by_size_rank() -> None:
    layout = assemble([page(text_line("总体要求", 50.0, size=16.0), text_line("指导思想", 80.0, size=13.0),
                            text_line("正文一句。", 100.0), text_line("正文二句。", 112.0))])
    headings = [(layout.text[h.start:h.end], h.level) for h in layout.headings]
    assert headings == [("总体要求", 1), ("指导思想", 2)]


def test_tables_are_placed_in_reading_order_and_continue_across_pages() -> None:
    header = ("指标", "2010年", "2015年")
    pages = [
        page(text_line("表前的正文。", 100.0),
             tables=(PdfTable(200.0, 780.0, (header, ("宽带用户", "35", "95"), ("信息网络基础设施", None, None))),)),
        # The header repeats on the next page; the group label broke across the page break.
        page(tables=(PdfTable(50.0, 780.0, (header, ("重点工程", None, None), ("数字电视", "29", "60"),
                                            ("移动电话用", "200", "300"))),)),
        # Without a repeated header; the first cell of the last row broke across the page break.
        page(text_line("表后的正文。", 400.0), tables=(PdfTable(50.0, 100.0, (("户", None, None), ("邮政所", "140", "150"))),)),
    ]
    layout = assemble(pages)
    assert layout.text.split("\n")[0] == "表前的正文。" and layout.text.split("\n")[-1] == "表后的正文。"
    [table] = layout.tables
    rows = [[layout.text[c[0]:c[1]] if c else None for c in row] for row in table.rows]
    assert rows == [["指标", "2010年", "2015年"], ["宽带用户", "35", "95"], ["信息网络基础设施重点工程", None, None],
                    ["数字电视", "29", "60"], ["移动电话用户", "200", "300"], ["邮政所", "140", "150"]]
    assert layout.text[layout.pages[1]:].startswith("数字电视") and layout.text[layout.pages[2]:].startswith("邮政所")


def test_clean_cell_joins_wrapped_chinese() -> None:
    assert clean_cell("信息网络\n基础设施") == "信息网络基础设施"
    assert clean_cell("B2B\nB2C") == "B2B B2C"
    assert clean_cell("  ") is None and clean_cell(None) is None
