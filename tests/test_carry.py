"""Content transforms (issue 10.9): `carry:` in workbook.yaml moves answers whose question left the
workbook into rows of a table that is here now, before anything is set aside; what does not fit is
set aside with its text; `deflect lint --against OLD` lists what cannot be carried."""

from __future__ import annotations

import shutil

import pytest

from deflect_cli.content.model import ContentError, load_content
from deflect_cli.plan.migrate import compare_content, reconcile
from deflect_cli.plan.model import new_plan

from conftest import FIXTURES, no_ids


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


PEOPLE = """
  - id: people
    label: People and organizations
    prompt: Who takes part?
    help: One row each.
    type: table
    columns:
      - {id: name, label: Name, type: text, required: true}
      - {id: kind, label: Kind, type: choice, choices: [{value: treatment, label: Treatment}]}
      - {id: mou, label: MOU signed, type: yes_no}
      - {id: partner, label: Partner, type: yes_no}
  - id: steps
    label: Steps
    prompt: What are the steps?
    help: In order.
    type: table
    columns:
      - {id: step, label: Step, type: text, required: true}
"""
CARRY = """
carry:
  - from: partners.roster
    to: launch.people
    columns: {name: name, kind: kind, signed: mou}
    set: {partner: true}
  - from: partners.notes
    to: launch.steps
    column: step
"""


def _new(tmp_path, carry: str = CARRY, people: str = PEOPLE):
    root = tmp_path / "new"
    shutil.copytree(FIXTURES / "mini", root)
    partners = root / "sections" / "02-partners.yaml"
    text = partners.read_text()
    start = text.index("  - id: roster")
    partners.write_text(text[:start] + text[text.index("  - id: has_mou"):text.index("  - id: notes")])
    launch = root / "sections" / "03-launch.yaml"
    launch.write_text(launch.read_text() + people)
    workbook = root / "workbook.yaml"
    workbook.write_text(workbook.read_text().replace('version: "1"', 'version: "2"')
                        .replace("partners.roster == []", "launch.people == []") + carry)
    return root


ROSTER = [{"name": "Harbor Health", "kind": "treatment", "signed": True},
          {"name": "County Health Department", "kind": "health", "signed": False}]


def _old_plan(tmp_path):
    old = load_content(FIXTURES / "mini")
    plan = new_plan(tmp_path / "plan.yaml", old)
    plan.set_answer("partners.roster", [dict(r) for r in ROSTER])
    plan.set_answer("partners.notes", "Meet monthly with every partner.")
    plan.set_answer("partners.has_mou", True)
    for question in old.questions():
        plan.fingerprints[question.key] = question.fingerprint
    return plan


def test_old_answers_become_rows_and_what_does_not_fit_is_set_aside(tmp_path):
    new = load_content(_new(tmp_path))
    plan = _old_plan(tmp_path)
    changes = reconcile(new, plan)
    assert no_ids(plan.answers["launch"]["people"]) == [
        {"name": "Harbor Health", "kind": "treatment", "mou": True, "partner": True},
        {"name": "County Health Department", "mou": False, "partner": True},  # 'health' is no kind here
    ]
    assert no_ids(plan.answers["launch"]["steps"]) == [{"step": "Meet monthly with every partner."}]
    assert "roster" not in plan.answers["partners"] and plan.answers["partners"] == {"has_mou": True}
    [aside] = plan.orphaned  # the roster is also kept whole, with why: nothing is lost
    assert aside["question"] == "partners.roster" and no_ids(aside["answer"]) == ROSTER
    assert "part of it could not be carried" in aside["reason"] and "County Health Department" not in aside["reason"]
    assert "Kind: health" in aside["reason"]
    said = "\n".join(changes.lines())
    assert "partners.roster is now part of launch.people (2 rows)." in said
    assert "partners.notes is now part of launch.steps (1 row)." in said
    assert reconcile(new, plan).items == []  # opened again: nothing moves twice
    assert len(plan.answers["launch"]["people"]) == 2 and len(plan.orphaned) == 1


