"""Hostile answers in every export format: they come out literally and never change the document.

Every free-text answer in the realistic fixture plan (text, long text, "Other" choices, text cells of
tables, the program name) is replaced by a hostile string from tests/fixtures/export_hostile.yaml, plus
one 10,000-character answer. A "twin" plan gets harmless words with the same line and paragraph
breaks in the same places. The two must produce the same document structure (Markdown blocks, HTML
tags, Word paragraph styles and tables), and every hostile string must be readable in the output.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile

import pytest

from deflect_cli.export import render
from deflect_cli.plan import flow
from deflect_cli.plan.store import load_plan
from deflect_cli.yamlio import parse
from test_export_formats import Page, docx_blocks, docx_cells, docx_text, md_blocks, md_text, md_tokens, norm

from conftest import FIXTURES, no_ids

HOSTILE = parse((FIXTURES / "export_hostile.yaml").read_text(encoding="utf-8"))
STRINGS = list(HOSTILE["answers"])
LONG = ("A long answer with | pipes |, # hashes, {{ braces }}, <tags> and `ticks`; "
        "سطر عربي; emoji 🚑.\n") * 200
LONG = LONG[:10_000]
STRINGS.append(LONG)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def twin_of(text: str, tag=None) -> str:
    """Harmless words with the same whitespace (so the same line and paragraph breaks). A tag marks the
    first word, so that two different strings never become the same twin: answers that refer to each
    other (objective codes, register names) then match in the twin exactly when they do in the hostile plan."""
    twin = re.sub(r"\S+", "word", text)
    return twin if tag is None else twin.replace("word", f"word{tag}", 1)


def fill(content, plan, pick) -> list:
    """Replace every free-text answer with pick(n); returns the strings used, in order."""
    used = []
    written: dict = {}  # SECTION.QUESTION.COLUMN -> {old text: its replacement}
    renamed: dict = {}  # old text of a table cell -> its replacement

    def next_text():
        text = pick(len(used))
        used.append(text)
        return text

    evaluation = flow.evaluate(content, plan.answers)
    for question in evaluation.applicable:
        value = flow.answer_of(plan.answers, question)
        if value in (None, "", []):
            continue
        if question.type in ("text", "long_text"):
            plan.set_answer(question.key, next_text())
        elif question.type == "choice" and question.other:
            plan.set_answer(question.key, next_text())
        elif question.type == "multi_choice" and question.other:
            plan.set_answer(question.key, [*value, next_text()])
        elif question.type == "table":
            rows = copy.deepcopy(value)
            for row in rows:
                for column in question.columns:
                    if column.choices_from and row.get(column.id):
                        # A reference to a row of an earlier table: it names that row's new text, so the
                        # hostile plan and its twin refer to the same rows (no stale or chance matches).
                        source = written.get(column.choices_from)
                        if source:
                            row[column.id] = source.get(row[column.id], next(iter(source.values())))
                    elif column.type in ("text", "long_text") and row.get(column.id):
                        old = row[column.id]
                        # The same text twice (an agency that is also a register name) stays the same
                        # text, so matching rows by name behaves alike in the hostile plan and its twin.
                        row[column.id] = renamed.get(old) or next_text()
                        renamed.setdefault(old, row[column.id])
                        written.setdefault(f"{question.key}.{column.id}", {}).setdefault(old, row[column.id])
            plan.set_answer(question.key, rows)
    return used


@pytest.fixture(scope="module")
def plans(content):
    hostile = load_plan(FIXTURES / "export_plan.yaml")
    twin = load_plan(FIXTURES / "export_plan.yaml")
    used = fill(content, hostile, lambda n: STRINGS[n % len(STRINGS)])
    fill(content, twin, lambda n: twin_of(STRINGS[n % len(STRINGS)], n % len(STRINGS)))
    hostile.set_answer("profile.program_name", HOSTILE["program_name"])
    twin.set_answer("profile.program_name", twin_of(HOSTILE["program_name"]))
    assert len(used) > 2 * len(STRINGS)  # every hostile string lands in several places
    return hostile, twin, used


@pytest.fixture(scope="module")
def rendered(content, plans):
    hostile, twin, _ = plans
    formats = ("md", "html", "docx", "json")
    return ({f: render.export(content, hostile, f) for f in formats},
            {f: render.export(content, twin, f) for f in formats})


def in_markdown(text: str, md: str) -> bool:
    """A Markdown table cell is one line, so there a multi-line answer's lines are joined with "; "."""
    lines = [norm(line) for line in str(text).splitlines() if norm(line)]
    return norm(text) in md or "; ".join(lines) in md


