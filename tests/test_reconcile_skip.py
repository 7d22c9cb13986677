"""Opening a plan skips migrate's walk when the plan is already in line with its content, and only then.

Every reading command opens the plan through migrate.reconcile. A plan last saved against the same
content (the usual case) needs nothing moved, so reconcile only checks that (migrate._in_line) and
returns it untouched. Each test here also runs reconcile with that check turned off and asserts the
same plan and the same changes come out: the skip may save time, never change an outcome.
"""

from __future__ import annotations

import copy
import json

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan import migrate
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan, save_plan
from test_content_changes import make_content, q

from conftest import no_ids, riverton_plan


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


XY = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]
TABLE = q("t", "table", columns=[{"id": "name", "label": "Name", "type": "text", "required": True},
                                 {"id": "size", "label": "Size", "type": "number"}])
QUESTIONS = [q("a"), q("n", "number", max=100), q("c", "choice", choices=XY), q("m", "multi_choice", choices=XY),
             q("none", "multi_choice", choices=XY), TABLE]
ANSWERS = {"profile.agency": "Riverton PD", "main.a": "kept", "main.n": 50, "main.c": "y", "main.m": ["x"],
           "main.none": [], "main.t": [{"name": "Harbor Health", "size": 3}]}


def _saved_plan(tmp_path):
    """The plan answered against workbook version 1, saved and loaded again, as a command finds it."""
    v1 = load_content(make_content(tmp_path / "v1", QUESTIONS))
    plan = new_plan(tmp_path / "deflection-plan.yaml", v1)
    for key, value in ANSWERS.items():
        plan.set_answer(key, value)
    plan.skip("main.skipped_one")
    save_plan(plan)
    return v1, load_plan(plan.path)


def _state(plan) -> str:
    """Everything reconcile may touch, in order (but when an answer was set aside, and new rows' random ids)."""
    orphaned = [{k: v for k, v in entry.items() if k != "set_aside"} for entry in no_ids(plan.orphaned)]
    return json.dumps([no_ids(plan.answers), plan.skipped, plan.position, plan.fingerprints, orphaned, plan.drafts,
                       plan.attribution, plan.content_title, plan.content_version, plan.question_fingerprints])


def _reconcile_both_ways(content, plan, monkeypatch):
    """(the plan reconciled as commands do, its changes, whether the full walk ran); asserts that the
    full walk, forced, gives the same plan and changes."""
    walked = []
    walk = migrate._bring_in_line
    monkeypatch.setattr(migrate, "_bring_in_line", lambda *args: walked.append(True) or walk(*args))
    fast = copy.deepcopy(plan)
    changes = migrate.reconcile(content, fast)
    ran = bool(walked)
    full = copy.deepcopy(plan)
    with monkeypatch.context() as forced:
        forced.setattr(migrate, "_in_line", lambda *args: False)
        full_changes = migrate.reconcile(content, full)
    assert _state(fast) == _state(full)
    assert changes == full_changes
    return fast, changes, ran


def test_a_plan_in_line_with_its_content_is_returned_unchanged_without_the_walk(tmp_path, monkeypatch):
    v1, _ = _saved_plan(tmp_path)
    path = tmp_path / "deflection-plan.yaml"

    def walk(*args):
        raise AssertionError("reconcile walked a plan that was already in line")

    monkeypatch.setattr(migrate, "_bring_in_line", walk)
    plan, changes = migrate.open_plan(v1, path)
    assert not changes and plan == load_plan(path)
    assert plan.to_yaml() == path.read_text(encoding="utf-8")  # it would save exactly what it read
    assert plan.question_fingerprints == {question.key: question.fingerprint for question in v1.questions()}


def test_the_bundled_workbook_and_a_full_plan_take_the_short_way(tmp_path, monkeypatch):
    from deflect_cli.content import resources

    content = resources.load()
    path = riverton_plan(tmp_path / "deflection-plan.yaml", content)
    plan = load_plan(path)
    assert plan.orphaned  # answers of the older workbook set aside: their questions are gone, so they stay
    _, changes, ran = _reconcile_both_ways(content, plan, monkeypatch)
    assert not ran and not changes


def _renamed(questions, old, new):
    return [dict(question, id=new, renamed_from=[f"main.{old}"]) if question["id"] == old else question
            for question in questions]


def _without(questions, qid):
    return [question for question in questions if question["id"] != qid]


def _with_carry(root, carry: str):
    (root / "workbook.yaml").write_text((root / "workbook.yaml").read_text() + carry)
    return str(root)


