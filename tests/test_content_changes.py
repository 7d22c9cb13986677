"""Content that changes between sessions: added, removed, renamed and retyped questions.

No answer may be lost or silently altered: answers follow renames, answers whose question left or
changed shape are set aside (shown by `status`, in an export appendix) and the changed question is
asked again; `deflect lint --against OLD` tells authors beforehand.
"""

from __future__ import annotations

import json

import pytest
import yaml

from deflect_cli.content.model import load_content
from deflect_cli.errors import ContentError
from deflect_cli.plan import flow
from deflect_cli.plan.migrate import compare_content, reconcile
from deflect_cli.plan.model import SCHEMA_VERSION, new_plan
from deflect_cli.plan.store import load_plan, restorable, save_plan


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


def q(qid: str, qtype: str = "text", **extra) -> dict:
    question = {"id": qid, "prompt": f"Question {qid}?", "help": "Why it matters.", "type": qtype}
    question.update(extra)
    return question


def make_content(root, questions, version="1"):
    """A one-section workbook in `root` (a tmp folder): profile.agency, then `questions` in section `main`."""
    (root / "sections").mkdir(parents=True)
    workbook = {"title": "Test workbook", "version": version,
                "profile": {"questions": [q("agency")]}}
    section = {"id": "main", "title": "Main", "summary": "S.", "guide": "G.", "questions": questions}
    for name, data in (("workbook.yaml", workbook), ("sections/01-main.yaml", section)):
        plain = json.loads(json.dumps(data))  # no shared objects, so no YAML anchors
        (root / name).write_text(yaml.safe_dump(plain, sort_keys=False))
    return str(root)


def answered_plan(tmp_path, content_dir, answers: dict):
    content = load_content(content_dir)
    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    for key, value in answers.items():
        plan.set_answer(key, value)
    save_plan(plan)
    return plan.path


CHOICES = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]


