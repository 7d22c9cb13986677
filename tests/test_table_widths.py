"""Word tables get column widths from what their cells hold. Shared equally, a nine-column budget
cut its words in two in Word and LibreOffice ("Personn/el", "coordina/tor", "$70,00/0")."""

from __future__ import annotations

import io

import pytest

from deflect_cli.content import resources
from deflect_cli.export import blocks as d
from deflect_cli.export import render
from deflect_cli.export.docx import _CELL_PAD, _CELL_SIZES, ems, fit_columns
from deflect_cli.plan.store import load_plan

from conftest import FIXTURES

USABLE = 468.0  # a US Letter page's text width with one-inch margins, in points


def test_extents_are_the_longest_word_and_line_header_and_line_breaks_included():
    table = d.Table(["Line item", "Justification"],
                    [[d.Cell("Program coordinator"), d.Cell("Runs the program\nday to day")],
                     [d.Cell("Peer coach"), d.Cell("")]])
    assert table.extents() == [(len("coordinator"), len("Program coordinator")),
                               (len("Justification"), len("Runs the program"))]
    assert table.extents(lambda text: 2 * len(text))[0] == (22, 38)


def test_columns_that_fit_whole_get_their_lines_and_share_the_rest():
    size, widths = fit_columns([(4, 10), (6, 30)], USABLE)
    assert size == _CELL_SIZES[0]
    assert sum(widths) == pytest.approx(USABLE)
    assert widths[1] > 2.5 * widths[0]  # in proportion to their lines
    assert all(w >= line * size + _CELL_PAD for w, (_, line) in zip(widths, [(4, 10), (6, 30)]))


def test_when_lines_do_not_fit_every_word_does_and_long_text_gets_the_room():
    extents = [(3, 4), (6, 8), (5, 200)]
    size, widths = fit_columns(extents, USABLE)
    assert size == _CELL_SIZES[0]
    assert sum(widths) == pytest.approx(USABLE)
    for width, (word, _) in zip(widths, extents):
        assert width >= word * size + _CELL_PAD
    assert widths[2] > USABLE * 0.7


def test_a_table_too_wide_for_its_words_tries_a_smaller_size():
    extents = [(4.8, 4.8)] * 9  # 9 x (4.8 ems x 9.5 pt + 10) = 500 pt: too wide at 9.5; 457 pt at 8.5
    size, widths = fit_columns(extents, USABLE)
    assert size == 8.5
    assert all(w >= 4.8 * 8.5 + _CELL_PAD for w in widths)


def test_words_that_fit_at_no_size_share_the_width_by_their_length():
    size, widths = fit_columns([(40.0, 40.0), (20.0, 20.0)], 300.0)
    assert size == _CELL_SIZES[-1]
    assert widths == pytest.approx([200.0, 100.0])


def test_a_blank_form_gives_room_for_header_words_and_the_rest_equally():
    size, widths = fit_columns([(4, 4), (13, 13)], USABLE, blank=True)
    assert widths[1] - widths[0] == pytest.approx((13 - 4) * size)
    assert sum(widths) == pytest.approx(USABLE)


def test_the_estimate_is_never_narrower_than_common_words_set_in_calibri_bold():
    # Carlito Bold advance widths (metrically the same as Calibri Bold), in ems, read from the font.
    measured = {"Justification": 5.00, "Quantity": 3.67, "Department": 5.07, "Personnel": 4.15,
                "$112,000": 3.81, "2027-04-26": 4.67, "coordinator": 4.90}
    for word, width in measured.items():
        assert ems(word) >= width, word


def _widths(table) -> list:
    from docx.oxml.ns import qn

    return [int(col.get(qn("w:w"))) / 20 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_the_budget_table_in_word_has_room_for_every_word():
    import docx

    content, plan = resources.load(str(FIXTURES / "wb2-mini"), use_cache=False), load_plan(FIXTURES / "wb2-plan.yaml")
    document = docx.Document(io.BytesIO(render.export(content, plan, "docx")))
    budget = next(t for t in document.tables if t.rows[0].cells[-1].text == "Justification")
    size = budget.rows[1].cells[0].paragraphs[0].runs[0].font.size.pt
    widths = _widths(budget)
    assert len(widths) >= 8 and sum(widths) == pytest.approx(USABLE, abs=1)
    for index, width in enumerate(widths):
        words = [w for row in budget.rows for w in row.cells[index].text.split()]
        assert width >= max(ems(w) for w in words) * size + _CELL_PAD - 0.1, (index, words)


def test_a_column_of_short_lines_keeps_them_whole_beside_long_text():
    label, answer = (4.0, 10.0), (5.0, 300.0)  # "Lead contact's title" beside a paragraph
    size, widths = fit_columns([label, answer], USABLE)
    assert widths[0] >= 10.0 * size + _CELL_PAD
    assert sum(widths) == pytest.approx(USABLE)
