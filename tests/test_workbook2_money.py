"""Workbook 2 (issue 10 items 5-6), the sections the money engineer reshaped: each thing asked once, the
referral pathway and policy additions, and the real-program elements, within their share of the budget of
things a person fills."""

from __future__ import annotations

import yaml

from deflect_cli.plan.migrate import reconcile
from deflect_cli.plan.model import new_plan

from conftest import FIXTURES, no_ids

MY_SECTIONS = ("program_types", "community_needs", "support", "partnerships", "policies", "staffing", "treatment",
               "funding", "communications")


def things_to_fill(section) -> int:
    """Prompts plus required table cells: merging questions into a bigger table is not a cut."""
    return sum(1 + sum(1 for c in q.columns if c.required and not c.computed) for q in section.questions)


def test_these_sections_ask_at_most_100_things(content):
    counts = {s.id: things_to_fill(s) for s in content.sections if s.id in MY_SECTIONS}
    assert len(counts) == len(MY_SECTIONS)
    assert sum(counts.values()) <= 100, counts


def test_lived_experience_is_asked_once(content):
    asked = [q.key for q in content.questions() if "lived_experience" in q.id]
    assert asked == ["community_needs.lived_experience"]
    columns = [f"{q.key}.{c.id}" for q in content.questions() for c in q.columns if "lived" in c.id]
    assert columns == ["partnerships.roster.lived_experience"]  # the register marks who brings it


def test_the_pathway_and_policy_additions(content):
    pathway = content.question("policies.pathway")
    assert [c.id for c in pathway.columns] == ["step", "who", "within"] and pathway.columns[0].required
    assert content.question("policies.referral_workflow") is None
    assert content.question("policies.eligible_offenses").type == "long_text"
    assert content.question("policies.completion").type == "long_text"
    abstinence = content.question("policies.abstinence_required")
    assert abstinence.type == "yes_no" and abstinence.help.startswith("It should not be a condition.")


def test_real_program_elements_have_a_place(content):
    for key, kind in (("program_types.revisit_rules", "long_text"), ("community_needs.fatality_review", "yes_no"),
                      ("community_needs.fatality_review_meetings", "number"),
                      ("treatment.court_recovery_coach", "yes_no"), ("data.evaluator", "text"),
                      ("data.evaluation_design", "long_text"), ("introduction.planning_process", "long_text"),
                      ("introduction.references", "table")):
        assert content.question(key).type == kind, key
    assert "plain clothes" in content.question("program_types.revisit_rules").prompt
    sites = {c.value for c in next(c for c in content.question("program_types.walk_in_sites").columns
                                   if c.id == "kind").choices}
    assert {"drop_in", "satellite"} <= sites
    assert [c.id for c in content.question("introduction.references").columns] == [
        "title", "author", "publisher", "year", "link"]


def test_riverton_referral_procedure_becomes_the_pathways_first_step(content, tmp_path):
    old = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.answers = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    reconcile(content, plan)
    assert no_ids(plan.answers["policies"]["pathway"]) == [{"step": old["policies"]["referral_workflow"]}]
    assert not any(e["question"] == "policies.referral_workflow" for e in plan.orphaned)


def test_the_cut_questions_carry_where_they_have_a_home_and_are_set_aside_otherwise(content, tmp_path):
    """Issue 10 item 3 (at most 140 things to fill): spokespeople join the register, the MOU plan and the
    approvals become launch activities; an answer with no natural new home is set aside with its text."""
    old = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.answers = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    reconcile(content, plan)
    roster = no_ids(plan.answers["partnerships"]["roster"])
    for speaker in old["communications"]["spokespeople"]:
        assert {"name": speaker["name"], "role": speaker["role"]} in roster
    activities = no_ids(plan.answers["launch"]["activities"])
    assert {"activity": old["partnerships"]["mou_plan"]} in activities
    for approval in old["launch"]["approvals"]:
        dated = {"end": approval["date"]} if approval.get("date") else {}
        assert {"activity": approval["name"], **dated, "milestone": True} in activities
    set_aside = {e["question"]: e for e in plan.orphaned}
    assert "introduction.dual_approach" in set_aside
    assert set_aside["introduction.dual_approach"]["answer"] == old["introduction"]["dual_approach"]
