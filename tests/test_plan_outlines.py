"""Outlines as data, the results-chain chapters and the budget totals (issue 11), on the Workbook 2
mini content (tests/fixtures/wb2-mini) and a 24-month plan of 30 activities (wb2-plan.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deflect_cli.content import resources
from deflect_cli.errors import DeflectError
from deflect_cli.export import facts, outline, render
from deflect_cli.plan.store import load_plan

from conftest import FIXTURES

WB2 = FIXTURES / "wb2-mini"
PLAN = FIXTURES / "wb2-plan.yaml"


@pytest.fixture(scope="module")
def wb2():
    return resources.load(str(WB2), use_cache=False), load_plan(PLAN)


def test_budget_totals_match_hand_computed(wb2):
    content, plan = wb2
    b = facts.collect(content, plan)["budget"]
    # Year 1: personnel 70,000 + 2 x 45,000 x 50% = 115,000; fringe 30% = 34,500; travel 12,000 x 0.67
    # = 8,040; supplies 500 x 45 = 22,500; direct 180,040; indirect 10% = 18,004 -> 198,044.
    # Year 2: personnel 72,100; fringe 21,630; other 6,000; direct 99,730; indirect 9,973 -> 109,703.
    assert b["by_year"] == {1: 198044.0, 2: 109703.0}
    assert b["total"] == 307747.0
    assert b["by_category"]["personnel"] == 187100.0 and b["by_category"]["indirect"] == 27977.0
    # Fringe and indirect follow the line they are worked out from (deflect_cli.plan.budget), so the shares
    # include them. Federal grant: 115,000 + 34,500 fringe + 10% of 149,500 = 164,450 in year 1, and
    # 72,100 + 21,630 + 9,373 = 103,103 in year 2. City general fund: (22,500 + 8,040) x 1.1 = 33,594.
    # No source: the data system license 6,000 + 600 indirect.
    assert b["federal"] == 267553.0
    assert b["non_federal"] == 33594.0
    assert b["unassigned"] == 6600.0
    assert [x["item"] for x in b["uncosted"]] == ["Vehicle"]  # no quantity: no cost, not $0


def test_unknown_mou_is_not_recorded_never_none(wb2):
    content, plan = wb2
    md = render.export(content, plan, "md", outline="funder")
    assert "MOUs: 1 signed; 1 drafting; 2 not recorded." in md
    assert "0 signed" not in md


def test_missing_questions_yield_empty_chapters(tmp_path):
    content = resources.load(str(FIXTURES / "mini"), use_cache=False)
    from deflect_cli.plan.model import new_plan

    plan = new_plan(tmp_path / "p.yaml", content)
    chain = facts.collect(content, plan)
    assert chain["activities"] == [] and chain["budget"]["lines"] == [] and chain["partners"] == []
    md = render.export(content, plan, "md", outline="funder")
    assert "Appendix: timeline" not in md and "Appendix: logic model" not in md


def test_plan_outline_file_is_the_built_in_order(wb2):
    content, plan = wb2
    bundled = outline.bundled()
    assert {"plan", "funder"} <= set(bundled)
    assert outline.load(bundled["plan"]).chapters == outline.PLAN.chapters


def test_funder_outline_order_and_honest_note(wb2, monkeypatch):
    monkeypatch.setenv("DEFLECT_TODAY", "2027-05-10")
    content, plan = wb2
    md = render.export(content, plan, "md", outline="funder")
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings[1:7] == ["Statement of the problem", "Project design and implementation",
                             "Capabilities and competencies", "Data collection and performance measures",
                             "Budget and budget narrative", "Appendix: logic model"]
    assert "check the current solicitation" in md and "not any funding agency's form" in md
    assert md.count("| G1 | Fewer overdose deaths in Riverton |") == 1  # goals shown once, not also as answers
    assert "Not yet dated:" in md and "Plan the second-year evaluation" in md
    assert "Today (2027-05-10)" in md


def test_timeline_uses_quarters_for_a_24_month_plan(wb2, monkeypatch):
    from deflect_cli.export import chapters

    monkeypatch.setenv("DEFLECT_TODAY", "2027-05-10")
    content, plan = wb2
    grid = chapters.timeline_grid(facts.collect(content, plan), draft=True)
    assert grid["quarters"] and len(grid["periods"]) <= chapters.MAX_PERIODS
    assert len(grid["dated"]) == 29 and len(grid["undated"]) == 1
    assert grid["periods"][grid["launch_at"]] == "Q2 2027"
    assert grid["periods"][grid["today_at"]] == "Q2 2027"


@pytest.mark.parametrize("text, line, words", [
    ("chapters: []\n", 1, "at least one chapter"),
    ("title: x\nchapters:\n  - heading: A\n    parts: [summary, nonsense]\n", 4, "unknown part 'nonsense'"),
    ("chapters:\n  - heading: A\n    parts: [summary]\n    words: -3\n", 4, "whole number"),
    ("chapters:\n  - parts: [summary]\n", 2, "needs a `heading`"),
    ("chapters:\n  - heading: A\n    parts: [summary]\n    colour: red\n", 4, "unknown chapter field"),
    ("chapters: [\n", 2, "not valid YAML"),
    ("chapters:\n  - just text\n", 2, "each chapter is a mapping"),
    ("chapters:\n  - {sections: true, heading: A}\n", 2, "`sections: true` stands alone"),
    ("chapters:\n  - sections: false\n", 2, "`sections: true` stands alone"),
    ("chapters:\n  - heading: A\n", 2, "chapter 'A': `parts` must be a list"),
    ("chapters:\n  - heading: A\n    parts: []\n", 3, "chapter 'A': `parts` must be a list"),
    ("chapters:\n  - heading: A\n    parts: [summary]\n    characters: true\n", 4, "characters must be a whole"),
    ("chapters:\n  - heading: A\n    parts: [summary]\n    optional: maybe\n", 4, "optional is true or false"),
    ("chapters:\n  - heading: A\n    parts: [summary]\n    intro: [x]\n", 4, "intro must be text"),
])
def test_bad_outline_is_one_line_with_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DeflectError) as caught:
        outline.find(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ") and words in message and "\n" not in message


def test_unknown_outline_name_is_one_line():
    with pytest.raises(DeflectError, match="no outline named 'grant'; bundled outlines: plan, funder"):
        outline.find("grant")


def test_word_limit_is_reported(wb2, tmp_path):
    content, plan = wb2
    path = tmp_path / "short.yaml"
    path.write_text("chapters:\n  - heading: Budget\n    parts: [budget]\n    words: 20\n")
    doc = render.build(content, plan, outline=outline.find(str(path)))
    assert doc.meta["limits"] and doc.meta["limits"][0].startswith("Budget: ")
    md = render.export(content, plan, "md", outline=str(path))
    assert "Over the outline's limit:" in md


def test_mermaid_only_when_asked_and_labels_escaped(wb2):
    content, plan = wb2
    assert "```mermaid" not in render.export(content, plan, "md", outline="funder")
    md = render.export(content, plan, "md", outline="funder", mermaid=True)
    assert "```mermaid" in md and "flowchart TD" in md
    from deflect_cli.export.markdown import mermaid_label

    assert mermaid_label('a "b" <c> & `d` [e]') == "a #34;b#34; #60;c#62; #38; #96;d#96; #91;e#93;"


def test_final_refuses_while_required_questions_are_open(cli, tmp_path):
    args = ("export", "--plan", str(PLAN), "--content", str(WB2), "--outline", "funder", "-o", str(tmp_path / "x.md"))
    code, out, err = cli(*args, "--final")
    assert code == 1 and not (tmp_path / "x.md").exists()
    assert err.count("\n") == 1 and "Launch owner (section 8)" in err and "--allow-open" in err
    code, out, err = cli(*args, "--final", "--allow-open")
    assert code == 0
    md = (tmp_path / "x.md").read_text()
    assert "**Draft**" not in md and "## Still to decide" not in md and "Final, 2026-11-20" in md
    code, out, err = cli(*args)
    md = (tmp_path / "x.md").read_text()
    assert code == 0 and "**Draft**: 1 question still to decide" in md and "## Still to decide" in md


def test_draft_header_in_word_and_html(wb2):
    import io

    import docx

    content, plan = wb2
    word = docx.Document(io.BytesIO(render.export(content, plan, "docx", outline="funder")))
    assert word.sections[0].header.paragraphs[0].text == "Draft"
    final = docx.Document(io.BytesIO(render.export(content, plan, "docx", outline="funder", final=True)))
    assert final.sections[0].header.paragraphs[0].text == ""
    assert '@top-right { content: "Draft"' in render.export(content, plan, "html", outline="funder")
    assert '@top-right' not in render.export(content, plan, "html", outline="funder", final=True)


def test_applicant_references_are_the_references_and_guide_sources_are_the_guides(wb2):
    content, plan = wb2
    md = render.export(content, plan, "md", outline="funder")
    references = md.split("## References", 1)[1].split("\n## ", 1)[0]
    assert "Lane County overdose surveillance report 2025" in references
    assert "Example guide source" not in references
    about = md.split("## About this document", 1)[1]
    assert "Example guide source" in about and "not references this plan's authors cite" in about
    assert "\n## Sources" not in md  # a chapter of guide sources only beside the guide's text
    guided = render.export(content, plan, "md", outline="funder", include_guide=True)
    assert "\n## Sources" in guided
    assert "Example guide source" in guided.split("\n## Sources", 1)[1].split("\n## ", 1)[0]


# ------------------------------------------------------------------ golden files for both outlines
# Regenerate with `UPDATE_GOLDEN=1 pytest tests/test_plan_outlines.py` and review the diff.


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "csv"])
@pytest.mark.parametrize("which", ["plan", "funder"])
def test_outline_golden_files(wb2, which, fmt, monkeypatch):
    from test_export_formats import check_golden, docx_outline

    monkeypatch.setenv("DEFLECT_TODAY", "2027-05-10")
    content, plan = wb2
    if fmt == "csv" and which == "plan":
        pytest.skip("the CSV is the budget, the same for every outline")
    data = render.export(content, plan, fmt, outline=which, mermaid=fmt == "md")
    name = f"wb2-{which}.{fmt}" if fmt != "docx" else f"wb2-{which}.docx.txt"
    check_golden(name, docx_outline(data) if fmt == "docx" else data)


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_funder_outline_golden_on_the_bundled_workbook(fmt, monkeypatch):
    from test_export_formats import check_golden, docx_outline

    monkeypatch.setenv("DEFLECT_TODAY", "2027-05-10")
    content = resources.load()
    plan = load_plan(FIXTURES / "export_plan.yaml")
    data = render.export(content, plan, fmt, outline="funder")
    check_golden(f"funder.{fmt}" if fmt != "docx" else "funder.docx.txt", docx_outline(data) if fmt == "docx" else data)


def test_word_timeline_is_a_native_shaded_table_and_the_budget_has_its_totals(wb2, monkeypatch):
    import io

    import docx
    from docx.oxml.ns import qn

    monkeypatch.setenv("DEFLECT_TODAY", "2027-05-10")
    content, plan = wb2
    word = docx.Document(io.BytesIO(render.export(content, plan, "docx", outline="funder")))
    timelines = [t for t in word.tables if t.rows[0].cells[0].text == "Activity" and "Q1 2027" in
                 [c.text for c in t.rows[0].cells]]
    assert timelines, "no timeline table"
    table = timelines[0]
    assert len(table.columns) - 1 <= 13
    header = [c.text for c in table.rows[0].cells]
    row = next(r for r in table.rows if r.cells[0].text.startswith("Hire program coordinator (Riverton"))
    q1 = header.index("Q1 2027")
    assert row.cells[q1].text == "◆"
    fill = row.cells[q1]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill.upper() == "F2B134"
    assert table.columns[0].width > 3 * table.columns[1].width  # the activity names get room
    launch = next(r for r in table.rows if r.cells[0].text.startswith("Launch (2027-04-01)"))
    assert launch.cells[header.index("Q2 2027")].text == "▲"
    shares = next(t for t in word.tables if t.rows[0].cells[0].text == "Share")
    values = {r.cells[0].text: r.cells[1].text for r in shares.rows[1:]}
    assert values == {"Federal request": "$267,553.00", "Non-federal share (match)": "$33,594.00",
                      "Not assigned to a federal or non-federal source": "$6,600.00", "Total": "$307,747.00"}
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    assert shares.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_export_says_when_a_chapter_runs_over(cli, tmp_path):
    outline_file = tmp_path / "short.yaml"
    outline_file.write_text("chapters:\n  - heading: Budget\n    parts: [budget]\n    characters: 100\n")
    code, out, err = cli("export", "--plan", str(PLAN), "--content", str(WB2), "--outline", str(outline_file),
                         "-o", str(tmp_path / "x.md"))
    assert code == 0 and "Over the outline's limit: Budget: " in err and "(limit 100)" in err


def test_the_worked_example_in_the_docs_is_a_valid_outline(wb2, tmp_path):
    text = (Path(__file__).parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    example = text.split("# my-solicitation.yaml", 1)[1].split("```", 1)[0]
    path = tmp_path / "my-solicitation.yaml"
    path.write_text("#" + example, encoding="utf-8")
    parsed = outline.find(str(path))
    assert [c.heading for c in parsed.chapters][:2] == ["Need for the project", "Project description"]
    content, plan = wb2
    md = render.export(content, plan, "md", outline=str(path))
    assert "## Budget justification" in md and "## Letters of commitment" in md


def test_final_names_open_questions_by_label_and_counts_the_rest(cli, tmp_path):
    """12.16: the refusal listed raw ids ("introduction.vision, introduction.goals, ...") on one long line."""
    assert cli("start", "--plain", input="")[0] in (0, 130)
    code, _out, err = cli("export", "--final", "-o", str(tmp_path / "x.md"))
    assert code == 1 and err.count("\n") == 1
    assert "Lead agency (About this plan)" in err and "more; `deflect status` lists them" in err
    assert "profile.agency" not in err and len(err) < 400


def test_a_chapter_is_read_with_its_heading_and_intro_tidied(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("chapters:\n  - heading: '  Our   plan '\n    parts: [summary, 'section:data']\n"
                    "    words: 500\n    optional: true\n    intro: '  First.  '\n  - sections: true\n")
    assert outline.find(str(path)).chapters == [
        outline.Chapter("Our plan", ["summary", "section:data"], words=500, optional=True, intro="First."),
        outline.Chapter(sections=True),
    ]
