"""Table questions (partners, staff, trainings): rows shown as a table; add, edit, remove and move
rows; every cell validated by its column type; every change saved at once."""

from __future__ import annotations

import io
import textwrap

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan
from deflect_cli.session.plain import PlainPrompter
from deflect_cli.session.prompter import QUIT, SKIP
from deflect_cli.session.wizard import Wizard

from conftest import CTRL_B, CTRL_N, CTRL_Q, DOWN, ENTER, UP, no_ids, screen_wizard

BACKSPACE = "\x7f"


@pytest.fixture(scope="module")
def staffing(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    (root / "sections").mkdir()
    (root / "workbook.yaml").write_text(textwrap.dedent("""\
        title: Table workbook
        version: "1"
        profile:
          questions:
            - {id: agency, prompt: Lead agency?, help: The agency., type: text}
        """))
    (root / "sections" / "01-staff.yaml").write_text(textwrap.dedent("""\
        id: staff
        title: Staff
        summary: Who works on it.
        guide: Staff guide.
        questions:
          - id: trainings
            label: Trainings
            prompt: Which trainings are planned?
            help: One row per training.
            type: table
            required: true
            columns:
              - {id: topic, label: Topic, type: text, required: true}
              - {id: hours, label: Hours, type: number, min: 1, max: 40}
              - {id: due, label: Due by, type: date}
              - {id: code, label: Course code, type: text, pattern: "[A-Z]{3}-[0-9]{3}", pattern_help: "three capitals, a dash and three digits, like NAR-101"}
        """))  # noqa: E501 - YAML flow style, one question per line
    return load_content(root)


@pytest.fixture
def wizard(staffing, tmp_path):
    return screen_wizard(staffing, tmp_path, width=120)


def trainings(wizard):
    return no_ids(load_plan(wizard.plan.path).answers.get("staff", {}).get("trainings"))


def ask(wizard):
    return no_ids(wizard.ask_question(wizard.content.question("staff.trainings")))


def add(topic, hours="", due="", code=""):
    return [ENTER, topic + ENTER, hours + ENTER, due + ENTER, code + ENTER]


def test_rows_are_added_validated_per_cell_and_saved_as_they_go(keys, wizard):
    keys(
        ENTER,                                   # Add a row
        ENTER,                                   # Topic is required: stays
        "Naloxone" + ENTER,
        "0" + ENTER,                             # below the minimum
        BACKSPACE + "4.5" + ENTER,
        "2027-02-30" + ENTER,                    # no such day
        BACKSPACE * 10 + "2027-03-01" + ENTER,
        "nar101" + ENTER,                        # does not match the pattern
        BACKSPACE * 6 + "NAR-101" + ENTER,
        CTRL_Q,                                  # on the table menu
    )
    assert ask(wizard) is QUIT
    assert trainings(wizard) == [{"topic": "Naloxone", "hours": 4.5, "due": "2027-03-01", "code": "NAR-101"}]


def test_edit_remove_and_move_rows(keys, wizard):
    wizard.plan.set_answer("staff.trainings", [{"topic": "A"}, {"topic": "B"}, {"topic": "C"}])
    keys(
        DOWN * 2 + ENTER,                        # Edit row 2: B
        BACKSPACE + "Bee" + ENTER, "8" + ENTER, ENTER, ENTER,
        DOWN * 5 + ENTER,                        # Move a row (add, edit x3, remove, move)
        DOWN * 2 + ENTER,                        # row 3: C
        UP * 2 + ENTER,                          # to place 1 (the pointer starts at place 3)
        DOWN * 4 + ENTER,                        # Remove a row
        DOWN + ENTER,                            # row 2: A
        DOWN * 5 + ENTER,                        # Done (add, edit x2, remove, move, done)
    )
    assert ask(wizard) == [{"topic": "C"}, {"topic": "Bee", "hours": 8}]
    assert trainings(wizard) == [{"topic": "C"}, {"topic": "Bee", "hours": 8}]


def test_back_in_a_row_goes_to_the_previous_column_and_skip_leaves_it_unchanged(keys, wizard):
    wizard.plan.set_answer("staff.trainings", [{"topic": "A", "hours": 2}])
    keys(
        DOWN + ENTER,                            # Edit row 1
        ENTER,                                   # keep the topic
        CTRL_B,                                  # back to the topic column
        BACKSPACE + "Z" + ENTER,                 # topic Z
        BACKSPACE + "3" + ENTER,                 # hours 3
        CTRL_N,                                  # skip: asked about the cells typed
        DOWN * 2 + ENTER,                        # discard them: the row stays as it was
        DOWN * 3 + ENTER,                        # Done (add, edit, remove, done)
    )
    assert ask(wizard) == [{"topic": "A", "hours": 2}]
    assert "The row is unchanged." in wizard.screen.getvalue()


def test_a_required_table_needs_a_row_before_done(keys, wizard):
    keys(DOWN + ENTER, CTRL_N)
    assert ask(wizard) is SKIP
    assert "Add at least one row" in wizard.screen.getvalue()


def test_removing_the_last_row_leaves_the_question_open(keys, wizard):
    wizard.plan.set_answer("staff.trainings", [{"topic": "A"}])
    keys(DOWN * 2 + ENTER, ENTER, CTRL_Q)        # Remove a row, row 1
    assert ask(wizard) is QUIT
    assert trainings(wizard) is None


def test_the_rows_are_shown_as_a_table(keys, wizard):
    wizard.plan.set_answer("staff.trainings", [{"topic": "Naloxone", "hours": 4, "due": "2027-03-01"}])
    keys(CTRL_Q)
    ask(wizard)
    screen = wizard.screen.getvalue()
    assert "Topic" in screen and "Due by" in screen
    assert "Naloxone" in screen and "2027-03-01" in screen


def test_tables_in_plain_mode(staffing, tmp_path):
    lines = ["1", "Naloxone", "50", "4", "", "", "1", "Intake", "", "", "", "5", "2", "1", "6"]
    ui = PlainPrompter(stdin=io.StringIO("".join(f"{x}\n" for x in lines)), stdout=io.StringIO())
    wizard = Wizard(staffing, new_plan(tmp_path / "plan.yaml", staffing), ui=ui)
    assert ask(wizard) == [{"topic": "Intake"}, {"topic": "Naloxone", "hours": 4}]
    text = ui.stdout.getvalue()
    assert "Not saved: Must be at most 40." in text
    assert "  1. Topic: Naloxone; Hours: 4" in text
    assert "Moved to place 1." in text
    assert "  2. Row 2: Intake" in text
    assert "Saved: row 2: Intake" in text


def test_ctrl_n_in_a_new_row_asks_about_the_cells_typed(keys, wizard):
    keys(
        ENTER, "Naloxone" + ENTER, "4" + ENTER,  # Add a row: topic, hours
        CTRL_N,                                  # at Due by: what about Naloxone, 4?
        ENTER,                                   # go on filling in this row
        ENTER, ENTER,                            # no date, no code
        ENTER, "Intake" + ENTER, CTRL_N,         # a second row, then skip at Hours
        DOWN + ENTER,                            # save it with what is filled in
        CTRL_Q,
    )
    assert ask(wizard) is QUIT
    assert trainings(wizard) == [{"topic": "Naloxone", "hours": 4}, {"topic": "Intake"}]
    assert "You have filled in part of this row: Topic: Naloxone; Hours: 4." in wizard.screen.getvalue()


def test_ctrl_n_counts_the_text_typed_in_the_cell_it_was_pressed_in(keys, wizard):
    """Text typed at Hours but not yet submitted when Ctrl-N is pressed is part of the row: named in
    the question and saved with it, not dropped (issue 12.13)."""
    keys(
        ENTER, "Intake" + ENTER, "6", CTRL_N,   # a new row; 6 typed at Hours, then Ctrl-N
        DOWN + ENTER,                           # save it with what is filled in
        CTRL_Q,
    )
    assert ask(wizard) is QUIT
    assert "You have filled in part of this row: Topic: Intake; Hours: 6." in wizard.screen.getvalue()
    assert trainings(wizard) == [{"topic": "Intake", "hours": 6}]


def test_quitting_while_typing_in_a_cell_keeps_that_text_in_the_draft(keys, wizard):
    keys(ENTER, "Naloxone" + ENTER, "4", CTRL_Q)
    assert ask(wizard) is QUIT
    assert wizard.plan.drafts == {"staff.trainings": "Topic: Naloxone; Hours: 4"}


def test_quitting_in_the_middle_of_a_row_keeps_its_cells_as_a_draft(keys, wizard):
    keys(ENTER, "Naloxone" + ENTER, CTRL_Q)
    assert ask(wizard) is QUIT
    assert wizard.plan.drafts == {"staff.trainings": "Topic: Naloxone"}   # saved by the wizard on leaving
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(ENTER + "Naloxone" + ENTER + ENTER + ENTER + ENTER + CTRL_Q)
        assert ask(wizard) is QUIT
    assert "When you left, you were filling in a row: Topic: Naloxone." in wizard.screen.getvalue()
    assert trainings(wizard) == [{"topic": "Naloxone"}]
    assert wizard.plan.drafts == {}