def _reshaped_table(tmp_path):
    """`main.t` gains a column (so its fingerprint changes, while the old rows still fit) and its
    names are carried into a new table: what workbook 2 does with goals."""
    people = q("people", "table", columns=[{"id": "who", "label": "Who", "type": "text", "required": True}])
    grown = dict(TABLE, columns=TABLE["columns"] + [{"id": "kind", "label": "Kind", "type": "text"}])
    make_content(tmp_path / "v2", [grown if question["id"] == "t" else question for question in QUESTIONS] + [people])
    return _with_carry(tmp_path / "v2", "carry:\n  - {from: main.t, to: main.people, columns: {name: who}}\n")


def _carried_from_removed(tmp_path):
    notes = q("notes", "table", columns=[{"id": "step", "label": "Step", "type": "text", "required": True}])
    make_content(tmp_path / "v2", _without(QUESTIONS, "a") + [notes])
    return _with_carry(tmp_path / "v2", "carry:\n  - {from: main.a, to: main.notes, column: step}\n")


def _empty_carry_source(tmp_path):
    people = q("people", "table", columns=[{"id": "who", "label": "Who", "type": "text", "required": True}])
    make_content(tmp_path / "v2", QUESTIONS + [people])
    return _with_carry(tmp_path / "v2", "carry:\n  - {from: main.none, to: main.people, column: who}\n")


def _set_aside(plan):
    plan.orphaned.append({"question": "main.back", "answer": "earlier", "reason": "gone", "content_version": "0"})


def _hand_edited(plan):
    plan.answers["main"]["n"] = "lots"  # the fingerprint of the number stays beside it


def _doubled(plan):
    plan.answers["main"]["m"] = ["x", "x"]


def _at_old_id(plan):
    plan.remove_answer("main.a")
    plan.position = "main.a"


def _skipped_old_id(plan):
    plan.remove_answer("main.a")
    plan.skip("main.a")


CASES = {  # name: (the new content, made in tmp_path, or None for the same; a change to the plan; changes)
    "a new version of the same questions": (lambda t: make_content(t / "v2", QUESTIONS, version="2"), None, []),
    "a choice removed": (lambda t: make_content(t / "v2", [dict(x, choices=XY[:1]) if x["id"] == "c" else x
                                                            for x in QUESTIONS]), None, ["changed"]),
    "a bound tightened (same fingerprint)": (lambda t: make_content(t / "v2", [dict(x, max=10) if x["id"] == "n"
                                                                              else x for x in QUESTIONS]),
                                             None, ["changed"]),
    "a retyped question": (lambda t: make_content(t / "v2", [q("a", "number")] + QUESTIONS[1:]), None, ["changed"]),
    "a renamed question": (lambda t: make_content(t / "v2", _renamed(QUESTIONS, "a", "a2")), None, ["renamed"]),
    "a renamed question's position": (lambda t: make_content(t / "v2", _renamed(QUESTIONS, "a", "a2")),
                                      _at_old_id, []),
    "a renamed question's skip": (lambda t: make_content(t / "v2", _renamed(QUESTIONS, "a", "a2")),
                                  _skipped_old_id, []),
    "a removed question": (lambda t: make_content(t / "v2", _without(QUESTIONS, "m")), None, ["removed"]),
    "a set-aside answer's question back": (lambda t: make_content(t / "v2", QUESTIONS + [q("back")]), _set_aside,
                                           ["restored"]),
    "a hand-edited answer that does not fit": (None, _hand_edited, ["changed"]),
    "an answer that validates to something else": (None, _doubled, []),
    "carried from a removed question": (_carried_from_removed, None, ["carried"]),
    "carried from a question that changed shape": (_reshaped_table, None, ["carried", "reshaped", "restored"]),
    "a carry source holding no answer": (_empty_carry_source, None, []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_anything_to_move_still_takes_the_full_walk(tmp_path, monkeypatch, case):
    make, change, kinds = CASES[case]
    v1, plan = _saved_plan(tmp_path)
    content = load_content(make(tmp_path)) if make else v1
    if change:
        change(plan)
    reconciled, changes, ran = _reconcile_both_ways(content, plan, monkeypatch)
    assert ran
    assert [item.kind for item in changes.items] == kinds


def test_a_tightened_bound_keeps_the_fingerprint(tmp_path):
    """Why the skip validates every answer rather than trusting fingerprints alone."""
    v1 = load_content(make_content(tmp_path / "v1", QUESTIONS))
    v2 = load_content(CASES["a bound tightened (same fingerprint)"][0](tmp_path))
    assert v1.question("main.n").fingerprint == v2.question("main.n").fingerprint