def expected_texts(plans) -> list:
    _, _, used = plans
    return sorted({norm(s) for s in used if norm(s)} | {norm(HOSTILE["program_name"])})


def test_markdown_structure_is_unchanged(rendered):
    hostile, twin = rendered
    shape = lambda md: [(t.type, t.tag, t.level) for t in md_tokens(md) if t.type != "inline"]  # noqa: E731
    assert shape(hostile["md"]) == shape(twin["md"])
    count = lambda md, kind: sum(1 for t in md_tokens(md) if t.type == kind)  # noqa: E731
    for kind in ("heading_open", "table_open", "tr_open", "bullet_list_open", "fence", "code_block",
                 "blockquote_open", "hr", "html_block"):
        assert count(hostile["md"], kind) == count(twin["md"], kind), kind
    assert count(hostile["md"], "fence") == count(hostile["md"], "code_block") == count(hostile["md"], "hr") == 0


def words_match(hostile: list, twin: list) -> None:
    """Block by block, the hostile text has exactly the words of the twin's: nothing split off, dropped or added."""
    assert len(hostile) == len(twin)
    for h, t in zip(hostile, twin):
        assert norm(twin_of(h)) == norm(twin_of(t)), (h[:120], t[:120])


def test_every_block_keeps_its_words_in_every_format(rendered):
    hostile, twin = rendered
    words_match(md_blocks(hostile["md"]), md_blocks(twin["md"]))
    words_match(Page(hostile["html"]).blocks, Page(twin["html"]).blocks)
    words_match(docx_cells(hostile["docx"]), docx_cells(twin["docx"]))


def test_each_answer_is_found_where_it_was_given(content):
    """With a unique tag after each hostile string, every single placement must be readable."""
    plan = load_plan(FIXTURES / "export_plan.yaml")
    used = fill(content, plan, lambda n: f"{STRINGS[n % len(STRINGS)]} ⟦{n}⟧")
    md = md_text(render.export(content, plan, "md"))
    html = Page(render.export(content, plan, "html")).body_text
    word = docx_text(render.export(content, plan, "docx"))
    for text in used:
        expected = norm(text)
        assert in_markdown(text, md), expected[-80:]
        assert expected in html, expected[-80:]
        assert _NOT_XML.sub("\ufffd", expected) in word, expected[-80:]


def test_raw_html_in_guide_markdown_stays_text_in_html():
    """The guide's own Markdown (content, not answers) cannot produce markup either (markdown-it html=False)."""
    from deflect_cli.export import blocks as d
    from deflect_cli.export.html import body

    guide = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))\n"
    html = body([d.Heading(2, "Chapter", anchor="chapter"), d.Guide(guide)])
    page = Page(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attrs if a[1] == "href"]
    assert "<script>alert(1)</script>" in page.body_text


def test_markdown_reproduces_every_answer_literally(rendered, plans):
    text = md_text(rendered[0]["md"])
    _, _, used = plans
    for expected in [s for s in used if norm(s)] + [HOSTILE["program_name"]]:
        assert in_markdown(expected, text), norm(expected)[:80]
    assert "{{ 7*7 }}" in text and "49 " not in text.split("Page", 1)[0][:200]


