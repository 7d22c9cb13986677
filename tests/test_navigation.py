"""Moving around like in any other program: Esc cancels a menu, the jump list has Cancel, Home and
End work in lists, Ctrl-B after a jump goes back to where the person was, and `edit` stays put."""

from __future__ import annotations

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan.store import load_plan

from conftest import CTRL_B, CTRL_N, CTRL_Q, DOWN, ENTER, ESC, FIXTURES, SPACE, UP, screen_wizard

CTRL_O = "\x0f"
HOME, END = "\x1b[H", "\x1b[F"


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


@pytest.fixture
def wizard(mini, tmp_path):
    return screen_wizard(mini, tmp_path, width=100)


def saved(wizard):
    return load_plan(wizard.plan.path)


def test_esc_closes_the_menu_and_the_question_is_asked_again(keys, wizard):
    keys(CTRL_O, ESC, "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}


def test_home_and_end_move_to_the_first_and_last_entries(keys, wizard, tmp_path, mini):
    keys(CTRL_O, DOWN * 2, HOME, ENTER,          # Home: Back to the question (not Check your answers)
         "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}


def test_end_moves_to_the_last_entry(keys, wizard):
    keys(CTRL_O, END, ENTER, "PD" + ENTER)       # End: Save and quit; nothing after it is read
    assert wizard.run() == 0
    assert saved(wizard).answers == {}


def test_the_jump_list_can_be_cancelled(keys, wizard):
    keys(CTRL_O, DOWN + ENTER,                   # Jump to a section
         END + ENTER,                            # Cancel: back in the menu
         ENTER,                                  # Back to the question
         "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}
    assert wizard.screen.getvalue().count(" About this plan ─") == 1   # no jump: no second section heading


def test_ctrl_b_after_a_jump_goes_back_to_where_the_person_was(keys, wizard):
    keys("PD" + ENTER, ENTER, SPACE + ENTER,    # agency, models intro, tick QRT: at the QRT window
         CTRL_O, DOWN + ENTER, DOWN + ENTER,     # jump to Partners
         ENTER,                                  # Partners intro: go to the questions
         CTRL_B,                                 # at the roster: back to the QRT window, not to "Which one leads"
         "72" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers["models"] == {"chosen": ["qrt"], "qrt_window": 72}
    assert "Back to where you were before the jump: QRT follow-up window." in wizard.screen.getvalue()


def test_ctrl_b_at_the_intro_of_the_section_jumped_to_also_goes_back(keys, wizard):
    keys("PD" + ENTER, CTRL_O, DOWN + ENTER, DOWN + ENTER,       # at the models intro: jump to Partners
         CTRL_B,                                                # at the Partners intro: back
         SPACE + ENTER, CTRL_Q)                                 # at "Which models?" again: tick QRT
    assert wizard.run() == 0
    assert saved(wizard).answers["models"] == {"chosen": ["qrt"]}


def test_edit_asks_follow_ups_in_its_own_section_only(tmp_path):
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", folder)
    launch = folder / "sections" / "03-launch.yaml"
    launch.write_text(launch.read_text() + (
        "  - id: qrt_lead\n    label: QRT lead\n    prompt: Who leads the QRT?\n    help: A name.\n    type: text\n"
        "    when: \"'qrt' in models.chosen\"\n"))
    content = load_content(folder)
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    wizard = screen_wizard(content, tmp_path)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(SPACE + ENTER + "48" + ENTER)       # tick QRT; its window (same section) follows
        pipe.close()                                       # a prompt for the launch question would end here
        assert wizard.edit(content.question("models.chosen")) is None
    assert load_plan(wizard.plan.path).answers["models"] == {"chosen": ["qrt"], "qrt_window": 48}
    assert ("also brings up 1 new question in another section (Launch); waits there until you reach it."
            in " ".join(wizard.screen.getvalue().split()))


def test_the_glossary_from_a_sections_opening_choice_returns_to_that_choice(keys, mini, tmp_path):
    import dataclasses

    content = dataclasses.replace(mini, glossary=({"term": "QRT", "definition": "Quick Response Team."},))
    wizard = screen_wizard(content, tmp_path)
    keys("PD" + ENTER,
         CTRL_O, UP * 2 + ENTER,                 # at the models opening choice: menu, Open the glossary
         DOWN + ENTER,                           # the opening choice again: Read the guide text first
         SPACE + ENTER, CTRL_Q)                  # Which models?: tick QRT
    assert wizard.run() == 0
    screen = wizard.screen.getvalue()
    assert "Quick Response Team." in screen and "Some guide text." in screen
    assert screen.count(" Section 1 of 3: Program models ─") == 1
    assert load_plan(wizard.plan.path).answers["models"] == {"chosen": ["qrt"]}


@pytest.fixture
def optional_models(tmp_path):
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", folder)
    models = folder / "sections" / "01-models.yaml"
    models.write_text(models.read_text().replace("    required: true\n", "", 1))
    return load_content(folder)


def test_enter_with_nothing_ticked_records_none_of_these(keys, optional_models, tmp_path):
    from deflect_cli.content.answers import display
    from deflect_cli.plan import flow
    from deflect_cli.session.review import section_rows

    wizard = screen_wizard(optional_models, tmp_path)
    keys("PD" + ENTER, ENTER, ENTER, CTRL_Q)     # agency, intro, Which models?: Enter with nothing ticked
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.answers["models"] == {"chosen": []}
    assert plan.skipped == []
    question = optional_models.question("models.chosen")
    assert flow.status(question, plan.answers, plan.skipped) == flow.ANSWERED
    assert display(question, []) == "None of these"
    row = next(r for r in section_rows(optional_models, plan, optional_models.section("models"))
               if r.question.key == "models.chosen")
    assert row.answer == "None of these"


def test_ctrl_n_at_a_multi_choice_still_skips(keys, optional_models, tmp_path):
    wizard = screen_wizard(optional_models, tmp_path)
    keys("PD" + ENTER, ENTER, CTRL_N, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).skipped == ["models.chosen"]
    assert "models" not in saved(wizard).answers


def test_none_of_these_reaches_the_plan_document(optional_models, tmp_path):
    from deflect_cli.export.render import render
    from deflect_cli.plan.model import new_plan

    plan = new_plan(tmp_path / "plan.yaml", optional_models)
    plan.set_answer("models.chosen", [])
    assert "None of these" in render(optional_models, plan, "md")


def test_none_of_these_follows_a_renamed_question(tmp_path):
    from deflect_cli.plan.migrate import reconcile
    from deflect_cli.plan.model import new_plan
    from test_content_changes import CHOICES, make_content, q

    old = load_content(make_content(tmp_path / "v1", [q("picks", "multi_choice", choices=CHOICES)]))
    plan = new_plan(tmp_path / "plan.yaml", old)
    plan.set_answer("main.picks", [])
    new = load_content(make_content(tmp_path / "v2", [q("chosen", "multi_choice", choices=CHOICES,
                                                         renamed_from="main.picks")], version="2"))
    reconcile(new, plan)
    assert plan.answers["main"] == {"chosen": []}


def test_plain_mode_none_records_none_of_these(optional_models, tmp_path):
    import io

    from deflect_cli.plan.model import new_plan
    from deflect_cli.session.plain import PlainPrompter
    from deflect_cli.session.wizard import Wizard

    plan = new_plan(tmp_path / "plan.yaml", optional_models)
    ui = PlainPrompter(stdin=io.StringIO("PD\n1\nnone\nquit\n"), stdout=io.StringIO())
    assert Wizard(optional_models, plan, ui=ui).run() == 0
    assert "or none if none of them apply" in ui.stdout.getvalue()
    assert "Saved: None of these" in ui.stdout.getvalue()
    assert load_plan(plan.path).answers["models"] == {"chosen": []}
