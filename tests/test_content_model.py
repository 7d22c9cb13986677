"""Content loading: the bundled guide is clean; broken content reports every problem with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.errors import ContentError

from conftest import FIXTURES

BROKEN_SECTION = """\
id: broken
title: Broken
summary: A section full of mistakes.
guide: Text.
questions:
  - id: a
    prompt: First?
    help: Help.
    type: slider
  - id: a
    prompt: Duplicate?
    help: Help.
    type: text
  - id: pick
    prompt: Pick one?
    help: Help.
    type: choice
  - id: cond
    prompt: Conditional?
    help: Help.
    type: text
    when: "models.chosen =="
  - id: ghost
    prompt: Names a ghost?
    help: Help.
    type: text
    when: "models.nothing_here == 1"
  - id: noprompt
    help: Help.
    type: text
  - id: nohelp
    prompt: No help?
    type: number
    min: 5
    max: 1
  - id: table
    prompt: Table without columns?
    help: Help.
    type: table
"""


@pytest.fixture
def mini_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", target)
    return target


def test_bundled_content_loads_clean(content):
    assert len(content.sections) == 12
    assert content.question("partnerships.roster").type == "table"


def test_every_problem_is_reported_with_file_and_line(mini_copy):
    (mini_copy / "sections" / "04-broken.yaml").write_text(BROKEN_SECTION)
    with pytest.raises(ContentError) as caught:
        load_content(mini_copy, display_root="content")
    problems = caught.value.problems
    text = "\n".join(problems)
    file = "content/sections/04-broken.yaml"
    expected = [
        f"{file}:9: question broken.a: unknown type 'slider'",
        f"{file}:10: duplicate question id 'broken.a'",
        f"{file}:17: question broken.pick: a choice question needs a non-empty 'choices' list",
        f"{file}:18: question broken.cond: condition does not compile",
        f"{file}:23: question broken.ghost: condition names unknown question 'models.nothing_here'",
        f"{file}:28: question broken.noprompt: missing required field 'prompt'",
        f"{file}:31: question broken.nohelp: missing required field 'help'",
        f"{file}:34: question broken.nohelp: 'min' is greater than 'max'",
        f"{file}:36: question broken.table: missing required field 'columns'",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), f"missing {line!r} in:\n{text}"
    assert all(p.count(":") >= 2 for p in problems)


def test_yaml_syntax_error_names_the_line(mini_copy):
    (mini_copy / "sections" / "02-partners.yaml").write_text("id: partners\ntitle: [unclosed\nsummary: x\n")
    with pytest.raises(ContentError) as caught:
        load_content(mini_copy, display_root="c")
    assert any(p.startswith("c/sections/02-partners.yaml:") and "not valid YAML" in p for p in caught.value.problems)


def test_condition_may_not_look_forward(mini_copy):
    path = mini_copy / "sections" / "01-models.yaml"
    path.write_text(path.read_text().replace("when: \"'qrt' in models.chosen\"", "when: \"models.lead == 'qrt'\""))
    with pytest.raises(ContentError) as caught:
        load_content(mini_copy)
    assert any("not asked before this question" in p for p in caught.value.problems)


def test_yaml_tags_and_aliases_are_refused(mini_copy):
    (mini_copy / "sections" / "04-evil.yaml").write_text("a: &x [1, 2]\nb: *x\n")
    (mini_copy / "sections" / "05-tag.yaml").write_text("id: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ContentError) as caught:
        load_content(mini_copy)
    text = "\n".join(caught.value.problems)
    assert "anchors and aliases" in text
    assert "05-tag.yaml:1:" in text


def test_bad_file_name_and_missing_workbook(tmp_path):
    root = tmp_path / "c"
    (root / "sections").mkdir(parents=True)
    (root / "sections" / "intro.yaml").write_text("id: x\n")
    with pytest.raises(ContentError) as caught:
        load_content(root, display_root="c")
    text = "\n".join(caught.value.problems)
    assert "c/workbook.yaml:0: file not found" in text
    assert "c/sections/intro.yaml:0: file name must look like NN-<slug>.yaml" in text


def test_lint_command_lists_problems_and_fails(cli, mini_copy):
    code, out, _ = cli("lint", "--content", str(mini_copy))
    assert code == 0 and "no problems found" in out
    (mini_copy / "sections" / "04-broken.yaml").write_text(BROKEN_SECTION)
    code, out, err = cli("lint", "--content", str(mini_copy))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) >= 10
    assert all("04-broken.yaml:" in line for line in lines[:-1])
    assert "Traceback" not in err


def test_other_commands_refuse_broken_content_the_same_way(cli, mini_copy):
    (mini_copy / "sections" / "04-broken.yaml").write_text(BROKEN_SECTION)
    _, _, lint_err = cli("lint", "--content", str(mini_copy))
    for command in (["start", "--no-input"], ["status"], ["export"], ["sections"]):
        code, _, err = cli(*command, "--content", str(mini_copy))
        assert code == 1, command
        assert err == lint_err, command
    assert not Path("deflection-plan.yaml").exists()


@pytest.mark.parametrize("value, message", [
    (".inf", "must be a number"), ("-.inf", "must be a number"), (".nan", "must be a number"),
    ("-5", "must be between 0 and 10000"), ("99999999", "must be between 0 and 10000"),
    ("2.5", "must be a whole number"),
])
def test_estimated_minutes_out_of_range_is_one_lint_error(cli, mini_copy, value, message):
    """`.inf` crashed every command with OverflowError (int(inf)); `.nan` with ValueError."""
    workbook = mini_copy / "workbook.yaml"
    workbook.write_text(workbook.read_text().replace("estimated_minutes: 5", f"estimated_minutes: {value}"))
    code, _, err = cli("lint", "--content", str(mini_copy))
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == f"{workbook}:3: workbook: 'estimated_minutes' {message}"
    assert len(err.strip().splitlines()) == 2  # the problem and the count


@pytest.mark.parametrize("field", ["min: .nan", "min: -.inf", "max: .inf"])
def test_non_finite_number_fields_are_lint_errors(mini_copy, field):
    path = mini_copy / "sections" / "01-models.yaml"
    path.write_text(path.read_text().replace("    min: 0\n    max: 168\n", f"    {field}\n"))
    with pytest.raises(ContentError) as caught:
        load_content(mini_copy, display_root="c")
    assert caught.value.problems == [
        f"c/sections/01-models.yaml:24: question models.qrt_window: '{field.split(':')[0]}' must be a number"]


@pytest.mark.parametrize("condition, message", [
    ("(" * 100 + "models.chosen" + ")" * 100, "brackets nested more than 32 deep"),
    (" or ".join(["models.chosen"] * 3000), "more than 4000 characters"),
    (" + ".join(["1"] * 900) + " > 0", "more than 400 parts"),
    (" or ".join(["models.chosen"] * 70), "nested more than 64 deep"),
    ("not " * 300 + "models.chosen", "nested more than 64 deep"),
    ("9" * 5000 + " > 1", "more than 4000 characters"),
])
def test_oversized_conditions_are_one_lint_error(cli, mini_copy, condition, message):
    """These ended in RecursionError: a traceback from lint, or (900 `+` terms) a condition that
    passed lint and then always counted as false."""
    path = mini_copy / "sections" / "01-models.yaml"
    path.write_text(path.read_text().replace("when: \"'qrt' in models.chosen\"", f"when: \"{condition}\""))
    code, _, err = cli("lint", "--content", str(mini_copy))
    assert code == 1 and "Traceback" not in err
    [problem, _count] = err.strip().splitlines()
    assert problem.startswith(f"{path}:18: question models.qrt_window: condition is too large: {message}")


def _problems(root) -> list:
    with pytest.raises(ContentError) as caught:
        load_content(root, display_root="c")
    return caught.value.problems


def test_problems_across_files_are_each_reported_in_reading_order(mini_copy):
    """load_content's steps: the glossary, section ids and numbers, workbook fields, check ids, defaults."""
    workbook = mini_copy / "workbook.yaml"
    workbook.write_text(workbook.read_text().replace("title: Mini workbook\n", "")
                        + '  - id: no_partners\n    when: "models.chosen"\n    message: Twice.\n')
    (mini_copy / "sections" / "02-extra.yaml").write_text(
        "id: extra\ntitle: Extra\nsummary: S.\nguide: G.\nquestions:\n"
        "  - {id: one, prompt: One?, help: H., type: text}\n")
    (mini_copy / "sections" / "04-more.yaml").write_text(
        "id: partners\ntitle: More\nsummary: S.\nguide: G.\nquestions:\n"
        "  - id: extra\n    prompt: Extra?\n    help: H.\n    type: yes_no\n    default: maybe\n")
    (mini_copy / "glossary.yaml").write_text("terms:\n  - term: Deflection\n")
    assert _problems(mini_copy) == [
        "c/glossary.yaml:2: glossary terms: missing required field 'definition'",
        "c/sections/02-partners.yaml:0: duplicate section number 02 (also c/sections/02-extra.yaml)",
        "c/sections/04-more.yaml:1: duplicate section id 'partners' (also in c/sections/02-partners.yaml)",
        "c/workbook.yaml:1: workbook: missing required field 'title'",
        "c/workbook.yaml:18: duplicate check id 'no_partners'",
        "c/sections/04-more.yaml:6: question partners.extra: default is not valid: expected yes or no (true or false)",
    ]


def test_a_workbook_without_a_profile_or_sections(tmp_path):
    root = tmp_path / "c"
    (root / "sections").mkdir(parents=True)
    (root / "workbook.yaml").write_text('title: T\nversion: "1"\n')
    assert _problems(root) == [
        "c/workbook.yaml:1: workbook: missing required field 'profile' (plan-level questions)",
        "c/workbook.yaml:0: profile: needs at least one question",
        "c/sections:0: no section files (expected sections/NN-<slug>.yaml)",
    ]
    (root / "workbook.yaml").write_text("title: [T\n")  # unreadable: its missing parts are not listed
    assert _problems(root) == [
        "c/workbook.yaml:2: not valid YAML: did not find expected ',' or ']'",
        "c/sections:0: no section files (expected sections/NN-<slug>.yaml)",
    ]


def test_a_glossary_is_read_when_there_is_one(mini_copy):
    assert load_content(mini_copy).glossary == ()
    (mini_copy / "glossary.yaml").write_text("terms:\n  - {term: Deflection, definition: A way to treatment.}\n")
    [term] = load_content(mini_copy).glossary
    assert (term["term"], term["definition"]) == ("Deflection", "A way to treatment.")
