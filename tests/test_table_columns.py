"""Table columns that read other answers (issue 10): `choices_from: SECTION.QUESTION.COLUMN` offers the
values typed in an earlier table's column, and `computed: EXPR` works a number out from the row."""

from __future__ import annotations

import io
import shutil

import pytest

from deflect_cli.content import answers
from deflect_cli.content.model import ContentError, load_content
from deflect_cli.plan import flow
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan
from deflect_cli.session.plain import PlainPrompter
from deflect_cli.session.wizard import Wizard

from conftest import FIXTURES, no_ids

TASKS = """
  - id: tasks
    label: Launch tasks
    prompt: What has to happen before launch?
    help: One row per task.
    type: table
    columns:
      - {id: task, label: Task, type: text, required: true}
      - {id: partner, label: Partner, type: text, choices_from: partners.roster.name}
      - {id: hours, label: Hours, type: number}
      - {id: rate, label: Rate, type: number, unit: USD}
      - {id: cost, label: Cost, type: number, unit: USD, computed: "hours * rate"}
"""


def _content(tmp_path, tasks: str = TASKS):
    root = tmp_path / "c"
    if not root.exists():
        shutil.copytree(FIXTURES / "mini", root)
    launch = root / "sections" / "03-launch.yaml"
    launch.write_text(launch.read_text() + tasks)
    return root


@pytest.fixture
def mini(tmp_path):
    return load_content(_content(tmp_path))


def test_the_columns_load(mini):
    partner, cost = mini.question("launch.tasks").columns[1], mini.question("launch.tasks").columns[4]
    assert partner.choices_from == "partners.roster.name"
    assert cost.computed == "hours * rate"


@pytest.mark.parametrize("change, problem", [
    ("partners.roster.name", None),
    ("launch.later.name", "'choices_from' names 'launch.later.name', but 'launch.later' is not a table question"),
    ("partners.has_mou.name", "but 'partners.has_mou' is not a table question"),
    ("partners.roster.phone", "but table partners.roster has no column 'phone'"),
    ("partners.roster", "'choices_from' must be a full id like section.question.column"),
    ("launch.tasks.task", "which is not asked before this question"),
])
def test_choices_from_on_a_column_must_name_an_earlier_tables_column(tmp_path, change, problem):
    root = _content(tmp_path, TASKS.replace("partners.roster.name", change))
    if problem is None:
        load_content(root)
        return
    with pytest.raises(ContentError) as raised:
        load_content(root)
    assert problem in "\n".join(raised.value.problems)


@pytest.mark.parametrize("old, new, problem", [
    ("{id: partner, label: Partner, type: text,", "{id: partner, label: Partner, type: choice, choices: [a],",
     "'choices_from' on a column needs type text"),
    ('computed: "hours * rate"', 'computed: "hours * task"', "'computed' reads 'task', which is not a typed number"),
    ('computed: "hours * rate"', 'computed: "hours * nothing"', "'computed' reads 'nothing'"),
    ('type: number, unit: USD, computed', 'type: text, computed', "'computed' only applies to number"),
    ('unit: USD, computed', 'unit: USD, required: true, computed', "cannot be required"),
    ('computed: "hours * rate"', 'computed: "hours *"', "'computed'"),
])
def test_computed_columns_are_linted(tmp_path, old, new, problem):
    assert old in TASKS
    with pytest.raises(ContentError) as raised:
        load_content(_content(tmp_path, TASKS.replace(old, new)))
    assert problem in "\n".join(raised.value.problems)


def test_a_computed_cell_is_worked_out_never_stored(mini):
    tasks = mini.question("launch.tasks")
    cost = tasks.columns[4]
    assert answers.cell(cost, {"task": "x", "hours": 3, "rate": 25.5}) == 76.5
    assert answers.cell(cost, {"task": "x", "hours": 4, "rate": 25}) == 100
    assert answers.cell(cost, {"task": "x", "hours": 3}) is None            # a blank cell: nothing to show
    assert answers.cell(cost, {"task": "x", "hours": "3", "rate": 2}) is None  # numbers only
    assert answers.display(cost, answers.cell(cost, {"hours": 1000, "rate": 2.5})) == "$2,500"
    clean, error = answers.validate(tasks, [{"task": "x", "hours": 2, "rate": 3, "cost": 999}])
    assert error is None and clean == [{"task": "x", "hours": 2, "rate": 3}]


def _plan(mini, tmp_path):
    plan = new_plan(tmp_path / "plan.yaml", mini)
    plan.set_answer("models.chosen", ["qrt"])
    plan.set_answer("partners.roster", [{"name": "Harbor Health"}, {"name": "County EMS"}])
    return plan