def test_html_has_the_same_tags_and_no_markup_from_answers(rendered, plans):
    hostile, twin = Page(rendered[0]["html"]), Page(rendered[1]["html"])
    assert hostile.tags == twin.tags
    assert not {"script", "img", "iframe", "b", "object", "embed", "link"} & set(hostile.tags)
    assert not [a for a in hostile.attrs if a[1].startswith("on")]
    hrefs = sorted(v for t, k, v in hostile.attrs if k == "href")
    assert hrefs == sorted(v for t, k, v in twin.attrs if k == "href")
    assert not [h for h in hrefs if "evil" in h or h.lower().startswith("javascript")]
    assert "<script" not in rendered[0]["html"].lower()
    text = hostile.body_text
    for expected in expected_texts(plans):
        assert expected in text, expected[:80]
    title = re.search(r"<title>(.*?)</title>", rendered[0]["html"], re.S).group(1)
    assert "<b>" not in title and "&lt;b&gt;Bold&lt;/b&gt;" in title


def test_docx_has_the_same_structure_and_every_answer(rendered, plans):
    import docx

    hostile, twin = docx_blocks(rendered[0]["docx"]), docx_blocks(rendered[1]["docx"])
    shape = lambda blocks: [(b[0], b[1]) if b[0] == "p" else ("table", len(b[1]), len(b[1][0])) for b in blocks]  # noqa: E731
    assert shape(hostile) == shape(twin)
    headings = [b for b in hostile if b[0] == "p" and b[1].startswith(("Heading", "Title"))]
    assert len(headings) == len([b for b in twin if b[0] == "p" and b[1].startswith(("Heading", "Title"))])
    text = docx_text(rendered[0]["docx"])
    for expected in expected_texts(plans):
        assert _NOT_XML.sub("\ufffd", expected) in text, expected[:80]
    document = docx.Document(io.BytesIO(rendered[0]["docx"]))
    assert document.core_properties.title == HOSTILE["program_name"]
    xml = zipfile.ZipFile(io.BytesIO(rendered[0]["docx"])).read("word/document.xml").decode()
    assert "evil.example" not in re.sub(r"<w:t[^>]*>[^<]*</w:t>", "", xml)  # only ever as text, never a link


def test_json_keeps_answers_exactly(rendered, plans):
    hostile, _, _ = plans
    data = json.loads(rendered[0]["json"])
    answers = {q["id"]: q["answer"] for s in data["sections"] for q in s["questions"]}
    for section_id, values in hostile.answers.items():
        for question_id, value in values.items():
            if f"{section_id}.{question_id}" in answers and answers[f"{section_id}.{question_id}"] is not None:
                assert answers[f"{section_id}.{question_id}"] == no_ids(value)


def test_long_answer_survives_whole(rendered):
    assert norm(LONG) in md_text(rendered[0]["md"])
    assert norm(LONG) in Page(rendered[0]["html"]).body_text
    assert norm(LONG) in docx_text(rendered[0]["docx"])


def test_right_to_left_answers_are_marked_for_bidi(rendered):
    html = rendered[0]["html"]
    assert 'dir="auto"' in html
    xml = zipfile.ZipFile(io.BytesIO(rendered[0]["docx"])).read("word/document.xml").decode()
    assert "<w:bidi/>" in xml


def test_pdf_renders_hostile_answers(content, plans):
    pytest.importorskip("weasyprint")
    data = render.export(content, plans[0], "pdf")
    assert data.startswith(b"%PDF-")


def test_guide_and_blank_workbook_from_hostile_content(tmp_path):
    """An agency's own content is escaped the same way: labels, prompts and help cannot inject either."""
    from deflect_cli.content.model import load_content

    source = FIXTURES / "mini"
    target = tmp_path / "content"
    (target / "sections").mkdir(parents=True)
    evil = "<script>x</script> {{ 7*7 }} | # `tick`"
    for path in source.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("prompt: Who owns the launch?", f"prompt: {json.dumps(evil)}")
        text = text.replace("help: A name.", f"help: {json.dumps(evil + chr(10) + '# not a heading')}")
        (target / path.relative_to(source)).write_text(text, encoding="utf-8")
    mini = load_content(target)
    md = render.export(mini, None, "md", blank=True)
    assert evil.replace("  ", " ") in md_text(md)
    plain = load_content(source)
    shape = lambda md: [(t.type, t.tag) for t in md_tokens(md) if t.type != "inline"]  # noqa: E731
    assert shape(md) == shape(render.export(plain, None, "md", blank=True))
    html = render.export(mini, None, "html", blank=True)
    assert "<script>x" not in html and "&lt;script&gt;x" in html


