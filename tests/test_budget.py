"""A budget a funder accepts (issue 10.5): line items per year and category, fringe and indirect from the
rates, totals by year, category and source, federal and non-federal share, and the checks (a year short
of secured money, a match not met) listed with the content's plan checks. Totals below are worked by hand."""

from __future__ import annotations

import pytest

from deflect_cli.plan import budget, flow
from deflect_cli.plan.model import new_plan

SOURCES = [
    {"source": "City fund", "type": "local_budget", "federal": False, "amount": 50000, "status": "secured"},
    {"source": "COSSUP", "type": "federal_grant", "federal": True, "amount": 100000, "start": "2027-01-01",
     "end": "2027-12-31", "status": "secured", "match_percent": 25},
]
LINES = [
    {"category": "personnel", "item": "Coordinator", "year": 1, "quantity": 1, "unit_cost": 60000, "share": 50,
     "source": "COSSUP"},                                                                 # 30,000 + fringe 9,000
    {"category": "equipment", "item": "Laptop", "year": 1, "quantity": 2, "unit_cost": 1500, "source": "COSSUP"},
    {"category": "subawards", "item": "Recovery coaches", "year": 1, "unit_cost": 40000, "source": "City fund"},
    {"category": "subawards", "item": "Recovery coaches", "year": 2, "unit_cost": 40000, "source": "City fund"},
    {"category": "supplies", "item": "Naloxone kits", "year": 2, "quantity": 200, "unit_cost": 50},
    {"category": "personnel", "item": "Coordinator", "year": 2, "quantity": 1, "unit_cost": 60000, "share": 50,
     "source": "COSSUP"},
]


def _plan(content, tmp_path, **changes):
    plan = new_plan(tmp_path / "plan.yaml", content)
    answers = {"funding.years": 2, "funding.fringe_rate": 30, "funding.indirect_rate": 10,
               "funding.indirect_base": "modified_total_direct", "funding.sources": SOURCES,
               "funding.budget": LINES, "launch.start_date": "2027-01-01"}
    answers.update(changes)
    for key, value in answers.items():
        if value is not None:
            plan.set_answer(key, value)
    return plan


def _worked(content, plan):
    return budget.compute(content, flow.evaluate(content, plan.answers).context)


def test_totals_by_year_category_and_source(content, tmp_path):
    worked = _worked(content, _plan(content, tmp_path))
    # Year 1: direct 30,000 + 3,000 + 40,000; fringe 30% of 30,000 = 9,000; indirect 10% of the MTDC base
    # (39,000 for the coordinator with fringe, 0 for equipment, the first 25,000 of the subaward) = 6,400.
    # Year 2: direct 40,000 + 10,000 + 30,000; fringe 9,000; indirect 10% of (0 left under the subaward's
    # 25,000, 10,000, 39,000) = 4,900.
    assert worked.by_year == {1: 88400, 2: 93900}
    assert worked.total == 182300
    assert worked.by_category == {"personnel": 60000, "fringe": 18000, "equipment": 3000, "subawards": 80000,
                                  "supplies": 10000, "indirect": 11300}
    assert worked.by_source == {"COSSUP": 88800, "City fund": 82500, "": 11000}
    assert (worked.federal, worked.non_federal, worked.unassigned) == (88800, 82500, 11000)
    assert worked.secured_by_year == {1: 150000, 2: 50000}  # the federal grant's period ends with year 1


def test_other_indirect_bases(content, tmp_path):
    worked = _worked(content, _plan(content, tmp_path, **{"funding.indirect_base": "salaries"}))
    assert worked.by_category["indirect"] == 6000          # 10% of 60,000 in salaries
    worked = _worked(content, _plan(content, tmp_path, **{"funding.indirect_base": "total_direct"}))
    assert worked.by_category["indirect"] == 17100         # 10% of 153,000 direct + 18,000 fringe
    worked = _worked(content, _plan(content, tmp_path, **{"funding.fringe_rate": None, "funding.indirect_rate": None}))
    assert worked.total == 153000 and "fringe" not in worked.by_category


def test_a_year_short_of_secured_money_and_an_unmet_match_are_checks(content, tmp_path):
    plan = _plan(content, tmp_path)
    messages = [c.message for c in flow.firing_checks(content, flow.evaluate(content, plan.answers))]
    assert ("Year 2 costs $43,900 more than the sources secured for year 2 ($93,900 budgeted, $50,000 secured). "
            "Mark sources as secured when they are, or plan which costs wait.") in messages
    assert not any("Year 1 costs" in m for m in messages)
    assert not any("required match" in m for m in messages)  # 25% of 100,000 = 25,000; 82,500 non-federal
    sources = [dict(SOURCES[0]), dict(SOURCES[1], match_percent=100)]
    plan = _plan(content, tmp_path, **{"funding.sources": sources})
    messages = [c.message for c in flow.firing_checks(content, flow.evaluate(content, plan.answers))]
    assert ("The required match of 100% for COSSUP ($100,000 over 1 year) is not met: non-federal sources and "
            "in-kind support cover $82,500.") in messages
    plan.set_answer("funding.in_kind", [{"partner": "Hospital", "value": 9000}])  # 9,000 a year, 2 years
    messages = [c.message for c in flow.firing_checks(content, flow.evaluate(content, plan.answers))]
    assert not any("required match" in m for m in messages)


