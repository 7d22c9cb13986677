"""Where exports, paperwork and packets go, and the outputs refused before anything is written
(export/files.py, and render.py for binary formats), tested without the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from deflect_cli.errors import DeflectError
from deflect_cli.export import files

PLAN = Path("work") / "riverton.yaml"


def test_an_export_is_named_after_the_plan_and_a_blank_workbook_after_itself():
    assert files.export_name(PLAN, "docx", blank=False) == "riverton.docx"
    assert files.export_name(PLAN, "md", blank=True) == "deflection-workbook.md"


def test_the_target_is_the_output_given_else_the_default_beside_the_plan():
    assert files.target(None, PLAN, "riverton.md") == Path("work") / "riverton.md"
    assert files.target("out/plan.html", PLAN, "riverton.html") == Path("out/plan.html")
    assert files.target("-", PLAN, "riverton.md") is None  # standard output


def test_the_plan_file_itself_is_never_a_target(tmp_path):
    plan = tmp_path / "deflection-plan.yaml"
    plan.write_text("x", encoding="utf-8")
    with pytest.raises(DeflectError):
        files.target(str(plan), plan, "deflection-plan.md")
    with pytest.raises(DeflectError):
        files.refuse_over_plan(str(plan), plan)
    files.refuse_over_plan("-", plan)
    files.refuse_over_plan(None, plan)


@pytest.mark.parametrize("output, fmt", [("p.docx", "docx"), ("p.MD", "md"), ("p.markdown", "md"),
                                         ("p.yml", "yaml"), ("p.yaml", "yaml"), (None, "docx")])
def test_a_packets_format_follows_its_suffix_else_word(output, fmt):
    assert files.packet_format(None, output) == fmt


def test_a_packets_format_given_wins_and_unknown_ones_are_refused():
    assert files.packet_format("md", "reply.docx") == "md"
    with pytest.raises(DeflectError, match=r"^p\.odt: unknown packet suffix; use \.docx, \.md or \.yaml"):
        files.packet_format(None, "p.odt")
    with pytest.raises(DeflectError, match="unknown packet format 'pdf'; use docx, md or yaml"):
        files.packet_format("pdf", None)


def test_a_packet_is_named_after_who_fills_it_in():
    assert files.packet_name("Lane Health", "docx") == "packet-lane-health.docx"
    assert files.packet_name("!!!", "md") == "packet-section.md"  # slug's own name for a name without letters


def test_a_binary_format_is_refused_only_to_a_terminal(monkeypatch):
    import sys

    from deflect_cli.export.render import refuse_binary_to_terminal

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(DeflectError, match=r"^a \.docx file is binary; send it to a file or a pipe"):
        refuse_binary_to_terminal("docx", "-")
    refuse_binary_to_terminal("md", "-")  # text is fine on screen
    refuse_binary_to_terminal("pdf", "plan.pdf")  # to a file
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    refuse_binary_to_terminal("xlsx", "-")  # to a pipe