def test_an_added_question_is_asked_and_nothing_else_changes(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a")])
    v2 = make_content(tmp_path / "v2", [q("a"), q("b", required=True)], version="2")
    path = answered_plan(tmp_path, v1, {"profile.agency": "PD", "main.a": "kept"})
    before = path.read_bytes()
    code, out, err = cli("resume", "--no-input", "--content", v2)
    assert code == 1 and "missing: main.b (required)" in err
    assert "changed" not in out and path.read_bytes() == before  # nothing to migrate, nothing written
    content = load_content(v2)
    plan = load_plan(path)
    reconcile(content, plan)
    assert flow.first_open(flow.evaluate(content, plan.answers), plan.answers, plan.skipped).key == "main.b"


def test_answers_to_removed_questions_are_kept_shown_and_exported(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a"), q("b", "long_text")])
    v2 = make_content(tmp_path / "v2", [q("a")], version="2")
    path = answered_plan(tmp_path, v1, {"main.a": "kept", "main.b": "Line one\nline | two *bold*"})
    original = path.read_bytes()

    code, out, _ = cli("resume", "--no-input", "--content", v2)
    assert "version 1, now 2" in out and "main.b is no longer in the workbook" in out
    plan = load_plan(path)
    assert plan.answers == {"main": {"a": "kept"}}
    assert plan.orphaned[0]["question"] == "main.b"
    assert plan.orphaned[0]["answer"] == "Line one\nline | two *bold*"
    assert plan.orphaned[0]["type"] == "long_text"
    assert plan.content_version == "2"
    assert restorable(path)[0].plan.loaded_bytes == original  # the plan before the migration is kept as a snapshot

    code, out, _ = cli("status", "--content", v2)
    assert code == 0 and "Set aside (1)" in out and "main.b" in out
    code, out, _ = cli("export", "--format", "md", "--content", v2, "-o", "-")
    assert code == 0
    appendix = out.split("## Appendix: earlier answers set aside", 1)[1]
    assert "main.b" in appendix and r"line \| two \*bold\*" in appendix
    code, out, _ = cli("export", "--format", "json", "--content", v2, "-o", "-")
    assert json.loads(out)["orphaned"][0]["answer"] == "Line one\nline | two *bold*"


def test_reading_commands_reconcile_in_memory_only(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a"), q("b")])
    v2 = make_content(tmp_path / "v2", [q("a")], version="2")
    path = answered_plan(tmp_path, v1, {"main.a": "kept", "main.b": "gone from v2"})
    before = path.read_bytes()
    for args in (("status",), ("export", "--format", "json", "-o", "-"), ("export", "--format", "md", "-o", "-")):
        code, out, err = cli(*args, "--content", v2)
        assert code == 0, err
        assert "gone from v2" in out or "main.b" in out
    assert path.read_bytes() == before and restorable(path) == []


def test_an_answer_follows_a_renamed_question_with_its_skip(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a"), q("old_name"), q("skipped_old")])
    v2 = make_content(tmp_path / "v2", [
        q("a"), q("new_name", renamed_from="main.old_name"),
        q("skipped_new", renamed_from=["main.skipped_old"]),
    ], version="2")
    path = answered_plan(tmp_path, v1, {"main.a": "A", "main.old_name": "follows"})
    plan = load_plan(path)
    plan.skip("main.skipped_old")
    plan.position = "main.skipped_old"
    save_plan(plan)

    code, out, _ = cli("resume", "--no-input", "--content", v2)
    assert "main.old_name is now main.new_name" in out
    plan = load_plan(path)
    assert plan.answers == {"main": {"a": "A", "new_name": "follows"}}
    assert plan.skipped == ["main.skipped_new"] and plan.position == "main.skipped_new"
    assert plan.orphaned == []
    assert set(plan.fingerprints) == {"main.a", "main.new_name"}


def test_a_retyped_question_is_asked_again_and_the_old_answer_kept(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a"), q("count")])
    v2 = make_content(tmp_path / "v2", [q("a"), q("count", "number", required=True)], version="2")
    path = answered_plan(tmp_path, v1, {"profile.agency": "PD", "main.a": "A", "main.count": "about a dozen"})

    code, out, err = cli("resume", "--no-input", "--content", v2)
    assert "main.count changed (from text to number) and will be asked again" in out
    assert 'your earlier answer: "about a dozen"' in out
    assert "missing: main.count (required)" in err
    plan = load_plan(path)
    assert "count" not in plan.answers["main"]
    assert plan.earlier_answer("main.count") == "about a dozen"
    content = load_content(v2)
    reconcile(content, plan)
    assert flow.first_open(flow.evaluate(content, plan.answers), plan.answers, plan.skipped).key == "main.count"

    answers = tmp_path / "answers.yaml"
    answers.write_text("main:\n  count: 12\n")
    code, _, err = cli("resume", "--no-input", "--content", v2, "--answers", str(answers))
    assert code == 0, err
    plan = load_plan(path)
    assert plan.answers["main"]["count"] == 12
    assert plan.fingerprints["main.count"].startswith("number/")
    assert plan.orphaned[0]["answer"] == "about a dozen"  # still kept, for the record


def test_a_value_that_no_longer_fits_is_set_aside_but_still_fitting_ones_stay(tmp_path):
    v1 = make_content(tmp_path / "v1", [q("pick", "choice", choices=CHOICES), q("other", "choice", choices=CHOICES)])
    v2 = make_content(tmp_path / "v2", [
        q("pick", "choice", choices=CHOICES[:1]),                                # y removed
        q("other", "choice", choices=CHOICES + [{"value": "z", "label": "Z"}]),  # z added
    ], version="2")
    path = answered_plan(tmp_path, v1, {"main.pick": "y", "main.other": "y"})
    plan = load_plan(path)
    changes = reconcile(load_content(v2), plan)
    assert [c.key for c in changes.of("changed")] == ["main.pick"]
    assert "no longer fits" in plan.orphaned[0]["reason"]
    assert plan.answers == {"main": {"other": "y"}}


def test_short_and_long_text_are_interchangeable(tmp_path):
    v1 = make_content(tmp_path / "v1", [q("notes")])
    v2 = make_content(tmp_path / "v2", [q("notes", "long_text")], version="2")
    path = answered_plan(tmp_path, v1, {"main.notes": "short"})
    plan = load_plan(path)
    assert not reconcile(load_content(v2), plan)
    assert plan.answers == {"main": {"notes": "short"}}


def test_a_set_aside_answer_comes_back_when_its_question_does(cli, tmp_path):
    """Opening a plan once with the wrong --content must not cost any answers."""
    right = make_content(tmp_path / "right", [q("a"), q("b", "yes_no")])
    wrong = make_content(tmp_path / "wrong", [q("c")], version="other")
    path = answered_plan(tmp_path, right, {"profile.agency": "PD", "main.a": "A", "main.b": False})
    original = load_plan(path).answers

    cli("resume", "--no-input", "--content", wrong)
    assert {e["question"] for e in load_plan(path).orphaned} == {"main.a", "main.b"}
    code, out, _ = cli("resume", "--no-input", "--content", right)
    assert "main.b is back in the workbook" in out
    plan = load_plan(path)
    assert plan.answers == original and plan.orphaned == []


def test_a_hand_edited_answer_of_the_wrong_type_is_set_aside_not_crashing(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("n", "number"), q("d", "date")])
    path = answered_plan(tmp_path, v1, {"main.n": 3})
    text = path.read_text().replace("\n    n: 3", "\n    n: three").replace("  main.n: number/", "  main.x: number/")
    path.write_text(text)
    code, out, err = cli("export", "--format", "md", "--content", v1, "-o", "-")
    assert code == 0, err
    assert "three" in out.split("## Appendix", 1)[1]


def test_a_format_1_plan_loads_and_is_saved_in_the_current_format(cli, tmp_path):
    v1 = make_content(tmp_path / "v1", [q("a")])
    path = tmp_path / "deflection-plan.yaml"
    path.write_text(
        "deflect_plan: 1\ncontent: {title: Test workbook, version: '1'}\ncreated: '2026-01-01T10:00:00+00:00'\n"
        "updated: '2026-01-01T10:00:00+00:00'\nposition: null\nanswers:\n  main:\n    a: old\nskipped: []\n"
        "end_of_plan: true\n"
    )
    answers = tmp_path / "more.yaml"
    answers.write_text("profile:\n  agency: PD\n")
    code, _, err = cli("resume", "--no-input", "--content", v1, "--answers", str(answers))
    assert code == 0, err
    saved = yaml.safe_load(path.read_text())
    assert saved["deflect_plan"] == SCHEMA_VERSION
    assert saved["answers"] == {"main": {"a": "old"}, "profile": {"agency": "PD"}}
    assert set(saved["fingerprints"]) == {"main.a", "profile.agency"}


# ---------------------------------------------------------------- fingerprints and renamed_from


def test_fingerprints_follow_shape_not_wording(tmp_path):
    def fingerprint(name, question):
        return load_content(make_content(tmp_path / name, [question])).question("main.k").fingerprint

    base = fingerprint("base", q("k", "choice", choices=CHOICES))
    assert base.startswith("choice/")
    assert fingerprint("reworded", q("k", "choice", choices=CHOICES, prompt="New words?", help="Other help.")) == base
    assert fingerprint("relabelled", q("k", "choice", choices=[{"value": "y", "label": "Why"},
                                                               {"value": "x", "label": "Ex"}])) == base
    assert fingerprint("more", q("k", "choice", choices=CHOICES + [{"value": "z", "label": "Z"}])) != base
    assert fingerprint("multi", q("k", "multi_choice", choices=CHOICES)) != base
    table = [{"id": "name", "label": "Name", "type": "text"}]
    assert (fingerprint("t1", q("k", "table", columns=table))
            != fingerprint("t2", q("k", "table", columns=table + [{"id": "n", "label": "N", "type": "number"}])))


@pytest.mark.parametrize("renamed_from, message", [
    ("main.a", "which is still a question"),
    ("main.k", "names the question itself"),
    ("not an id", "must be a previous full id"),
    (["main.gone", 5], "must be a previous full id"),
])
def test_bad_renamed_from_is_a_content_error(tmp_path, renamed_from, message):
    root = make_content(tmp_path / "c", [q("a"), q("k", renamed_from=renamed_from)])
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert any(message in p and "01-main.yaml:" in p for p in caught.value.problems)


def test_two_questions_cannot_claim_one_old_id(tmp_path):
    root = make_content(tmp_path / "c", [q("a", renamed_from="main.old"), q("b", renamed_from="main.old")])
    with pytest.raises(ContentError, match="which question main.a also names"):
        load_content(root)


# ---------------------------------------------------------------- lint --against


def test_lint_against_lists_every_incompatible_change(cli, tmp_path):
    columns = [{"id": "name", "label": "Name", "type": "text"}, {"id": "kind", "label": "Kind", "type": "text"}]
    old = make_content(tmp_path / "old", [
        q("gone"), q("renamed"), q("retyped"), q("pick", "choice", choices=CHOICES),
        q("roster", "table", columns=columns), q("grows", "long_text"),
    ])
    new = make_content(tmp_path / "new", [
        q("renamed_to", renamed_from="main.renamed"), q("retyped", "number"),
        q("pick", "choice", choices=CHOICES[:1]), q("roster", "table", columns=columns[:1]),
        q("grows"),  # long text to text: compatible
    ])
    code, out, err = cli("lint", "--content", new, "--against", old)
    assert code == 1
    lines = err.strip().splitlines()
    assert any("01-main.yaml:" in line and "main.gone was removed" in line for line in lines)
    assert any("main.retyped: type changed from text to number" in line for line in lines)
    assert any("main.pick: choice(s) 'y' removed" in line for line in lines)
    assert any("main.roster: column 'kind' was removed" in line for line in lines)
    assert any("version is still '1'" in line for line in lines)
    assert not any("main.renamed" in line or "grows" in line for line in lines)
    assert lines[-1].startswith("deflect: 5 change(s)")


def test_lint_against_passes_for_compatible_changes(cli, tmp_path):
    old = make_content(tmp_path / "old", [q("a"), q("b", "choice", choices=CHOICES)])
    new = make_content(tmp_path / "new", [q("a2", renamed_from="main.a"), q("b", "choice", choices=CHOICES + [
        {"value": "z", "label": "Z"}]), q("c")], version="2")
    code, out, err = cli("lint", "--content", new, "--against", old)
    assert code == 0, err
    assert "every saved answer still fits" in out
    assert compare_content(load_content(old), load_content(old)) == []
