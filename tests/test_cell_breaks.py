"""Line breaks inside table cells survive every export (an advisory board typed on two lines read as
"Health director, sheriff two peer recovery coaches"): <br> in HTML, a line break in Word, "; " in Markdown."""

from __future__ import annotations

import io

from deflect_cli.export import render
from deflect_cli.plan.model import new_plan

TYPED = "Health director, sheriff <b>\ntwo peer recovery coaches"


def _plan(content, tmp_path):
    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    plan.set_answer("profile.agency", "Riverton Health Department")
    plan.set_answer("launch.activities", [{"activity": TYPED, "lead": "Dana Lee", "start": "2099-01-15"}])
    return plan


def test_html_breaks_the_line_and_escapes_the_text(content, tmp_path):
    html = render.export(content, _plan(content, tmp_path), "html")
    assert "Health director, sheriff &lt;b&gt;<br>two peer recovery coaches" in html


def test_word_puts_a_line_break_in_the_cell(content, tmp_path):
    import docx

    document = docx.Document(io.BytesIO(render.export(content, _plan(content, tmp_path), "docx")))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert TYPED in cells


def test_markdown_joins_the_lines_with_a_semicolon(content, tmp_path):
    md = render.export(content, _plan(content, tmp_path), "md")
    row = next(line for line in md.splitlines() if "Health director" in line and line.startswith("|"))
    assert "sheriff \\<b\\>; two peer recovery coaches" in row or "sheriff <b>; two peer" in row.replace("\\", "")