# ------------------------------------------------------------------ issue 11: the funder outline's chapters,
# pictures and the spreadsheet formats, on the Workbook 2 mini content (tests/fixtures/wb2-mini)


@pytest.fixture(scope="module")
def wb2_plans():
    from deflect_cli.content import resources
    content = resources.load(str(FIXTURES / "wb2-mini"), use_cache=False)
    hostile = load_plan(FIXTURES / "wb2-plan.yaml")
    twin = load_plan(FIXTURES / "wb2-plan.yaml")
    short = [s for s in STRINGS if len(s) < 200]  # short enough to sit in an activity, a pathway step, a cell
    # A tag per string keeps distinct answers distinct in the twin too (the roles matrix has a column
    # per lead, the timeline a row per objective), so the two documents have the same shape.
    used = fill(content, hostile, lambda n: f"{short[n % len(short)]} k{n % len(short)}")
    fill(content, twin, lambda n: f"{twin_of(short[n % len(short)])} k{n % len(short)}")
    return content, hostile, twin, used


@pytest.fixture(scope="module")
def wb2_rendered(wb2_plans):
    content, hostile, twin, _ = wb2_plans
    out = []
    for plan in (hostile, twin):
        out.append({f: render.export(content, plan, f, outline="funder", mermaid=True)
                    for f in ("md", "html", "docx", "xlsx", "csv")})
    return out


def test_funder_outline_markdown_keeps_its_structure_and_every_answer(wb2_rendered, wb2_plans):
    hostile, twin = wb2_rendered
    count = lambda md, kind: sum(1 for t in md_tokens(md) if t.type == kind)  # noqa: E731
    for kind in ("heading_open", "table_open", "tr_open", "bullet_list_open", "ordered_list_open", "fence",
                 "code_block", "html_block", "blockquote_open"):
        assert count(hostile["md"], kind) == count(twin["md"], kind), kind
    assert count(hostile["md"], "fence") == 1  # the --mermaid block, and nothing an answer opened
    text = md_text(hostile["md"])
    for used in wb2_plans[3]:
        assert norm(used) in text, used[:80]
    fence = hostile["md"].split("```mermaid", 1)[1].split("```", 1)[0]
    inside = fence.replace("[\"", "").replace("\"]", "").replace("-->", "")
    assert not {'"', "<", ">", "[", "]", "`", "{", "}", "|"} & set(inside)


def test_funder_outline_html_and_svg_hold_answers_only_as_text(wb2_rendered, wb2_plans):
    hostile, twin = Page(wb2_rendered[0]["html"]), Page(wb2_rendered[1]["html"])
    skip = ("text",)  # SVG labels wrap by length, so their count follows the words' lengths
    assert [t for t in hostile.tags if t not in skip] == [t for t in twin.tags if t not in skip]
    assert {"svg", "title", "desc"} <= set(hostile.tags)
    assert not {"script", "img", "iframe", "b", "object", "embed", "link"} & set(hostile.tags)
    assert "<script" not in wb2_rendered[0]["html"].lower()
    assert not [a for a in hostile.attrs if a[1].startswith("on")]
    for used in wb2_plans[3]:
        assert norm(used) in hostile.body_text, used[:80]


def test_funder_outline_word_has_the_same_structure_and_every_answer(wb2_rendered, wb2_plans):
    hostile, twin = docx_blocks(wb2_rendered[0]["docx"]), docx_blocks(wb2_rendered[1]["docx"])
    shape = lambda blocks: [(b[0], b[1]) if b[0] == "p" else ("table", len(b[1]), len(b[1][0])) for b in blocks]  # noqa: E731
    assert shape(hostile) == shape(twin)
    text = docx_text(wb2_rendered[0]["docx"])
    for used in wb2_plans[3]:
        assert _NOT_XML.sub("\ufffd", norm(used)) in text, used[:80]


