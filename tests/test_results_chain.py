"""One results chain (issue 10.4): goals -> objectives -> measures -> activities, stored as data;
baselines gathered in community needs pre-fill the measures (`prefill:`, editable, copied as data);
checks for an objective with no measure, a measure with no baseline, an activity whose objective
is gone; and plans made with the older workbook carried into the chain (issue 10.9)."""

from __future__ import annotations

import textwrap

import pytest

from deflect_cli.content.model import ContentError, load_content, prefill_rows
from deflect_cli.plan import flow
from deflect_cli.plan.intake import read_answers_file
from deflect_cli.plan.migrate import open_plan
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import save_plan
from deflect_cli.session.prompter import QUIT
from deflect_cli.session.tables import _row_title

from conftest import CTRL_Q, DOWN, ENTER, FIXTURES, screen_wizard

OLD = FIXTURES / "riverton-answers.yaml"


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


def bare(rows) -> list:
    """Rows without their stable row ids (`_id`, plan format 3)."""
    return [{k: v for k, v in row.items() if not k.startswith("_")} if isinstance(row, dict) else row for row in rows]


def fired(content, answers) -> set:
    return {c.id for c in flow.firing_checks(content, flow.evaluate(content, answers))}


# ------------------------------------------------------------------ prefill


def test_baselines_from_community_needs_prefill_the_measures(content):
    measures = content.question("data.measures")
    answers = {"community_needs": {"overdose_deaths": 27, "nonfatal_overdoses": 318}}
    rows = prefill_rows(measures, answers)
    assert rows == [
        {"measure": "Fatal overdoses", "kind": "long_term", "unit": "deaths", "baseline": 27},
        {"measure": "Nonfatal overdoses", "kind": "short_term", "unit": "overdoses", "baseline": 318},
    ]  # naloxone and arrests were not gathered: not offered
    assert prefill_rows(measures, {}) == []


def test_the_wizard_offers_the_prefilled_rows_to_edit(keys, content, tmp_path):
    wizard = screen_wizard(content, tmp_path, width=240)
    wizard.plan.set_answer("community_needs.overdose_deaths", 27)
    keys(DOWN * 3 + ENTER)  # add, edit row 1, remove, done
    rows = wizard.ask_question(content.question("data.measures"))
    assert rows == [{"measure": "Fatal overdoses", "kind": "long_term", "unit": "deaths", "baseline": 27}]
    screen = wizard.screen.getvalue()
    assert "1 row filled in from your earlier answers" in screen and "Fatal overdoses" in screen
    # In the table's menu a row is named by its measure, not by the objective code it points to.
    assert _row_title(content.question("data.measures"), rows[0]) == "Fatal overdoses"
    assert _row_title(content.question("launch.activities"), {"objective": "O1", "activity": "Hire"}) == "Hire"


def test_a_skipped_table_is_not_prefilled_again(keys, content, tmp_path):
    wizard = screen_wizard(content, tmp_path)
    wizard.plan.set_answer("community_needs.overdose_deaths", 27)
    wizard.plan.skip("data.measures")
    keys(CTRL_Q)  # on the table menu: nothing offered
    assert wizard.ask_question(content.question("data.measures")) is QUIT
    assert "filled in from your earlier answers" not in wizard.screen.getvalue()


MINI_WORKBOOK = """\
title: Prefill workbook
version: "1"
profile:
  questions:
    - {id: place, prompt: Where?, help: The place., type: text}
"""
SECTION = """\
id: data
title: Data
summary: Measures.
guide: Guide.
questions:
  - id: count
    prompt: How many?
    help: A count.
    type: number
  - id: measures
    prompt: Which measures?
    help: One row each.
    type: table
    columns:
      - {id: objective, label: Objective, type: text, required: true}
      - {id: measure, label: Measure, type: text}
      - {id: baseline, label: Baseline, type: number}
    prefill:
%s
"""


def mini(tmp_path, prefill: str, extra: str = ""):
    root = tmp_path / "content"
    (root / "sections").mkdir(parents=True, exist_ok=True)
    (root / "workbook.yaml").write_text(MINI_WORKBOOK)
    (root / "sections" / "01-data.yaml").write_text(SECTION % textwrap.indent(prefill, "      ") + extra)
    return load_content(root)


def test_copied_text_is_data_never_a_template(tmp_path):
    content = mini(tmp_path, "- {measure: {from: profile.place}, baseline: {from: data.count}}")
    rows = prefill_rows(content.question("data.measures"),
                        {"profile": {"place": "{{ 7*7 }} {% raw %}"}, "data": {"count": 4}})
    assert rows == [{"measure": "{{ 7*7 }} {% raw %}", "baseline": 4}]


def test_a_prefilled_row_missing_a_required_cell_cannot_be_kept_as_it_is(keys, tmp_path):
    content = mini(tmp_path, "- {measure: Deaths, baseline: {from: data.count}}")
    wizard = screen_wizard(content, tmp_path)
    wizard.plan.set_answer("data.count", 4)
    keys(DOWN * 3 + ENTER,                       # Done: row 1 has no objective
         DOWN + ENTER, "O1" + ENTER, ENTER, ENTER,  # edit row 1: objective O1, keep the rest
         DOWN * 3 + ENTER)                       # Done
    rows = wizard.ask_question(content.question("data.measures"))
    assert rows == [{"objective": "O1", "measure": "Deaths", "baseline": 4}]
    assert "Row 1 needs Objective: edit it or remove it." in wizard.screen.getvalue()


