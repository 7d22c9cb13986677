"""One home per question type (issue 13 item 5): a type is one module in content/qtypes/, registered in
one place, and nothing else in the code names it.

The proof registers a type the code has never heard of, `percent`, built here from the registry's base
class, and follows its answers through content loading, validation, typing, a returned packet, the
wizard, migration and the Markdown exports. Any branch on type names left elsewhere (`rule.type ==
"number"`) sends `percent` down the wrong path, so one of these tests fails; and a scan of the source
finds such branches before they are run.
"""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest
import yaml

from deflect_cli.content import answers, qtypes
from deflect_cli.content.model import ContentError, load_content
from deflect_cli.content.qtypes.base import QuestionType
from deflect_cli.plan import migrate
from deflect_cli.plan import packet as plan_packet
from deflect_cli.plan.model import new_plan

from conftest import no_ids

SRC = Path(__file__).resolve().parent.parent / "src" / "deflect_cli"


class Percent(QuestionType):
    """A share from 0 to 100, typed as `85` or `85%`, shown as `85%`."""

    name, title, input = "percent", "percentage", "number"
    fields = frozenset({"min", "max"})

    def validate(self, rule, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, "expected a percentage"
        if not 0 <= value <= 100:
            return value, "must be from 0 to 100"
        return value, None

    def parse_text(self, rule, text):
        text = text.strip()
        if not text:
            return None, None
        try:
            return self.validate(rule, int(text.rstrip("% ")))
        except ValueError:
            return text, "type a percentage, like 85%"

    def typing_hint(self, rule):
        return "a share from 0 to 100, like 85%"

    def doubt(self, rule, value):
        return "Every one of them? Keep 100%?" if value == 100 else ""

    def display(self, rule, value):
        return f"{value}%"

    def form_hint(self, rule):
        return "A percentage, like 85%."

    def blank_label(self, unit):
        return "Percentage (0 to 100)"

    def blank_hint(self, rule):
        return "0 to 100"

    def cell_kind(self, rule):
        return "percent"

    def prefill_problem(self, rule, value):
        return self.validate(rule, value)[1] or ""


@pytest.fixture
def percent(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")
    monkeypatch.setitem(qtypes.TYPES, "percent", Percent())


def _content(root: Path, share_type: str = "percent", version: str = "1", **share) -> str:
    question = {"id": "share", "label": "Share trained", "prompt": "What share of staff is trained?",
                "help": "Why it matters.", "type": share_type, **share}
    sites = {"id": "sites", "label": "Sites", "prompt": "Which sites take part?", "help": "One row each.",
             "type": "table", "columns": [{"id": "site", "type": "text", "required": True},
                                          {"id": "covered", "label": "Covered", "type": share_type}]}
    agency = {"id": "agency", "prompt": "Agency?", "help": "Who leads.", "type": "text"}
    (root / "sections").mkdir(parents=True)
    files = {"workbook.yaml": {"title": "Test workbook", "version": version, "profile": {"questions": [agency]}},
             "sections/01-main.yaml": {"id": "main", "title": "Main", "summary": "S.", "guide": "G.",
                                       "questions": [question, sites]}}
    for name, data in files.items():
        (root / name).write_text(yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False))
    return str(root)


def _plan(tmp_path, content):
    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.set_answer("profile.agency", "Lakeside PD")
    plan.set_answer("main.share", 85)
    plan.set_answer("main.sites", [{"site": "North", "covered": 40}])
    return plan


def test_content_takes_the_new_type_for_questions_and_columns(percent, tmp_path):
    content = load_content(_content(tmp_path / "c", min=10))
    assert content.question("main.share").min == 10
    assert content.question("main.sites").columns[1].type == "percent"
    with pytest.raises(ContentError) as raised:  # the fields it takes come from the type, not a list elsewhere
        load_content(_content(tmp_path / "d", unit="%"))
    assert "question main.share: 'unit' only applies to number" in "\n".join(raised.value.problems)


def test_its_answers_validate_parse_and_display_through_the_registry(percent, tmp_path):
    question = load_content(_content(tmp_path / "c")).question("main.share")
    assert answers.validate(question, 85) == (85, None)
    assert answers.validate(question, 140)[1] == "must be from 0 to 100"
    assert answers.parse_text(question, " 85% ") == (85, None)
    assert answers.parse_text(question, "most") == ("most", "type a percentage, like 85%")
    assert answers.display(question, 85) == "85%"
    assert plan_packet.parse_value(question, "\r\n40%\r\n") == (40, None)  # from a returned packet


def test_the_wizard_asks_it_by_its_input_kind(percent, tmp_path):
    from deflect_cli.session.plain import PlainPrompter
    from deflect_cli.session.wizard import Wizard

    content = load_content(_content(tmp_path / "c"))
    plan = new_plan(tmp_path / "plan.yaml", content)
    # Its own hint before anything is typed, its own check, and its own second look: 100 is confirmed
    # (2: no, change it) before 60 is kept.
    ui = PlainPrompter(stdin=io.StringIO("lots\n100\n2\n60%\n"), stdout=io.StringIO())
    Wizard(content, plan, ui=ui).edit(content.question("main.share"))
    assert plan.answer("main", "share") == 60
    shown = ui.stdout.getvalue()
    assert "(a share from 0 to 100, like 85%)" in shown and "Type a percentage, like 85%." in shown
    assert "Every one of them? Keep 100%?" in shown
    # A table cell too: add a row (1), its site and share covered, then Done (4).
    ui = PlainPrompter(stdin=io.StringIO("1\nNorth\n140\n40 %\n4\n"), stdout=io.StringIO())
    Wizard(content, plan, ui=ui).edit(content.question("main.sites"))
    assert no_ids(plan.answer("main", "sites")) == [{"site": "North", "covered": 40}]
    shown = ui.stdout.getvalue()
    assert "Not saved: Must be from 0 to 100." in shown and "Covered: 40%" in shown
    assert "(a share from 0 to 100, like 85%)" in shown


def test_an_answer_to_an_older_type_is_set_aside_and_lint_names_the_change(percent, tmp_path):
    old = load_content(_content(tmp_path / "v1", "number"))
    new = load_content(_content(tmp_path / "v2", version="2"))
    plan = _plan(tmp_path, old)
    plan.fingerprints = plan._answer_fingerprints()
    changes = migrate.reconcile(new, plan)
    assert [c.detail for c in changes.of("changed")] == ["from number to percentage"]
    assert plan.answer("main", "share") is None and plan.orphaned[0]["answer"] == 85
    problems = migrate.compare_content(old, new)
    assert any("main.share: type changed from number to percent" in p for p in problems)
    assert any("column 'covered' changed from number to percent" in p for p in problems)
    assert migrate.compare_content(new, new) == []


def test_the_markdown_exports_show_it_in_its_own_words(percent, tmp_path):
    from deflect_cli.export import packet as packet_export
    from deflect_cli.export.model import build_document
    from deflect_cli.export.render import export, render

    content = load_content(_content(tmp_path / "c"))
    plan = _plan(tmp_path, content)
    markdown = render(content, plan, "md")
    assert "### Share trained\n\n85%\n" in markdown
    assert "| North | 40% |" in markdown
    chapter = build_document(content, plan)["chapters"][0]
    assert [a["column_types"] for a in chapter["answers"] if a["id"] == "sites"] == [["text", "percent"]]
    packet = plan_packet.build(content, plan, [content.section("main")], "County EMS")
    sent = packet_export.markdown(content, packet)
    assert "Answer S1-01: A percentage, like 85%.\n\n```\n85\n```" in sent
    blank = export(content, None, "md", blank=True)  # the paper workbook leaves room in its words
    assert "| Percentage (0 to 100) |" in blank and "**Covered:** 0 to 100" in blank


def test_every_input_kind_has_an_asker_and_every_type_one_of_them():
    from deflect_cli.session.askers import Askers
    from deflect_cli.session.tables import TableEditor

    asked = [kind for kind in qtypes.INPUTS if callable(getattr(TableEditor if kind == "table" else Askers,
                                                                 f"_ask_{kind}", None))]
    assert asked == list(qtypes.INPUTS)
    assert {kind.input for kind in qtypes.TYPES.values()} <= set(qtypes.INPUTS)


# --------------------------------------------------------------------------- no branch names a type

# `.type` attributes that are not a question's: markdown-it's token types.
_NOT_QUESTIONS = {"export/mdparse.py"}
# Left where they are, each as (file, type name) with its reason; a new entry is a decision for review.
_KNOWN: set = set()


def _type_names_in(node) -> set:
    values = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else \
        [k for k in node.keys if k] if isinstance(node, ast.Dict) else [node]
    return {v.value for v in values if isinstance(v, ast.Constant) and v.value in qtypes.TYPES}


def _is_type_of_something(node) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "type"
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "type"


def _branches_on_type_names(tree) -> set:
    """Type names a module compares a `.type` (or `["type"]`, or a name holding one) with, keys a table
    by, or lists in a constant; "getattr" for a method looked up by a type's name."""
    aliases = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and _is_type_of_something(node.value) for target in node.targets if isinstance(target, ast.Name)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_type_of_something(side) or (isinstance(side, ast.Name) and side.id in aliases)
                   for side in sides):
                found |= set().union(*(_type_names_in(side) for side in sides))
        elif isinstance(node, ast.Dict) and len(_type_names_in(node)) >= 2:
            found |= _type_names_in(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and any(isinstance(part, ast.FormattedValue) and _is_type_of_something(part.value)
                        for arg in node.args for part in ast.walk(arg)):
            found.add("a name made of a type")
    for statement in tree.body:  # module constants listing types (SHORT_TYPES = ("text", "choice", ...))
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            for node in ast.walk(statement.value):
                if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(_type_names_in(node)) >= 2:
                    found |= _type_names_in(node)
    # "table" is the one type whose answer is rows, with machinery of its own (row ids, the row-by-row
    # diff, merge and packet import, the table editor): asking "is this answer rows?" is not a per-type
    # branch a new type could need.
    return found - {"table"}


def test_no_code_outside_the_registry_branches_on_a_type_name():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if where.startswith("content/qtypes/") or where in _NOT_QUESTIONS:
            continue
        for name in sorted(_branches_on_type_names(ast.parse(path.read_text(encoding="utf-8")))):
            if (where, name) not in _KNOWN:
                found.append(f"{where}: {name}")
    assert found == [], "ask content.qtypes instead of naming the type"


def test_the_scan_sees_a_branch_on_a_type_name():
    branch = ast.parse('if rule.type in ("text", "long_text"):\n    pass\nx = item["type"] == "number"\n'
                       'hint = {"choice": 1, "date": 2}.get(rule.type)\nrows = question.type == "table"\n'
                       'kind = q["type"]\nif kind == "yes_no":\n    pass\nSHORT = ("multi_choice", "text")\n'
                       'handler = getattr(self, f"_ask_{question.type}")\n'
                       'if kind.input in ("choice", "date"):\n    pass\n')  # an input kind is no type
    assert _branches_on_type_names(branch) == {"text", "long_text", "number", "choice", "date", "yes_no",
                                               "multi_choice", "a name made of a type"}
