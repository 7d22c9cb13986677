"""Reading commands: `deflect sections`, `deflect guide N`, `deflect guide --glossary`."""

from __future__ import annotations


def test_sections_lists_twelve_with_counts(cli, content):
    code, out, _ = cli("sections")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 15  # profile, 12 sections, total, where the questions come from
    assert lines[5].split()[:2] == ["5", "partnerships"]
    assert lines[-2].startswith(f"{sum(1 for _ in content.questions())} questions in all; ")


def test_sections_says_where_the_questions_come_from(cli):
    from deflect_cli.content.resources import PROVENANCE

    code, out, _ = cli("sections")
    assert code == 0
    assert out.strip().splitlines()[-1] == PROVENANCE
    assert "not an official PAARI document" in PROVENANCE and "\n" not in PROVENANCE


def test_guide_reads_a_section_by_number_or_id(cli, content):
    code, by_number, _ = cli("guide", "5")
    assert code == 0
    _, by_id, _ = cli("guide", "partnerships")
    assert by_number == by_id
    section = content.section("partnerships")
    assert section.title in by_number
    assert "Promising practices" in by_number and "Recommendations" in by_number and "Sources" in by_number
    assert section.practices[0]["program"] in by_number


def test_guide_glossary_and_unknown_section(cli):
    code, out, _ = cli("guide", "--glossary")
    assert code == 0 and "Glossary" in out and "Warm handoff" in out
    code, _, err = cli("guide", "99")
    assert code == 1 and "unknown section '99'" in err and "deflect sections" in err