def test_typed_fringe_beside_a_rate_is_said(content, tmp_path):
    lines = LINES + [{"category": "fringe", "item": "Benefits", "year": 1, "unit_cost": 9000}]
    worked = _worked(content, _plan(content, tmp_path, **{"funding.budget": lines}))
    assert any("typed fringe lines and a fringe rate" in m for m in worked.checks)


def test_status_and_exports_show_the_budget(content, tmp_path):
    from deflect_cli.export import render
    from deflect_cli.session.report import status_text

    plan = _plan(content, tmp_path)
    assert "Year 2 costs $43,900 more" in " ".join(status_text(content, plan).split())
    md = render.export(content, plan, "md")
    assert "| Budget | $182,300 over 2 years (year 1 $88,400; year 2 $93,900); federal $88,800, non-federal " \
           "$82,500, no source named $11,000 |" in md
    assert "### Budget by category and year (worked out)" in md
    assert "| Total | $88,400 | $93,900 | $182,300 |" in md
    assert "| Subawards | $40,000 | $40,000 | $80,000 |" in md
    assert "| COSSUP | Yes | $88,800 |" in md
    # The computed cost column shows on each line.
    assert "| Coordinator | Personnel | 1 | 1 | $60,000 | 50% | $30,000 | COSSUP |" in md


def test_the_wizard_says_a_budget_check_when_a_line_is_saved(content, tmp_path):
    plan = _plan(content, tmp_path)
    evaluation = flow.evaluate(content, plan.answers)
    assert any("Year 2 costs" in c.message for c in flow.checks_involving(content, evaluation, "funding.budget"))
    assert not any("Year 2 costs" in c.message
                   for c in flow.checks_involving(content, evaluation, "partnerships.roster"))


@pytest.mark.parametrize("years, lines", [(None, [{"category": "other", "item": "x", "year": 3, "unit_cost": 1}])])
def test_lines_beyond_the_years_budgeted_are_said(content, tmp_path, years, lines):
    worked = _worked(content, _plan(content, tmp_path, **{"funding.years": 2, "funding.budget": lines}))
    assert any("Budget lines are given for year 3, but the budget covers 2 years" in m for m in worked.checks)


def test_riverton_first_year_lines_are_carried_into_the_budget(content, tmp_path):
    import yaml

    from deflect_cli.plan.migrate import reconcile

    from conftest import FIXTURES

    old = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.answers = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text())
    reconcile(content, plan)
    lines = plan.answers["funding"]["budget"]
    assert [(r["item"], r["year"], r["unit_cost"]) for r in lines] == [
        (r["item"], 1, r["annual_cost"]) for r in old["funding"]["budget_lines"]]
    assert [r["category"] for r in lines] == ["personnel", "personnel", "contracts", "supplies", "contracts"]
    assert lines[0]["justification"] == "City general fund"
    assert "budget_lines" not in plan.answers["funding"] and not any(
        e["question"] == "funding.budget_lines" for e in plan.orphaned)
    assert next(e for e in plan.orphaned if e["question"] == "funding.annual_budget")["answer"] == 486500
    worked = budget.compute(content, flow.evaluate(content, plan.answers).context)
    assert worked.total == sum(r["annual_cost"] for r in old["funding"]["budget_lines"]) == 486500


def test_the_json_export_carries_the_worked_out_budget(content, tmp_path):
    import json

    from deflect_cli.export import render
    data = json.loads(render.export(content, _plan(content, tmp_path), "json"))
    assert data["plan"]["budget"]["total"] == 182300
    assert [y["total"] for y in data["plan"]["budget"]["by_year"]] == [88400, 93900]
    lines = next(q for s in data["sections"] for q in s["questions"] if q["id"] == "funding.budget")
    assert "cost" not in lines["answer"][0]  # the answer is exactly what was typed
    assert lines["computed"][0] == {"cost": 30000} and lines["computed"][4] == {"cost": 10000}


def test_a_hand_edited_number_of_years_is_bounded(content):
    context = {"funding": {"years": 10 ** 12, "budget": [{"item": "x", "category": "other", "year": 1,
                                                        "unit_cost": 5}]}}
    worked = budget.compute(content, context)
    assert worked.years == budget.MAX_YEARS and worked.total == 5
