"""Check your answers, change one, come back: `deflect review`, `deflect edit`, and answers that lie
dormant while a changed condition hides their question, then come back when it flips back."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from rich.console import Console

from deflect_cli.content.model import load_content
from deflect_cli.plan import flow
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan, save_plan
from deflect_cli.session.review import ANSWERED, NOT_APPLICABLE, SKIPPED, TO_DECIDE, review_text, section_rows
from deflect_cli.session.wizard import Wizard

from conftest import DOWN, ENTER, FIXTURES, SPACE

MINI = str(FIXTURES / "mini")
BACKSPACE = "\x7f"


@pytest.fixture(scope="module")
def mini():
    return load_content(MINI)


@pytest.fixture
def plan(mini, tmp_path):
    plan = new_plan(tmp_path / "deflection-plan.yaml", mini)
    for key, value in {"profile.agency": "Riverton PD", "models.chosen": ["qrt"], "models.qrt_window": 48,
                       "models.lead": "qrt", "partners.notes": "Meets monthly"}.items():
        plan.set_answer(key, value)
    plan.skip("partners.has_mou")
    save_plan(plan)
    return plan


@pytest.fixture
def wizard(mini, plan):
    screen = io.StringIO()
    w = Wizard(mini, plan, console=Console(file=screen, width=120))
    w.screen = screen
    return w


def statuses(mini, plan, section_id):
    return {r.question.id: (r.status, r.answer, r.dormant)
            for r in section_rows(mini, plan, mini.section(section_id))}


def test_rows_say_answered_skipped_not_applicable_and_still_to_decide(mini, plan):
    assert statuses(mini, plan, "partners") == {
        "roster": (TO_DECIDE, "", False),
        "has_mou": (SKIPPED, "", False),
        "notes": (ANSWERED, "Meets monthly", False),
    }
    plan.set_answer("models.chosen", ["self_referral"])
    assert statuses(mini, plan, "models")["qrt_window"] == (NOT_APPLICABLE, "48 hours", True)


def test_review_edits_a_row_and_returns_to_the_list(keys, wizard):
    keys(
        DOWN + ENTER,                          # row 2: QRT follow-up window
        BACKSPACE * 2 + "72" + ENTER,          # change 48 to 72
        DOWN + ENTER,                          # pointer waits on row 3; one down is Done
    )
    assert wizard.review_section(wizard.content.section("models")) is None
    assert load_plan(wizard.plan.path).answers["models"]["qrt_window"] == 72
    screen = wizard.screen.getvalue()
    assert screen.count("Check your answers: Section 1 of 3: Program models") == 2


def test_a_hidden_answer_lies_dormant_and_comes_back(keys, wizard, mini):
    chosen = mini.question("models.chosen")
    keys(SPACE + DOWN + SPACE + ENTER)        # untick QRT, tick Self-referral
    assert wizard.edit(chosen) is None
    plan = load_plan(wizard.plan.path)
    assert plan.answers["models"]["qrt_window"] == 48                     # kept in the file...
    evaluation = flow.evaluate(mini, plan.answers)
    assert "qrt_window" not in flow.visible_answers(evaluation, plan.answers)["models"]   # ...not exported
    assert "no longer apply after this change (QRT follow-up window)" in wizard.screen.getvalue()


def test_flipping_the_condition_back_restores_the_dormant_answer(keys, wizard, mini):
    wizard.plan.set_answer("models.chosen", ["self_referral"])
    keys(SPACE + ENTER)                        # tick QRT again (Self-referral stays ticked)
    assert wizard.edit(mini.question("models.chosen")) is None
    plan = load_plan(wizard.plan.path)
    assert plan.answers["models"]["chosen"] == ["qrt", "self_referral"]
    assert statuses(mini, plan, "models")["qrt_window"] == (ANSWERED, "48 hours", False)
    assert "apply again and are back (QRT follow-up window)" in wizard.screen.getvalue()


def test_an_edit_asks_the_questions_it_brings_up(keys, wizard, mini):
    wizard.plan.set_answer("models.chosen", ["self_referral"])
    del wizard.plan.answers["models"]["qrt_window"]
    keys(SPACE + ENTER, "24" + ENTER)          # tick QRT; then the QRT window is asked
    assert wizard.edit(mini.question("models.chosen")) is None
    assert load_plan(wizard.plan.path).answers["models"]["qrt_window"] == 24
    assert "This change brings up 1 new question." in wizard.screen.getvalue()


def test_backing_out_of_an_edit_changes_nothing(keys, wizard, mini):
    from conftest import CTRL_B

    keys(CTRL_B)
    assert wizard.edit(mini.question("models.qrt_window")) is None
    assert load_plan(wizard.plan.path).answers["models"]["qrt_window"] == 48
    assert "Not changed." in wizard.screen.getvalue()


# --------------------------------------------------------------------------- the commands


def test_review_through_a_pipe_prints_every_section(cli, plan):
    code, out, _ = cli("review", "--content", MINI)
    assert code == 0
    assert "Section 1 of 3: Program models (3 answered)" in out
    assert "  2. QRT follow-up window: 48 hours [Answered] (1.qrt_window)" in out
    assert "  2. MOU in place [Skipped for now]" in out
    assert "  1. Partner roster [Still to decide]" in out
    assert "deflect edit" in out


def test_review_one_section_in_plain_mode_edits_and_returns(cli, plan):
    code, out, _ = cli("review", "1", "--plain", "--content", MINI, input="2\n36\n4\n")
    assert code == 0, out
    assert load_plan(plan.path).answers["models"]["qrt_window"] == 36
    assert out.count("Check your answers: Section 1 of 3: Program models") == 2
    assert "Saved: 36 hours" in out
    assert re.search(r"Saved \d+ answers in ", out)


def test_edit_changes_one_answer(cli, plan):
    code, out, _ = cli("edit", "models.qrt_window", "--plain", "--content", MINI, input="12\n")
    assert code == 0
    assert load_plan(plan.path).answers["models"]["qrt_window"] == 12
    assert "Saved: 12 hours" in out
    code, out, _ = cli("edit", "1.lead", "--plain", "--content", MINI, input="2\n")   # section by number
    assert code == 0
    assert load_plan(plan.path).answers["models"]["lead"] == "self_referral"


@pytest.mark.parametrize("ref, message", [
    ("models.nope", "unknown question 'models.nope'"),
    ("nowhere.lead", "unknown section 'nowhere'"),
    ("models", "name a question as SECTION.QUESTION"),
])
def test_edit_names_a_bad_question_in_one_line(cli, plan, ref, message):
    code, _, err = cli("edit", ref, "--plain", "--content", MINI)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_edit_refuses_a_question_that_does_not_apply(cli, plan):
    plan.set_answer("models.chosen", ["self_referral"])
    save_plan(plan)
    code, _, err = cli("edit", "models.qrt_window", "--plain", "--content", MINI)
    assert code == 1
    assert "does not apply to this plan now" in err
    assert load_plan(plan.path).answers["models"]["qrt_window"] == 48


def test_edit_without_a_terminal_says_to_use_plain(cli, plan):
    code, _, err = cli("edit", "models.qrt_window", "--content", MINI)
    assert code == 1
    assert "--plain" in err


def test_edit_waits_for_no_one_while_another_session_writes(cli, plan, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from deflect_cli.plan.lock import plan_lock\n"
         f"with plan_lock({str(plan.path)!r}, 'resume'):\n    print('held', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, err = cli("edit", "models.qrt_window", "--plain", "--content", MINI, input="12\n")
        assert code == 1
        assert "open in another deflect session" in err
        assert load_plan(plan.path).answers["models"]["qrt_window"] == 48
    finally:
        holder.communicate("\n", timeout=10)


def test_review_text_lists_dormant_answers_as_not_applicable(mini, plan):
    plan.set_answer("models.chosen", ["self_referral"])
    text = review_text(mini, plan, [mini.section("models")])
    assert "  2. QRT follow-up window [Does not apply (earlier answer set aside)] (1.qrt_window)" in text


# --------------------------------------------------------------------------- status: where am I?


def test_status_shows_each_section_the_total_and_the_next_step(cli, plan):
    code, out, _ = cli("status", "--content", MINI)
    assert code == 0
    assert "Plan: deflection-plan.yaml (Riverton PD)" in out
    assert re.search(r"^ 1  Program models\s+3\s+0\s+0\s+100%$", out, re.M)
    assert re.search(r"^ 2  Partners\s+1\s+1\s+1\s+33%$", out, re.M)
    assert "Overall: 5 of 9 questions that apply are answered (56%); 1 skipped for now, 3 still to answer." in out
    assert "Models are chosen but no partner is listed." in out
    assert "Next: `deflect resume` continues at Section 2 of 3, question 1 of 3: Who are your partners?" in out


def test_status_counts_follow_the_conditions(cli, plan):
    plan.set_answer("models.chosen", ["self_referral"])           # hides the QRT window
    save_plan(plan)
    _, out, _ = cli("status", "--content", MINI)
    assert re.search(r"^ 1  Program models\s+2\s+0\s+0\s+100%$", out, re.M)


def test_status_next_step_once_only_skipped_questions_remain(cli, plan, mini):
    for key in ("partners.roster", "launch.start_date", "launch.owner"):
        plan.skip(key)
    save_plan(plan)
    _, out, _ = cli("status", "--content", MINI)
    assert "Next: every question has been reached; 4 skipped for now." in out
    assert "`deflect review`" in out


def test_last_saved_is_said_in_words():
    import datetime as dt

    from deflect_cli.session.report import saved_when

    now = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert saved_when("2027-03-01T11:55:00+00:00", now).endswith("(5 minutes ago)")
    assert saved_when("2027-03-01T11:59:40+00:00", now).endswith("(just now)")
    assert saved_when("2027-02-27T12:00:00+00:00", now).endswith("(2 days ago)")
    assert saved_when("", now) == "not saved yet"
    assert saved_when("garbled", now) == "garbled"
