"""One register of organizations and people (issue 10.3): partnerships.roster holds partners, the planning
team and the map of support; old plans' stakeholder maps and planning teams are carried into it, and an
MOU status nobody recorded is "not recorded", never a finding."""

from __future__ import annotations

import pytest
import yaml

from deflect_cli.export.model import partners_fact
from deflect_cli.plan import flow
from deflect_cli.plan.migrate import describe_value, reconcile
from deflect_cli.plan.model import new_plan

from conftest import FIXTURES, no_ids


def _roster(content):
    return content.question("partnerships.roster")


@pytest.mark.parametrize("rows, said", [
    ([{"name": "A"}, {"name": "B"}], "2 partners (agreement status not recorded): A; B"),
    ([{"name": "A", "mou": "signed"}, {"name": "B"}], "2 partners (1 with a signed agreement, 1 not recorded): A; B"),
    ([{"name": "A", "mou": "none"}, {"name": "B", "mou": "drafting"}], "2 partners (0 with a signed agreement): A; B"),
    ([{"name": "A", "mou": "signed"}, {"name": "Chief", "partner": False}], "1 partner (1 with a signed agreement): A"),
])
def test_an_unrecorded_mou_is_not_a_finding(content, rows, said):
    assert partners_fact(_roster(content), rows) == said


def test_the_register_has_the_contract_columns(content):
    ids = [c.id for c in _roster(content).columns]
    assert ids == ["name", "type", "contact", "role", "partner", "planning_team", "stance", "lived_experience",
                   "mou", "letter"]
    assert content.question("support.stakeholder_map") is None and content.question("support.planning_team") is None
    assert content.question("communications.lived_experience") is None  # asked once, in community_needs
    assert content.question("community_needs.lived_experience") is not None


def _riverton(content, tmp_path):
    old = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.answers = old
    return plan, yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())


def test_riverton_stakeholders_and_planning_team_join_the_register(content, tmp_path):
    plan, old = _riverton(content, tmp_path)
    reconcile(content, plan)
    roster = plan.answers["partnerships"]["roster"]
    names = [r["name"] for r in roster]
    assert names[:7] == [r["name"] for r in old["partnerships"]["roster"]]  # the partners stay first
    for row in old["support"]["stakeholder_map"]:
        [carried] = [r for r in roster if r["name"] == row["stakeholder"]]
        assert carried["stance"] == row["stance"]
    assert next(r for r in roster if r["name"] == "Riverton Police Patrolmen's Association")["type"] == "union"
    team = [r for r in roster if r.get("planning_team")]
    assert [r["name"] for r in team] == [r["name"] for r in old["support"]["planning_team"]]
    assert [r["lived_experience"] for r in team] == [r["lived_experience"] for r in old["support"]["planning_team"]]
    assert "stakeholder_map" not in plan.answers["support"] and "planning_team" not in plan.answers["support"]


def test_riverton_loses_no_answer(content, tmp_path):
    """Every old answer is in its place, carried, or set aside with its text."""
    plan, old = _riverton(content, tmp_path)
    reconcile(content, plan)
    aside = {e["question"]: e for e in plan.orphaned}
    for section_id, answers in old.items():
        for question_id, value in answers.items():
            key = f"{section_id}.{question_id}"
            if content.question(key) is not None and plan.answer(section_id, question_id) is not None:
                continue
            carried = [c for c in content.carry if c.source == key]
            if carried and key not in aside:  # carried whole: its rows are in the new table
                rows = plan.answer(*carried[0].target.split("."))
                assert len(rows) >= (len(value) if isinstance(value, list) else 1), key
                if carried[0].column:
                    assert any(r.get(carried[0].column) == value for r in no_ids(rows)), key  # `set` may add cells
                continue
            assert key in aside, key
            assert aside[key]["answer"] == value
    # What did not fit is named: the concerns and next steps, and the organizations; old kinds are renamed.
    assert "Whether settlement money should go to policing" in aside["support.stakeholder_map"]["reason"]
    assert "Calder County Health Department" in aside["support.planning_team"]["reason"]
    roster = plan.answers["partnerships"]["roster"]
    assert next(r for r in roster if r["name"] == "Downtown Riverton Business Association")["type"] == "community_group"
    assert describe_value(aside["communications.lived_experience"]["answer"]) in ("Yes", "No")


def test_a_skeptic_without_an_answer_to_objections_is_flagged(content, tmp_path):
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.set_answer("partnerships.roster", [{"name": "Officers' association", "stance": "skeptical", "partner": False}])
    fired = {c.id for c in flow.firing_checks(content, flow.evaluate(content, plan.answers))}
    assert "opposition_without_answer" in fired
    plan.set_answer("support.opposition_plan", "They will say it adds work; we answer with the overtime rules.")
    fired = {c.id for c in flow.firing_checks(content, flow.evaluate(content, plan.answers))}
    assert "opposition_without_answer" not in fired