def test_spreadsheet_and_csv_keep_answers_as_text(wb2_rendered, wb2_plans):
    import csv

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(wb2_rendered[0]["xlsx"]))
    cells = {}
    for sheet in ("Budget", "Timeline"):
        for row in book[sheet].iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.column in ((3, 8, 10) if sheet == "Budget" else (1, 2, 3)):
                    cells[cell.value] = cell.data_type
    budget_texts = [r["item"] for r in wb2_plans[1].answers["funding"]["budget"]]
    activity_texts = [r["activity"] for r in wb2_plans[1].answers["launch"]["activities"]]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for text in budget_texts + activity_texts:
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)  # what a worksheet can hold, as in Word
        assert text in cells and cells[text] == "s", text[:80]  # exactly as typed, never a formula
    rows = list(csv.reader(io.StringIO(wb2_rendered[0]["csv"])))
    items = [r[2] for r in rows[1:] if len(r) > 2]
    for text in budget_texts:
        assert text in items or ("'" + text) in items, text[:80]
# ------------------------------------------------------------------ paperwork drafts (deflect paperwork)

PAPERWORK = ("mou", "data-sharing", "referral-protocol", "pocket-card", "one-pager")


@pytest.fixture(scope="module")
def paperwork_rendered(content, plans):
    """Every draft in every text-bearing format, for the hostile plan and its harmless twin."""
    from deflect_cli.export import paperwork

    out = []
    for plan in plans[:2]:
        partner = paperwork.partners(paperwork.Facts(content, plan))[0]["name"]  # itself a hostile string
        out.append({name: {fmt: paperwork.render(content, plan, name, fmt,
                                                 partner=partner if name == "mou" else None)[0]
                           for fmt in ("md", "html", "docx")} for name in PAPERWORK})
    return out


@pytest.mark.parametrize("name", PAPERWORK)
def test_paperwork_keeps_its_structure_with_hostile_answers(paperwork_rendered, name):
    hostile, twin = paperwork_rendered[0][name], paperwork_rendered[1][name]
    shape = lambda md: [(t.type, t.tag, t.level) for t in md_tokens(md) if t.type != "inline"]  # noqa: E731
    assert shape(hostile["md"]) == shape(twin["md"])
    words_match(md_blocks(hostile["md"]), md_blocks(twin["md"]))
    h, t = Page(hostile["html"]), Page(twin["html"])
    assert h.tags == t.tags
    assert not {"script", "img", "iframe", "b", "object", "embed", "link"} & set(h.tags)
    assert not [a for a in h.attrs if a[1].startswith("on")]
    assert "<script" not in hostile["html"].lower()
    words_match(h.blocks, t.blocks)
    blocks = lambda data: [(b[0], b[1]) if b[0] == "p" else ("table", len(b[1]), len(b[1][0]))  # noqa: E731
                           for b in docx_blocks(data)]
    assert blocks(hostile["docx"]) == blocks(twin["docx"])
    words_match(docx_cells(hostile["docx"]), docx_cells(twin["docx"]))


@pytest.mark.parametrize("name", PAPERWORK)
def test_paperwork_prints_hostile_answers_literally(paperwork_rendered, plans, name):
    """Each draft shows the hostile answers it carries, as typed, in every format."""
    drafted = paperwork_rendered[0][name]
    md, html, word = md_text(drafted["md"]), Page(drafted["html"]).body_text, docx_text(drafted["docx"])
    found = [s for s in expected_texts(plans) if s in md]
    assert found, name  # every draft carries some answers
    for expected in found:
        assert expected in html, expected[:80]
        assert _NOT_XML.sub("\ufffd", expected) in word, expected[:80]


def test_paperwork_pdf_renders_hostile_answers(content, plans):
    pytest.importorskip("weasyprint")
    from deflect_cli.export import paperwork

    for name in ("pocket-card", "one-pager"):
        data, _ = paperwork.render(content, plans[0], name, "pdf")
        assert data.startswith(b"%PDF-")