def test_a_carry_that_fits_sets_nothing_aside(tmp_path):
    new = load_content(_new(tmp_path, people=PEOPLE.replace("[{value: treatment, label: Treatment}]",
                                                            "[{value: treatment, label: T}, "
                                                            "{value: health, label: H}]")))
    plan = _old_plan(tmp_path)
    reconcile(new, plan)
    assert plan.orphaned == []
    assert [r["kind"] for r in plan.answers["launch"]["people"]] == ["treatment", "health"]


def test_rows_without_a_required_cell_are_not_carried(tmp_path):
    new = load_content(_new(tmp_path, carry=CARRY.replace("name: name, ", "")))
    plan = _old_plan(tmp_path)
    reconcile(new, plan)
    assert "people" not in plan.answers.get("launch", {})
    [aside] = plan.orphaned
    assert "a row without Name" in aside["reason"] and no_ids(aside["answer"]) == ROSTER


@pytest.mark.parametrize("carry, problem", [
    (CARRY.replace("to: launch.steps", "to: launch.owner"), "launch.owner is not a table question"),
    (CARRY.replace("column: step", "column: stage"), "table launch.steps has no typed column 'stage'"),
    (CARRY.replace("signed: mou", "signed: signed"), "table launch.people has no typed column 'signed'"),
    (CARRY.replace("set: {partner: true}", "set: {partner: maybe}"), "'set' partner: expected yes or no"),
    (CARRY.replace("    column: step\n", ""), "give either 'columns' (an old table) or 'column'"),
    (CARRY.replace("from: partners.notes", "from: notes"), "'from' must be a full id"),
])
def test_carry_is_linted(tmp_path, carry, problem):
    with pytest.raises(ContentError) as raised:
        load_content(_new(tmp_path, carry=carry))
    assert problem in "\n".join(raised.value.problems)


def test_lint_against_lists_what_cannot_be_carried(cli, tmp_path):
    new = _new(tmp_path)
    problems = compare_content(load_content(FIXTURES / "mini"), load_content(new))
    assert len(problems) == 1, problems
    assert "workbook.yaml:" in problems[0]
    assert "carry partners.roster -> launch.people: column 'kind' -> 'kind': choice(s) 'health' removed" in problems[0]
    code, out, err = cli("lint", "--content", str(new), "--against", str(FIXTURES / "mini"))
    assert code == 1 and "choice(s) 'health' removed" in err
    # Without the carry, the removed questions are said the old way.
    bare = load_content(_new(tmp_path / "x", carry=""))
    assert sum("was removed" in p for p in compare_content(load_content(FIXTURES / "mini"), bare)) == 2


def test_values_rename_old_choices_on_the_way(tmp_path):
    carry = CARRY.replace("    set: {partner: true}\n",
                          "    set: {partner: true}\n    values: {kind: {health: treatment}}\n")
    new = load_content(_new(tmp_path, carry=carry))
    plan = _old_plan(tmp_path)
    reconcile(new, plan)
    assert [r["kind"] for r in plan.answers["launch"]["people"]] == ["treatment", "treatment"]
    assert plan.orphaned == []
    assert compare_content(load_content(FIXTURES / "mini"), new) == []
    with pytest.raises(ContentError, match="'values' kind: 'clinic' is not a choice there"):
        load_content(_new(tmp_path / "bad", carry=carry.replace("health: treatment", "health: clinic")))


def test_an_answers_file_for_the_older_workbook_is_carried_too(tmp_path):
    import yaml

    from deflect_cli.plan.intake import apply_answers

    new = load_content(_new(tmp_path))
    plan = new_plan(tmp_path / "plan.yaml", new)
    data = {"partners": {"roster": ROSTER, "notes": "Meet monthly.", "has_mou": True}}
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(data))
    problems = apply_answers(new, plan, data, "answers.yaml")
    assert no_ids(plan.answers["launch"]["people"][0]) == {"name": "Harbor Health", "kind": "treatment", "mou": True,
                                                  "partner": True}
    assert no_ids(plan.answers["launch"]["steps"]) == [{"step": "Meet monthly."}]
    assert problems == ["answers.yaml: partners.roster: carried into launch.people, except Kind: health "
                        "('health' is not one of: treatment)"]