def test_a_value_no_longer_in_the_earlier_table_is_stale(mini, tmp_path):
    from deflect_cli.session.report import status_text

    plan = _plan(mini, tmp_path)
    plan.set_answer("launch.tasks", [{"task": "Sign MOU", "partner": "Harbor Health"},
                                     {"task": "Train", "partner": "County EMS"}])
    assert flow.stale_answers(mini, flow.evaluate(mini, plan.answers)) == []
    plan.set_answer("partners.roster", [{"name": "Harbor Health"}])
    [(question, message)] = flow.stale_answers(mini, flow.evaluate(mini, plan.answers))
    assert question.key == "launch.tasks"
    assert message.startswith("Launch tasks, row 2: Partner is 'County EMS', which is no longer in 'Partner roster'.")
    assert message in " ".join(status_text(mini, plan).split())
    plan.set_answer("partners.roster", [])  # nothing to choose from: typed text stands
    assert flow.stale_answers(mini, flow.evaluate(mini, plan.answers)) == []


def _wizard(mini, plan, typed: str):
    ui = PlainPrompter(stdin=io.StringIO(typed), stdout=io.StringIO())
    return Wizard(mini, plan, ui=ui), ui


def test_the_wizard_offers_the_earlier_tables_values_and_shows_the_cost(mini, tmp_path):
    plan = _plan(mini, tmp_path)
    # Add a row: task, partner (2 = County EMS), hours, rate; then Done.
    wizard, ui = _wizard(mini, plan, "1\nTrain staff\n2\n4\n25\n4\n")
    wizard.edit(mini.question("launch.tasks"))
    out = ui.stdout.getvalue()
    assert "1. Harbor Health" in out and "2. County EMS" in out
    assert "Worked out: Cost: $100" in out
    row = no_ids(load_plan(plan.path).answers["launch"]["tasks"][0])
    assert row == {"task": "Train staff", "partner": "County EMS", "hours": 4, "rate": 25}  # cost not stored
    assert "$100" in out.split("Worked out")[1]  # the table shown after the row has the cost column


def test_an_empty_earlier_table_is_said_and_text_is_typed(mini, tmp_path):
    plan = new_plan(tmp_path / "plan.yaml", mini)
    wizard, ui = _wizard(mini, plan, "1\nTrain staff\nHarbor Health\n\n\n4\n")
    wizard.edit(mini.question("launch.tasks"))
    assert "Nothing is listed yet under 'Partner roster' to choose from; type it for now." in ui.stdout.getvalue()
    tasks = no_ids(load_plan(plan.path).answers["launch"]["tasks"])
    assert tasks == [{"task": "Train staff", "partner": "Harbor Health"}]


def test_exports_show_the_computed_column(mini, tmp_path):
    from deflect_cli.export.model import build_document

    plan = _plan(mini, tmp_path)
    plan.set_answer("launch.tasks", [{"task": "Train", "hours": 2, "rate": 50}])
    model = build_document(mini, plan)
    item = next(i for ch in model["chapters"] for i in ch["answers"] if i["id"] == "tasks")
    assert item["rows"] == [["Train", "", "2", "$50", "$100"]]


def test_keys_pick_a_budget_lines_source_and_the_cost_is_shown(keys, content, tmp_path):
    """The bundled budget, driven by keystrokes: the source is chosen from the sources typed earlier."""
    from conftest import CTRL_Q, DOWN, ENTER, ESC, screen_wizard

    wizard = screen_wizard(content, tmp_path, width=120)
    wizard.plan.set_answer("funding.sources", [{"source": "City fund"}, {"source": "Settlement"}])
    keys(
        ENTER,                     # Add a row
        "Coordinator" + ENTER,     # item
        ENTER,                     # category: Personnel (first)
        "1" + ENTER,               # year
        "1" + ENTER,               # quantity
        "60000" + ENTER,           # unit cost
        "50" + ENTER,              # share
        DOWN + ENTER,              # source: the second one typed earlier
        ESC + ENTER,               # justification: left blank
        CTRL_Q,                    # on the table menu: the row is already saved
    )
    wizard.ask_question(content.question("funding.budget"))
    [row] = no_ids(load_plan(wizard.plan.path).answers["funding"]["budget"])
    assert row == {"item": "Coordinator", "category": "personnel", "year": 1, "quantity": 1, "unit_cost": 60000,
                   "share": 50, "source": "Settlement"}  # the cost is worked out, never stored
    screen = wizard.screen.getvalue()
    assert "Worked out: Cost: $30,000" in " ".join(screen.split())
