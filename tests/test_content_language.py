"""Person-first language and one (US) spelling, checked in content and in the program's own words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deflect_cli.content import lint as content_lint
from deflect_cli.content.model import load_content
from deflect_cli.errors import ContentError

from conftest import FIXTURES

REPO = Path(__file__).resolve().parents[1]

BAD_SECTION = """\
id: words
title: Words
summary: A section whose words need work.
guide: |
  ## Who we serve

  We work with every addict in town and their families.
  Our organisation meets weekly.

  [//]: # (language: the table below names terms to avoid)
  | Instead of | Try |
  | --- | --- |
  | junkie | person who uses drugs |

  A junkie is still a neighbour.
sources:
  - title: Canadian Centre on Substance Use and Addiction report on behaviour
    url: https://example.org/centre
questions:
  - id: urine
    prompt: How will staff record results?
    help: Never write that a test came back dirty; colour-coded forms are fine.
    type: choice
    choices:
      - {value: organisation_form, label: The agency form}
      - Substance abusers log
"""


@pytest.fixture
def words_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", target)
    (target / "sections" / "04-words.yaml").write_text(BAD_SECTION)
    return target


def _problems(root) -> list:
    with pytest.raises(ContentError) as info:
        load_content(root, display_root="c")
    return info.value.problems


def test_bundled_content_has_no_stigmatizing_terms_or_british_spellings(content):
    """The bundled guide loads (the lint is part of loading) and every file passes the language lint."""
    for path in sorted((REPO / "content").rglob("*.yaml")):
        from deflect_cli import yamlio

        text = path.read_text(encoding="utf-8")
        found = []

        def problem(line, message, found=found, path=path):
            found.append(f"{path.name}:{line}: {message}")

        content_lint.check_file(yamlio.parse(text), text, content_lint.default_rules(), problem)
        assert found == []


def test_broken_content_fails_with_file_line_and_the_replacement(words_copy):
    problems = _problems(words_copy)
    assert ("c/sections/04-words.yaml:7: language: 'addict' stigmatizes; "
            "say 'person with a substance use disorder' instead") in problems
    assert "c/sections/04-words.yaml:8: spelling: 'organisation' is British; use US 'organization'" in problems
    # the marked table is skipped; the same word after the blank line is not
    assert ("c/sections/04-words.yaml:15: language: 'junkie' stigmatizes; "
            "say 'person who uses drugs' instead") in problems
    assert not any("04-words.yaml:13:" in p for p in problems)
    assert "c/sections/04-words.yaml:15: spelling: 'neighbour' is British; use US 'neighbor'" in problems
    assert any(p.startswith("c/sections/04-words.yaml:22: language: 'came back dirty'") for p in problems)
    assert "c/sections/04-words.yaml:22: spelling: 'colour' is British; use US 'color'" in problems
    assert any(p.startswith("c/sections/04-words.yaml:26: language: 'Substance abusers'") for p in problems)
    # a source keeps its published title; a choice value is a stored code, not prose
    assert not any(":17:" in p or ":25:" in p for p in problems), problems
    assert len(problems) == 7, problems


def test_lint_command_reports_language_problems(cli, words_copy):
    code, out, err = cli("lint", "--content", str(words_copy))
    assert code == 1
    assert "04-words.yaml:7: language: 'addict'" in err and "Traceback" not in err


def test_authors_extend_the_lists_in_workbook_yaml(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    workbook = root / "workbook.yaml"
    text = workbook.read_text()
    workbook.write_text(text + "language:\n"
                        "  avoid:\n"
                        "    - {term: frequent caller, use: person who calls often}\n"
                        "    - {pattern: '\\bhabitual\\b', use: frequent}\n"
                        "  spelling:\n"
                        "    - {british: towards, us: toward}\n"
                        "  allow:\n"
                        "    - Addict Services of Riverton\n")
    section = root / "sections" / "04-words.yaml"
    section.write_text(BAD_SECTION.replace("We work with every addict in town and their families.",
                                           "Addict Services of Riverton helps frequent callers towards care.")
                       .replace("Our organisation", "Our habitual team"))
    problems = _problems(root)
    assert ("c/sections/04-words.yaml:7: language: 'frequent callers' stigmatizes; "
            "say 'person who calls often' instead") in problems
    assert "c/sections/04-words.yaml:7: spelling: 'towards' is British; use US 'toward'" in problems
    assert "c/sections/04-words.yaml:8: language: 'habitual' stigmatizes; say 'frequent' instead" in problems
    assert not any("'Addict'" in p for p in problems), problems


def test_a_broken_language_list_is_a_content_problem(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    lines = len((root / "workbook.yaml").read_text().splitlines())
    with (root / "workbook.yaml").open("a") as handle:
        handle.write("language:\n  avoid:\n    - {pattern: '(', use: x}\n    - {term: y}\n  colour: []\n")
    problems = _problems(root)
    assert f"c/workbook.yaml:{lines + 3}: workbook language avoid: 'pattern' is not a valid regular expression: " \
           "missing ), unterminated subpattern at position 0" in problems
    assert f"c/workbook.yaml:{lines + 4}: workbook language avoid: each item needs 'term' (or 'pattern') and 'use'" \
        in problems
    assert f"c/workbook.yaml:{lines + 5}: workbook language: unknown field 'colour'" in problems


@pytest.mark.parametrize("text, flagged", [
    ("the test was clean", True),
    ("a dirty urine screen", True),
    ("staying clean for a year", True),
    ("known users of the service", True),
    ("people who use drugs", False),
    ("clean needles and a clean, quiet room", False),
    ("Substance Abuse and Mental Health Services Administration (SAMHSA)", False),
    ("Journal of Substance Abuse Treatment, 2017", False),
    ("drug abuse", True),
    ("addiction is a treatable condition", False),
    ("organisations", True),
    ("organism", False),
    ("emphasis on analyses", False),
])
def test_what_the_built_in_lists_catch(text, flagged):
    assert bool(content_lint.default_rules().hits(text)) is flagged, text


def test_the_programs_own_words_use_us_spelling_and_person_first_terms():
    """Messages, help texts, templates and docs: one spelling, no labels (the lists themselves are exempt)."""
    paths = [p for p in (REPO / "src").rglob("*.py")
             if p.relative_to(REPO / "src").as_posix() != "deflect_cli/content/lint.py"]
    paths += [p for p in (REPO / "templates").rglob("*") if p.is_file() and p.suffix != ".docx"]
    paths += [REPO / "README.md", REPO / "pyproject.toml"] + sorted((REPO / "docs").rglob("*.md"))
    found = []
    for path in paths:
        for line, message in content_lint.text_hits(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(REPO)}:{line}: {message}")
    assert found == []