@pytest.mark.parametrize("prefill, problem", [
    ("- {nothing: 1}", "'prefill' names column 'nothing', which the table does not have"),
    ("- {baseline: many}", "'prefill' cell 'baseline': must be a number"),
    ("- {measure: {from: data.nowhere}}", "copies 'data.nowhere', which is not a question"),
    ("- {measure: {from: data.measures}}", "copies 'data.measures', a list"),
    ("- {measure: {from: profile.place, also: 1}}", "must be a value or {from: SECTION.QUESTION}"),
    ("just text", "'prefill' must be a list of rows"),
])
def test_prefill_is_linted(tmp_path, prefill, problem):
    with pytest.raises(ContentError) as raised:
        mini(tmp_path, prefill)
    assert problem in "\n".join(raised.value.problems)


def test_prefill_may_only_copy_an_earlier_answer(tmp_path):
    later = "  - {id: later, prompt: Later?, help: After the table., type: number}\n"
    with pytest.raises(ContentError) as raised:
        mini(tmp_path, "- {baseline: {from: data.later}}", extra=later.replace("  - ", "  - ", 1))
    assert "copies 'data.later', which is not asked before this question" in "\n".join(raised.value.problems)


# ------------------------------------------------------------------ checks


CHAIN = {
    "introduction": {
        "goals": [{"code": "G1", "goal": "Fewer deaths"}],
        "objectives": [{"code": "O1", "goal": "G1", "objective": "Cut deaths by a quarter", "by": "2029-12-31"},
                       {"code": "O2", "goal": "G1", "objective": "Reach survivors in 72 hours", "by": "2028-01-31"}],
    },
    "data": {"measures": [{"objective": "O1", "measure": "Fatal overdoses", "baseline": 27}]},
    "launch": {"activities": [{"objective": "O2", "activity": "Hire the clinician", "lead": "Clinic"}]},
}


def test_an_objective_with_no_measure_is_flagged(content):
    assert "objective_without_measure" in fired(content, CHAIN)
    # Not said while the objectives are typed in section 1: only once measures are being given.
    assert "objective_without_measure" not in fired(content, {**CHAIN, "data": {}})
    whole = {**CHAIN, "data": {"measures": CHAIN["data"]["measures"] + [
        {"objective": "O2", "measure": "Survivors reached", "baseline": 0}]}}
    assert "objective_without_measure" not in fired(content, whole)


def test_a_measure_with_no_baseline_is_flagged(content):
    assert "measures_without_baseline" not in fired(content, CHAIN)
    gap = {**CHAIN, "data": {"measures": [{"objective": "O1", "measure": "Fatal overdoses"}]}}
    assert "measures_without_baseline" in fired(content, gap)


def test_an_activity_whose_objective_is_gone_is_listed_to_double_check(content):
    def stale(answers):
        return [m for _, m in flow.stale_answers(content, flow.evaluate(content, answers))
                if m.startswith("Activities and milestones")]

    assert stale(CHAIN) == []
    gone = {**CHAIN, "introduction": {**CHAIN["introduction"], "objectives": CHAIN["introduction"]["objectives"][:1]}}
    [message] = stale(gone)
    assert "Objective is 'O2', which is no longer in 'Objectives'" in message


# ------------------------------------------------------------------ carried from the older workbook


def test_the_riverton_plan_made_with_the_old_workbook_opens_in_the_results_chain(tmp_path, content):
    old = read_answers_file(OLD)
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.answers, plan.content_version, plan.question_fingerprints = old, "2026.12", {}
    save_plan(plan)
    plan, changes = open_plan(content, plan.path)
    said = "\n".join(changes.lines())
    assert "introduction.goals is now part of introduction.objectives (3 rows)." in said
    intro = {k: bare(v) if isinstance(v, list) else v for k, v in plan.answers["introduction"].items()}
    assert [g["code"] for g in intro["goals"]][:3] == ["G1", "G2", "G3"]
    assert intro["goals"][0]["goal"] == "Reach overdose survivors quickly"
    assert {"Vision", "Shared"} <= {g["code"] for g in intro["goals"]}  # the vision and the partners' shared goals
    assert intro["objectives"][2] == {"code": "O3", "goal": "G3", "by": "2029-12-31",
                                      "objective": old["introduction"]["goals"][2]["objective"]}
    measures = bare(plan.answers["data"]["measures"])
    assert {"objective": "O1", "measure": old["introduction"]["goals"][0]["measure"]} in measures
    assert any(m.get("measure") == "Fatal overdoses among Riverton residents" and m.get("baseline_source") ==
               "Calder County Medical Examiner" for m in measures)
    activities = bare(plan.answers["launch"]["activities"])
    # the milestones and action steps, then (issue 10 item 3's cut) the MOU plan and each approval
    assert len(activities) == (len(old["launch"]["milestones"]) + len(old["launch"]["action_plan"])
                               + 1 + len(old["launch"]["approvals"]))
    assert activities[0]["milestone"] is True and activities[0]["end"] == "2027-01-22"
    assert any(a["activity"].startswith("Agree the format and 8:00 delivery time") for a in activities)
    # Nothing lost: what did not fit (text baselines, strategies) is set aside whole, with its text.
    aside = {e["question"]: e for e in plan.orphaned}
    assert "0% (no follow-up service, 2026)" in aside["data.measures"]["reason"]
    assert bare(aside["launch.action_plan"]["answer"]) == old["launch"]["action_plan"]  # row ids aside
    assert "introduction.goals" not in aside  # every column of the old goals found a place
    carried = {c.old_key for c in changes.items if c.kind == "carried"}
    assert {"introduction.vision", "partnerships.shared_goals", "launch.milestones"} <= carried
    for section_id, values in old.items():
        for question_id in values:
            key = f"{section_id}.{question_id}"
            assert content.question(key) is not None or key in aside or key in carried, key
