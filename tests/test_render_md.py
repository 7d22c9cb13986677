"""Markdown and JSON plans: answers are data, escaped so the document's structure cannot change."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from deflect_cli.content.model import load_content
from deflect_cli.export import render
from deflect_cli.plan.model import new_plan

from conftest import FIXTURES

HOSTILE = ("Fine | not a cell\n# Injected heading\n{{ 7*7 }} {% raw %}\n- item\n1. one\n<script>alert(1)</script> "
           "`code` **b** [x](javascript:1) &amp;")


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


def tokens(markdown: str):
    return MarkdownIt("commonmark", {"html": False}).enable("table").parse(markdown)


def headings(markdown: str):
    return [t.tag for t in tokens(markdown) if t.type == "heading_open"]


def filled(mini, tmp_path, text):
    plan = new_plan(tmp_path / "p.yaml", mini)
    plan.set_answer("profile.agency", text)
    plan.set_answer("models.chosen", ["qrt", text])
    plan.set_answer("partners.roster", [{"name": text, "kind": "treatment", "signed": True}, {"name": "Clinic"}])
    plan.set_answer("partners.notes", text)
    plan.set_answer("launch.start_date", "2027-03-01")
    return plan


def test_structure_is_the_same_whatever_the_answers(mini, tmp_path):
    plain = render.render(mini, filled(mini, tmp_path, "Plain words"), "md")
    hostile = render.render(mini, filled(mini, tmp_path, HOSTILE), "md")
    assert headings(hostile) == headings(plain)
    table_rows = lambda md: sum(1 for t in tokens(md) if t.type == "tr_open")  # noqa: E731
    assert table_rows(hostile) == table_rows(plain)
    assert "49" not in hostile
    assert "<script>" not in MarkdownIt("commonmark", {"html": False}).enable("table").render(hostile)


def test_hostile_text_comes_back_literally(mini, tmp_path):
    hostile = render.render(mini, filled(mini, tmp_path, HOSTILE), "md")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(hostile)
    for fragment in ("{{ 7*7 }}", "{% raw %}", "&lt;script&gt;alert(1)&lt;/script&gt;", "`code`", "**b**",
                     "# Injected heading"):
        assert fragment in html, fragment


def test_answers_render_readably(mini, tmp_path):
    md = render.render(mini, filled(mini, tmp_path, "Riverton PD"), "md")
    assert "### Models chosen\n\n- Quick Response Team\n- Riverton PD\n" in md
    assert "| Organization | Kind | MOU signed |" in md
    assert "| Riverton PD | Treatment | Yes |" in md
    assert "## Still to decide" in md and "Who owns the launch?" in md
    assert "## Things to double-check" not in md  # a partner is listed, so the check does not fire


def test_still_to_decide_lists_skipped_and_required(mini, tmp_path):
    plan = new_plan(tmp_path / "p.yaml", mini)
    plan.skip("launch.owner")
    md = render.render(mini, plan, "md")
    section = md.split("## Still to decide", 1)[1]
    assert "- Who owns the launch? (skipped for now)" in section
    assert "- When do you start? (required)" in section


def test_json_lists_every_question(mini, tmp_path):
    plan = filled(mini, tmp_path, "PD")
    data = json.loads(render.render(mini, plan, "json"))
    ids = [q["id"] for s in data["sections"] for q in s["questions"]]
    assert ids == [q.key for q in mini.questions()]
    by_id = {q["id"]: q for s in data["sections"] for q in s["questions"]}
    assert by_id["models.qrt_window"]["applicable"] is True and by_id["models.qrt_window"]["status"] == "open"
    assert by_id["partners.roster"]["columns"][0] == {"id": "name", "label": "Organization", "type": "text"}
    assert by_id["models.chosen"]["answer"] == ["qrt", "PD"]
    assert by_id["models.lead"]["choices"][0] == {"value": "qrt", "label": "Quick Response Team"}
    plan.set_answer("models.chosen", ["self_referral"])
    data = json.loads(render.render(mini, plan, "json"))
    by_id = {q["id"]: q for s in data["sections"] for q in s["questions"]}
    assert by_id["models.qrt_window"] | {} == by_id["models.qrt_window"]
    assert by_id["models.qrt_window"]["status"] == "not_applicable"


def test_export_cli_writes_beside_the_plan_and_to_stdout(cli, tmp_path):
    cli("start", "--no-input", "--content", str(FIXTURES / "mini"))
    code, out, _ = cli("export", "--content", str(FIXTURES / "mini"))
    assert code == 0 and (tmp_path / "deflection-plan.md").exists()
    code, out, _ = cli("export", "--format", "json", "-o", "-", "--content", str(FIXTURES / "mini"))
    assert json.loads(out)["plan"]["content_title"] == "Mini workbook"
    code, _, err = cli("export", "-o", "deflection-plan.yaml", "--content", str(FIXTURES / "mini"))
    assert code == 1 and "plan file itself" in err
