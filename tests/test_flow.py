"""The pure flow: which questions apply, what comes next, progress, checks, dormant answers."""

from __future__ import annotations

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan import flow

from conftest import FIXTURES


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


def keys(questions):
    return [q.key for q in questions]


def test_conditional_question_applies_only_when_its_condition_holds(mini):
    ev = flow.evaluate(mini, {})
    assert "models.qrt_window" not in keys(ev.applicable)
    ev = flow.evaluate(mini, {"models": {"chosen": ["self_referral"]}})
    assert "models.qrt_window" not in keys(ev.applicable)
    ev = flow.evaluate(mini, {"models": {"chosen": ["qrt", "self_referral"]}})
    assert keys(ev.applicable)[:4] == ["profile.agency", "models.chosen", "models.qrt_window", "models.lead"]


def test_first_open_skips_answered_and_skipped(mini):
    answers = {"profile": {"agency": "PD"}}
    ev = flow.evaluate(mini, answers)
    assert flow.first_open(ev, answers, []).key == "models.chosen"
    assert flow.first_open(ev, answers, ["models.chosen"]).key == "models.lead"


def test_step_moves_over_applicable_questions(mini):
    answers = {"models": {"chosen": ["qrt"]}}
    ev = flow.evaluate(mini, answers)
    chosen = mini.question("models.chosen")
    assert flow.step(ev, chosen, 1).key == "models.qrt_window"
    assert flow.step(ev, mini.question("models.lead"), -1).key == "models.qrt_window"
    assert flow.step(ev, mini.question("profile.agency"), -1) is None
    assert flow.step(ev, mini.question("launch.owner"), 1) is None


def test_step_from_a_question_that_just_became_hidden(mini):
    # The user was on qrt_window, went back and un-ticked QRT: forward goes to the next one that applies.
    ev = flow.evaluate(mini, {"models": {"chosen": ["self_referral"]}})
    hidden = mini.question("models.qrt_window")
    assert flow.step(ev, hidden, 1).key == "models.lead"
    assert flow.step(ev, hidden, -1).key == "models.chosen"


def test_hidden_answers_lie_dormant_and_come_back(mini):
    answers = {"models": {"chosen": ["qrt"], "qrt_window": 48}}
    assert flow.visible_answers(flow.evaluate(mini, answers), answers)["models"]["qrt_window"] == 48
    answers["models"]["chosen"] = ["self_referral"]
    ev = flow.evaluate(mini, answers)
    assert "qrt_window" not in flow.visible_answers(ev, answers)["models"]
    assert answers["models"]["qrt_window"] == 48  # kept, not erased
    answers["models"]["chosen"] = ["qrt"]
    assert flow.visible_answers(flow.evaluate(mini, answers), answers)["models"]["qrt_window"] == 48


def test_progress_counts_only_applicable_questions(mini):
    answers = {"profile": {"agency": "PD"}, "models": {"chosen": ["qrt"]}}
    ev = flow.evaluate(mini, answers)
    by_id = {p.section.id: p for p in flow.progress(mini, ev, answers, ["models.lead"])}
    assert (by_id["models"].answered, by_id["models"].skipped, by_id["models"].open) == (1, 1, 1)
    assert by_id["profile"].total == 1 and by_id["profile"].answered == 1


def test_checks_fire_on_the_answers(mini):
    answers = {"models": {"chosen": ["qrt"]}}
    assert [c.id for c in flow.firing_checks(mini, flow.evaluate(mini, answers))] == ["no_partners"]
    answers["partners"] = {"roster": [{"name": "Clinic"}]}
    assert flow.firing_checks(mini, flow.evaluate(mini, answers)) == []


def test_missing_required_and_still_to_decide(mini):
    answers = {"profile": {"agency": "PD"}}
    ev = flow.evaluate(mini, answers)
    assert keys(flow.missing_required(ev, answers)) == ["models.chosen", "launch.start_date"]
    assert "launch.owner" in keys(flow.still_to_decide(ev, answers, []))


def test_a_condition_that_fails_at_run_time_counts_as_false(content):
    # Comparing an unanswered (None) number with a number raises inside Jinja; it must not crash the flow.
    from deflect_cli.content import conditions
    assert conditions.evaluate("profile.population > 1000", {"profile": {"population": None}}) is False
    with pytest.raises(conditions.ConditionError):  # refused outright, never run
        conditions.evaluate("''.__class__.__mro__[1].__subclasses__()", {})


def test_numbers_read_naturally():
    from deflect_cli.content.answers import display
    from deflect_cli.content.model import Column

    def show(value, unit):
        return display(Column(id="n", label="n", type="number", unit=unit), value)

    assert show(1, "days") == "1 day"
    assert show(2, "days") == "2 days"
    assert show(85, "% of sworn officers") == "85% of sworn officers"
    assert show(185000, "USD") == "$185,000"
    assert show(2500.5, "USD") == "$2,500.50"  # cents in two digits, as budget totals show them
    assert show(84000, "people") == "84,000 people"
