"""`deflect export` in every format: the same chapters everywhere, every answer reproduced, plans untouched.

Golden files live in tests/fixtures/golden/. After an intended change to the documents, regenerate them
with `UPDATE_GOLDEN=1 pytest tests/test_export_formats.py` and review the diff before committing.
The fixture plan carries its own dates (the document date is the plan's last-saved date), so the
golden files do not change from day to day; only the plan's path is normalised in the JSON.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from html.parser import HTMLParser

import pytest

from deflect_cli.content.answers import display
from deflect_cli.export import render
from deflect_cli.plan import flow
from deflect_cli.plan.store import load_plan

from conftest import FIXTURES

GOLDEN = FIXTURES / "golden"
PLAN = FIXTURES / "export_plan.yaml"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CHAPTER_TITLES = [
    "Introduction and getting started", "Types of deflection and diversion programs",
    "Assessing community needs and resources", "Building support for deflection and diversion programs",
    "Building effective partnerships", "Developing policies and procedures", "Staffing and training",
    "Treatment, recovery and harm-reduction linkages",
    "Collecting data for management, monitoring and evaluation", "Funding and sustainability",
    "Communications and community engagement", "Launch and implementation plan",
]
EXPECTED_H2 = (["Contents", "Executive summary"] + [f"{n}. {t}" for n, t in enumerate(CHAPTER_TITLES, 1)]
               + ["Things to double-check", "Still to decide", "About this document"])
# Issue 11.8: the guide's sources sit under a chapter of their own only beside the guide's text (--include-guide);
# otherwise the "About this document" note names them as the guide's, never as the plan's own references.
EXPECTED_H2_GUIDE = EXPECTED_H2[:-1] + ["Sources", "About this document"]


# ------------------------------------------------------------------ helpers (also used by test_export_hostile)


def norm(text: str) -> str:
    return " ".join(str(text).split())


def md_tokens(markdown: str):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").parse(markdown)


def md_text(markdown: str) -> str:
    """What a reader sees: the text of every inline token, breaks as spaces."""
    return norm(" ".join(md_blocks(markdown)))


def md_blocks(markdown: str) -> list:
    """The text of each inline token (a paragraph, list item, heading or table cell), in order."""
    out = []
    for token in md_tokens(markdown):
        if token.type == "inline":
            out.append("".join(c.content if c.type in ("text", "code_inline") else " "
                               for c in token.children if c.type in ("text", "code_inline", "softbreak", "hardbreak")))
    return out


def docx_cells(data: bytes) -> list:
    """The text of each Word paragraph and table cell, in order."""
    out = []
    for block in docx_blocks(data):
        if block[0] == "p":
            out.append(block[2])
        else:
            out.extend(cell for row in block[1] for cell in row)
    return out


def md_headings(markdown: str, tag: str) -> list:
    tokens = md_tokens(markdown)
    return [norm(tokens[i + 1].content.replace("\\", "")) for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == tag]


class Page(HTMLParser):
    """Collects start tags, attributes and visible text of an HTML page."""

    BLOCKS = ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6")

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.blocks, self._skip = [], [], [], [], 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        self._skip += tag in ("style", "title")
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self.blocks:
                self.blocks[-1] += data

    @property
    def body_text(self) -> str:
        return norm(" ".join(self.text))


def docx_blocks(data: bytes) -> list:
    """The document in reading order: ("p", style, text) and ("table", rows) entries."""
    import docx

    document = docx.Document(io.BytesIO(data))
    out = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            out.append(("table", [[cell.text for cell in row.cells] for row in block.rows]))
        elif block.text.strip():
            out.append(("p", block.style.name, block.text))
    return out


def docx_outline(data: bytes) -> str:
    lines = []
    for block in docx_blocks(data):
        if block[0] == "p":
            lines.append(f"[{block[1]}] {block[2]}")
        else:
            lines.append("[table]")
            lines.extend("  | " + " | ".join(norm(c) for c in row) + " |" for row in block[1])
    return "\n".join(lines) + "\n"


def docx_text(data: bytes) -> str:
    parts = []
    for block in docx_blocks(data):
        parts.append(block[2] if block[0] == "p" else " ".join(" ".join(row) for row in block[1]))
    return norm(" ".join(parts))


def answer_texts(content, plan) -> list:
    """Every answer the plan holds that applies, in words, one string per cell or entry."""
    evaluation = flow.evaluate(content, plan.answers)
    texts = []
    for question in evaluation.applicable:
        value = flow.answer_of(plan.answers, question)
        if value in (None, "", []):
            continue
        if question.type == "table":
            texts += [display(c, row[c.id]) for row in value for c in question.columns
                      if row.get(c.id) not in (None, "")]
        elif question.type == "multi_choice":
            texts += [display(question, [v]) for v in value]
        else:
            texts.append(display(question, value))
    return texts


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; create it with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                 f"golden/{name}", "now", n=1))[:40])
        pytest.fail(f"{name} differs from tests/fixtures/golden/{name}. The plan document changed (templates, "
                    f"content labels or answer display). If that is intended, regenerate the golden files with "
                    f"`UPDATE_GOLDEN=1 pytest tests/test_export_formats.py` and review the diff:\n{diff}")


@pytest.fixture(scope="module")
def fixture_plan():
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def outputs(content, fixture_plan):
    return {fmt: render.export(content, fixture_plan, fmt) for fmt in ("md", "html", "docx", "json")}


# ------------------------------------------------------------------ golden files


def test_markdown_matches_golden(outputs):
    check_golden("plan.md", outputs["md"])


def test_html_matches_golden(outputs):
    check_golden("plan.html", outputs["html"])


def test_docx_outline_matches_golden(outputs):
    check_golden("plan.docx.txt", docx_outline(outputs["docx"]))


def test_json_matches_golden(outputs):
    data = json.loads(outputs["json"])
    data["plan"]["path"] = "PLAN"
    check_golden("plan.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------ one structure in every format


def test_markdown_has_the_plan_structure(outputs):
    md = outputs["md"]
    assert md_headings(md, "h1") == ["Riverton Pathways to Recovery"]
    assert md_headings(md, "h2") == EXPECTED_H2
    summary = md.split("## Executive summary", 1)[1].split("\n## ", 1)[0]
    for expected in ("walk into a police or fire station", "### Goals", "G2 Fewer overdose deaths",
                     "| Program models | Self-referral (walk-in at a station), ",
                     "| Partners | 5 partners (1 with a signed agreement): Riverton Police Department; ",
                     "| Staffing | 3 roles (2 funded): Program coordinator (Lt. Dana Ruiz); ",
                     "| Target launch date | 2026-10-01 |", "### First milestones",
                     "| O2.1 | Council approves settlement request | Riverton Police Department |  | 2026-06-30 | Yes "
                     "| In progress |"):
        assert expected in summary, expected
    assert "Planning team formed" not in summary  # done milestones are not "first milestones"
    cover = md.split("## Contents", 1)[0]
    for expected in ("| Lead agency | Riverton Police Department |", "| Plan date | 2026-04-17 |",
                     "| Plan version | Draft of 2026-04-17, 19 questions still to decide |",
                     "| Plan depth | Full workbook |"):
        assert expected in cover, expected


def test_contents_links_point_at_chapters_in_html(outputs):
    page = Page(outputs["html"])
    ids = {v for tag, k, v in page.attrs if k == "id"}
    links = [v for tag, k, v in page.attrs if tag == "a" and k == "href" and v.startswith("#")]
    assert len(links) == len(EXPECTED_H2) - 1
    assert all(link[1:] in ids for link in links)


def test_html_is_self_contained_and_printable(outputs):
    html = outputs["html"]
    page = Page(html)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attrs if a[1] in ("src", "srcset")]
    assert "@media print" in html and "break-before: page" in html and "@page" in html
    assert "Content-Security-Policy" in html
    assert page.tags.count("section") == len(EXPECTED_H2)
    assert page.tags.count("h2") == len(EXPECTED_H2)


def test_docx_uses_real_headings_tables_and_chapter_pages(outputs):
    import docx

    data = outputs["docx"]
    blocks = docx_blocks(data)
    assert blocks[0] == ("p", "Title", "Riverton Pathways to Recovery")
    heading1 = [b[2] for b in blocks if b[0] == "p" and b[1] == "Heading 1"]
    assert heading1 == EXPECTED_H2
    md_tables = sum(1 for t in md_tokens(outputs["md"]) if t.type == "table_open")
    assert sum(1 for b in blocks if b[0] == "table") == md_tables
    document = docx.Document(io.BytesIO(data))
    chapters = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert all(p.paragraph_format.page_break_before for p in chapters)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    bookmarks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml))
    anchors = re.findall(r'w:hyperlink w:anchor="([^"]+)"', xml)
    assert len(anchors) == len(EXPECTED_H2) - 1 and set(anchors) <= bookmarks
    assert document.core_properties.title == "Riverton Pathways to Recovery"


def test_docx_paragraph_properties_follow_the_schema_order(outputs, content):
    """Word refuses files whose w:pPr / w:tcPr / w:tblPr children are out of order; LibreOffice does not."""
    from lxml import etree

    from deflect_cli.export import docx as docx_export

    blank = render.export(content, None, "docx", blank=True, include_guide=True)
    for data in (outputs["docx"], blank):
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
        for parent, order in (("pPr", docx_export._PPR_ORDER), ("tcPr", docx_export._TCPR_ORDER),
                              ("tblPr", docx_export._TBLPR_ORDER)):
            for element in root.iter(f"{{*}}{parent}"):
                names = [etree.QName(child).localname for child in element]
                positions = [order.index(n) for n in names]
                assert positions == sorted(positions), (parent, names)


def test_every_answer_is_reproduced_in_every_format(outputs, content, fixture_plan):
    texts = answer_texts(content, fixture_plan)
    assert len(texts) > 150
    md, html, word = md_text(outputs["md"]), Page(outputs["html"]).body_text, docx_text(outputs["docx"])
    for text in texts:
        assert norm(text) in md, text
        assert norm(text) in html, text
        assert norm(text) in word, text


def test_things_to_double_check_and_still_to_decide(outputs, content, fixture_plan):
    md = outputs["md"]
    evaluation = flow.evaluate(content, fixture_plan.answers)
    checks = md.split("## Things to double-check", 1)[1].split("\n## ", 1)[0]
    fired = flow.firing_checks(content, evaluation)
    assert len(fired) == 13  # with the register's skeptic and the budget checks (year 1 short; the match)
    # The results chain's own checks: O3.1 has no measure and no date; a measure has no baseline.
    assert {"objective_without_measure", "objectives_without_dates", "measures_without_baseline",
            "activities_without_lead"} <= {c.id for c in fired}
    for check in fired:
        assert norm(check.message) in md_text(checks)
    still = md.split("## Still to decide", 1)[1].split("\n## ", 1)[0]
    open_questions = flow.still_to_decide(evaluation, fixture_plan.answers, fixture_plan.skipped)
    assert still.count("\n- ") == len(open_questions) == 19
    assert ("- What will happen to grant-funded positions and services when the grant ends? (required) "
            "(skipped for now)") in still
    assert "### Building effective partnerships" in still


def test_include_guide_puts_guide_text_before_answers(content, fixture_plan):
    md = render.export(content, fixture_plan, "md", include_guide=True)
    assert md_headings(md, "h2") == EXPECTED_H2_GUIDE
    chapter = md.split("## 5. Building effective partnerships", 1)[1].split("\n## ", 1)[0]
    guide, answers = chapter.split("### Partners and stakeholders", 1)
    assert "> **From the guide**" in guide and "> #### Promising practices" in guide
    assert content.section("partnerships").practices[0]["program"] in md_text(guide)
    plain = render.export(content, fixture_plan, "md")
    assert "From the guide" not in plain


# ------------------------------------------------------------------ the blank workbook


def test_blank_workbook_has_every_question_in_every_format(content):
    prompts = [norm(q.prompt) for q in content.questions()]
    md = render.export(content, None, "md", blank=True)
    html = Page(render.export(content, None, "html", blank=True)).body_text
    word = docx_text(render.export(content, None, "docx", blank=True))
    md_plain = md_text(md)
    for prompt in prompts:
        assert prompt in md_plain and prompt in html and prompt in word, prompt
    question = content.question("partnerships.roster")
    assert "| " + " | ".join(c.label for c in question.columns) + " |" in md
    assert "☐ Yes" in md and "☐ Other:" in md
    assert "depends on your answer to Program models chosen (2.2)" in md_plain


def test_blank_workbook_needs_no_plan(cli, tmp_path):
    code, out, err = cli("export", "--blank", "--format", "docx")
    assert code == 0, err
    data = (tmp_path / "deflection-workbook.docx").read_bytes()
    assert data[:2] == b"PK" and not (tmp_path / "deflection-plan.yaml").exists()
    code, _, err = cli("export", "--blank", "--format", "json")
    assert code == 1 and "blank workbook" in err


# ------------------------------------------------------------------ the command


@pytest.fixture
def planned(tmp_path):
    target = tmp_path / "deflection-plan.yaml"
    target.write_bytes(PLAN.read_bytes())
    return target


def test_export_writes_each_format_and_never_touches_the_plan(cli, planned, tmp_path):
    before = (planned.read_bytes(), planned.stat().st_mtime_ns)
    for fmt in ("md", "html", "docx", "json"):
        code, out, err = cli("export", "--format", fmt)
        assert code == 0, err
        written = tmp_path / f"deflection-plan.{fmt}"
        assert written.exists() and f"Wrote {written.name}" in out
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert (planned.read_bytes(), planned.stat().st_mtime_ns) == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_format_follows_the_output_suffix(cli, planned, tmp_path):
    code, _, err = cli("export", "-o", "council.docx")
    assert code == 0, err
    assert zipfile.is_zipfile(tmp_path / "council.docx")
    code, _, _ = cli("export", "-o", "council.htm")
    assert (tmp_path / "council.htm").read_text().startswith("<!DOCTYPE html>")
    code, _, err = cli("export", "--format", "rtf")
    assert code == 1 and "unknown format 'rtf'" in err


def test_an_unknown_suffix_is_refused_with_the_formats(cli, planned, tmp_path):
    code, out, err = cli("export", "-o", "plan.odt")
    assert code == 1 and not out
    assert len(err.strip().splitlines()) == 1
    assert "plan.odt" in err and ".odt" in err
    for name in (".md", ".html", ".docx", ".pdf", ".json"):
        assert name in err
    assert not (tmp_path / "plan.odt").exists()
    code, _, err = cli("export", "-o", "PLAN.ODT")
    assert code == 1 and not (tmp_path / "PLAN.ODT").exists()


def test_no_suffix_or_standard_output_is_markdown(cli, planned, tmp_path):
    code, _, err = cli("export", "-o", "council-plan")
    assert code == 0, err
    assert (tmp_path / "council-plan").read_text().startswith("# ")
    code, out, err = cli("export", "-o", "-")
    assert code == 0, err
    assert out == (tmp_path / "council-plan").read_text()
    code, _, err = cli("export", "--format", "html", "-o", "council-plan")  # --format names it
    assert code == 0, err
    assert (tmp_path / "council-plan").read_text().startswith("<!DOCTYPE html>")
    code, _, err = cli("export", "-o", "Plan.MD")
    assert code == 0, err


def test_binary_export_to_standard_output(planned, deflect_bin, tmp_path):
    result = subprocess.run([deflect_bin, "export", "--format", "docx", "-o", "-"], cwd=tmp_path,
                            capture_output=True, env={**os.environ, "DEFLECT_PLAN": str(planned)})
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(io.BytesIO(result.stdout))


def test_exporting_onto_a_plan_is_refused(cli, planned, tmp_path):
    other = tmp_path / "other-plan.yaml"
    other.write_bytes(PLAN.read_bytes())
    backup = tmp_path / "deflection-plan.yaml.bak"
    backup.write_bytes(PLAN.read_bytes())
    for target, what in ((str(planned), "plan file itself"), ("./deflection-plan.yaml", "plan file itself"),
                         (str(backup), "plan's backup"), (str(other), "a deflect plan")):
        code, _, err = cli("export", "--format", "md", "-o", target)
        assert code == 1 and what in err, (target, err)
    code, _, err = cli("export", "--blank", "-o", str(planned))
    assert code == 1 and "plan file itself" in err
    assert planned.read_bytes() == other.read_bytes() == backup.read_bytes() == PLAN.read_bytes()


def test_custom_templates_override_and_fall_back(cli, planned, tmp_path):
    folder = tmp_path / "agency"
    folder.mkdir()
    (folder / "plan.md.j2").write_text("# {{ doc.program_name | md_heading }} for council\n\n"
                                       "{{ doc.summary.vision | md }}\n")
    (folder / "plan.css").write_text("body { color: #123456; }\n")
    code, _, err = cli("export", "--templates", str(folder), "-o", "custom.html")
    assert code == 0, err
    html = (tmp_path / "custom.html").read_text()
    assert "#123456" in html and "<!DOCTYPE html>" in html  # plan.html.j2 came from the bundled set
    # plan.md.j2 shapes the Markdown only: HTML and Word are rendered from the document's blocks (issue 13.3)
    assert "for council" not in html and "Executive summary" in html
    code, _, err = cli("export", "--templates", str(folder), "-o", "custom.md")
    assert code == 0, err
    assert (tmp_path / "custom.md").read_text().startswith("# Riverton Pathways to Recovery for council\n")
    code, _, err = cli("export", "--templates", str(folder), "-o", "custom.docx")
    assert code == 0, err
    assert "for council" not in docx_text((tmp_path / "custom.docx").read_bytes())
    (folder / "workbook.md.j2").write_text("# {{ doc.title | md_heading }}: {{ doc.question_count }} questions\n")
    code, _, err = cli("export", "--blank", "--templates", str(folder), "-o", "blank.md")
    assert code == 0, err
    assert re.fullmatch(r"# .+: \d+ questions\n", (tmp_path / "blank.md").read_text())
    (folder / "plan.md.j2").write_text("{{ doc.no_such_thing }}\n")
    code, _, err = cli("export", "--templates", str(folder), "-o", "broken.md")
    assert code == 1 and "plan.md.j2: template error" in err and "Traceback" not in err
    assert not (tmp_path / "broken.md").exists()
    (folder / "plan.md.j2").write_text("{% if %}\n")
    code, _, err = cli("export", "--templates", str(folder), "-o", "broken.md")
    assert code == 1 and "plan.md.j2:1: template error" in err
    code, _, err = cli("export", "--templates", str(tmp_path / "missing"))
    assert code == 1 and "templates folder not found" in err


@pytest.mark.parametrize("suffix, expected", [
    ("md", []),                                  # Markdown is written from the blocks: not even Jinja
    ("html", ["jinja2"]),                        # the page shell; no Word code, no Markdown parser
    ("docx", ["docx", "lxml"]),                  # python-docx; no Jinja, no Markdown parser
])
def test_each_format_loads_only_its_own_libraries(planned, tmp_path, suffix, expected):
    """`export --format md` stays quick, and no format pulls in another's libraries (issue 13.2)."""
    script = (
        "import sys\n"
        "from deflect_cli.cli import app\n"
        "try:\n"
        f"    app(['export', '--plan', {str(planned)!r}, '-o', {str(tmp_path / ('out.' + suffix))!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('docx', 'markdown_it', 'weasyprint', 'lxml', 'jinja2') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(expected)


# ------------------------------------------------------------------ PDF (optional extra)


def test_pdf_without_weasyprint_says_how_to_get_it(cli, planned, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    code, out, err = cli("export", "--format", "pdf")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "pip install '.[pdf]'" in err and "--format html" in err
    assert not (tmp_path / "deflection-plan.pdf").exists()


def test_pdf_export_when_weasyprint_is_installed(cli, planned, tmp_path, outputs):
    weasyprint = pytest.importorskip("weasyprint")
    code, _, err = cli("export", "--format", "pdf")
    assert code == 0, err
    data = (tmp_path / "deflection-plan.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = weasyprint.HTML(string=outputs["html"]).render().pages
    assert len(pages) > len(EXPECTED_H2)  # a cover, then every chapter on a new page


def test_reference_docx_supplies_word_styles(cli, planned, tmp_path):
    import docx
    from docx.shared import Pt

    folder = tmp_path / "agency"
    folder.mkdir()
    reference = docx.Document()
    reference.styles["Normal"].font.name = "Georgia"
    reference.styles["Heading 1"].font.size = Pt(22)
    reference.save(folder / "reference.docx")
    code, _, err = cli("export", "--templates", str(folder), "-o", "styled.docx")
    assert code == 0, err
    styled = docx.Document(str(tmp_path / "styled.docx"))
    assert styled.styles["Normal"].font.name == "Georgia"
    assert styled.styles["Heading 1"].font.size == Pt(22)
    assert [p.text for p in styled.paragraphs if p.style.name == "Heading 1"] == EXPECTED_H2


def _zip_without_word_parts(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")


@pytest.mark.parametrize("name, make, target", [
    ("plan.md.j2", lambda p: p.write_bytes(b"# caf\xe9 \xff\n"), "out.md"),
    ("plan.css", lambda p: p.write_bytes(b"body { color: \xff; }\n"), "out.html"),
    ("plan.md.j2", lambda p: p.write_text("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}\n"), "out.md"),
    ("plan.html.j2", lambda p: p.write_text('{% include "plan.html.j2" %}\n'), "out.html"),
    ("reference.docx", lambda p: p.write_bytes(b""), "out.docx"),
    ("reference.docx", lambda p: p.write_text("just text"), "out.docx"),
    ("reference.docx", _zip_without_word_parts, "out.docx"),
    ("reference.docx", os.mkfifo, "out.docx"),
    ("reference.docx", lambda p: p.mkdir(), "out.docx"),
], ids=["md-not-utf8", "css-not-utf8", "recursive-macro", "recursive-include", "empty-docx", "text-docx",
        "zip-docx", "fifo-docx", "folder-docx"])
def test_a_damaged_agency_template_is_one_line(cli, planned, tmp_path, name, make, target):
    """Issue 15.4: one line naming the file, exit 1, no traceback, nothing written."""
    folder = tmp_path / "agency"
    folder.mkdir()
    make(folder / name)
    code, out, err = cli("export", "--templates", str(folder), "-o", target)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and name in err and "Traceback" not in err, err
    assert not (tmp_path / target).exists()


def test_every_cover_says_where_the_questions_come_from(content, outputs):
    """Issue 10.1: the provenance line is on the cover of every export, the blank workbook too."""
    from deflect_cli.content.resources import PROVENANCE as SHORT

    PROVENANCE = f"Prepared with deflect. {SHORT}"

    assert "not an official PAARI document" in PROVENANCE
    blank = {fmt: render.export(content, None, fmt, blank=True) for fmt in ("md", "html", "docx")}
    for made in (outputs, blank):
        assert PROVENANCE in md_text(made["md"].split("## Contents", 1)[0])
        cover = made["html"].split('<section class="toc">', 1)[0]
        assert PROVENANCE in Page(cover).body_text
        cells = docx_cells(made["docx"])
        assert PROVENANCE in cells[:cells.index("Contents")]


def test_html_headings_never_skip_a_level_even_with_the_guide(content, fixture_plan):
    """Screen readers navigate by heading level (axe `heading-order`): guide text starts at h3 under a chapter."""
    for html in (render.export(content, fixture_plan, "html", include_guide=True),
                 render.export(content, None, "html", blank=True, include_guide=True)):
        levels = [int(tag[1]) for tag in Page(html).tags if re.fullmatch(r"h[1-6]", tag)]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


# ------------------------------------------------------------------ the typed document model


def _figure_document():
    from deflect_cli.export import blocks as d

    evil = '<script>alert(1)</script> {{ 7*7 }} & "quotes"'
    table = d.Table(["Activity", "People served", "Q1"], [[d.Cell(evil), d.Cell("1,200", "number", 1200), d.Cell("")],
                                                          [d.Cell("Walk-in hours"), d.Cell("300", "number", 300),
                                                           d.Cell("", shade="1d4e89")]])
    drawing = d.Drawing("bars", {"bars": [(evil, 1200), ("Walk-in hours", 300)]}, title=f"People served: {evil}",
                        description="Bars for each activity; the same numbers are in the table below.")
    blocks = [d.Heading(1, "Figures"), d.Heading(2, "Results", anchor="results"),
              d.Figure("People served by activity", table, drawing),
              d.Steps([("First contact", "an officer offers a referral"), ("Handoff", f"a coach meets {evil}")])]
    meta = {"title": "Figures", "kind": "plan", "date": "", "author": "", "content_title": "t", "content_version": "1"}
    return d.Document(blocks, meta, {}), evil


def test_a_figure_is_a_table_everywhere_and_a_drawing_in_html():
    """Issue 13.3 / 11: a figure's facts are a table in every format; only HTML draws it (inline SVG, escaped)."""
    from deflect_cli.export import blocks as d
    from deflect_cli.export import docx as word
    from deflect_cli.export import html, markdown

    doc, evil = _figure_document()
    md = markdown.render(doc)
    assert "| Activity | People served | Q1 |" in md and "| Walk-in hours | 300 |  |" in md
    assert "1. **First contact**: an officer offers a referral" in md and "<svg" not in md
    assert norm(evil) in md_text(md)
    page = html.render(doc)
    parsed = Page(page)
    assert "svg" in parsed.tags and "title" in parsed.tags and "desc" in parsed.tags and "script" not in parsed.tags
    assert "figcaption" in parsed.tags and parsed.tags.count("table") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} &amp; &quot;quotes&quot;" in page
    assert '<td class="num" dir="auto">1,200</td>' in page and '<th class="num" dir="auto">People served</th>' in page
    assert '<td style="background: #1d4e89" dir="auto"></td>' in page
    data = word.render(doc)
    outline = docx_outline(data)
    assert "  | Walk-in hours | 300 |  |" in outline and f"  | {evil} | 1,200 |  |" in outline
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:fill="1D4E89"' in xml and xml.count('<w:jc w:val="right"/>') == 3  # two numbers and their header
    with pytest.raises(ValueError):
        d.Cell("", shade='fff" onload="x')
    assert "[List Paragraph] 1.\tFirst contact: an officer offers a referral" in outline


def test_no_format_module_imports_another():
    """Issue 13.2: the formats share text.py, never each other; render.py imports them only when asked."""
    import ast
    from pathlib import Path

    import deflect_cli.export as package

    formats = {"markdown", "html", "docx"}
    for path in Path(package.__file__).parent.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        used = {name.rsplit(".", 1)[1] for name in imported if name.startswith("deflect_cli.export.")}
        assert not (used & formats) - {path.stem}, (path.name, used & formats)
        assert "deflect_cli.export.render" not in imported, path.name  # no cycle back to the dispatcher


def test_a_reference_docx_without_the_styles_deflect_uses(cli, planned, tmp_path):
    """A reference.docx saved by Word defines only the styles its author used: the rest are added, no traceback."""
    import docx

    folder = tmp_path / "agency"
    folder.mkdir()
    reference = docx.Document()
    reference.styles["Normal"].font.name = "Georgia"
    for name in ("Title", "Heading 1", "Heading 2", "List Bullet", "List Paragraph", "Table Grid"):
        element = reference.styles[name].element
        element.getparent().remove(element)
    reference.save(folder / "reference.docx")
    code, _, err = cli("export", "--templates", str(folder), "-o", "styled.docx")
    assert code == 0, err
    data = (tmp_path / "styled.docx").read_bytes()
    styled = docx.Document(io.BytesIO(data))
    assert styled.styles["Normal"].font.name == "Georgia"
    assert [p.text for p in styled.paragraphs if p.style.name == "Heading 1"] == EXPECTED_H2
    assert "[List Bullet] •\tFentanyl or other illicit opioids" in docx_outline(data)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert xml.count("w:outlineLvl") >= 3
