"""`deflect diff`: changed answers by section, tables row by row (by row id when there is one)."""

from __future__ import annotations

from deflect_cli.plan import diff as plandiff
from deflect_cli.plan.store import load_plan, save_plan


def _rows(d):
    return {(s.id, c.key, c.kind) for s in d for c in s.changes}


def test_added_changed_removed_by_section(content):
    old = {"profile": {"agency": "Riverton PD", "population": 100}, "treatment": {"wait_days": 3}}
    new = {"profile": {"agency": "Riverton Police", "program_name": "Open Door"}, "treatment": {"wait_days": 3}}
    found = plandiff.diff(content, old, new)
    assert _rows(found) == {("profile", "profile.agency", "changed"), ("profile", "profile.program_name", "added"),
                            ("profile", "profile.population", "removed")}
    out = plandiff.text(found, "a.yaml", "b.yaml")
    assert "was: Riverton PD" in out and "now: Riverton Police" in out and "was: 100" in out
    assert "treatment" not in out


def test_table_rows_matched_by_id_so_a_moved_row_is_not_a_change(content):
    a = {"_id": "r-aaaa", "name": "Lane County Health", "type": "public_health"}
    b = {"_id": "r-bbbb", "name": "Northbank", "type": "treatment"}
    old = {"partnerships": {"roster": [a, b]}}
    new = {"partnerships": {"roster": [dict(b, name="Northbank BH"), a, {"_id": "r-cccc", "name": "Peers"}]}}
    (section,) = plandiff.diff(content, old, new)
    (change,) = section.changes
    kinds = sorted((r.kind, r.number) for r in change.rows)
    assert kinds == [("added", 3), ("changed", 1)]
    text = plandiff.text([section], "a", "b")
    assert "Northbank → Northbank BH" in text and "r-cccc" not in text


def test_rows_without_ids_compare_by_position(content):
    old = {"partnerships": {"roster": [{"name": "A"}, {"name": "B"}]}}
    new = {"partnerships": {"roster": [{"name": "A"}]}}
    (section,) = plandiff.diff(content, old, new)
    assert [(r.kind, r.number) for r in section.changes[0].rows] == [("removed", 2)]


def test_markdown_escapes_user_text(content):
    found = plandiff.diff(content, {}, {"profile": {"agency": "*Bold* <script>"}})
    md = plandiff.markdown(found, "old", "new")
    assert "\\*Bold\\* \\<script\\>" in md and "`profile.agency`" in md


def test_nothing_differs(content):
    assert plandiff.diff(content, {"profile": {"agency": "x"}}, {"profile": {"agency": "x"}}) == []


def test_cli_two_files_and_snapshot(cli, tmp_path, content):
    code, _, _ = cli("start", "--no-input")
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    plan.set_answer("profile.agency", "Riverton PD")
    save_plan(plan)
    (tmp_path / "old.yaml").write_bytes((tmp_path / "deflection-plan.yaml").read_bytes())
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    plan.set_answer("profile.agency", "Riverton Police Department")
    save_plan(plan)  # the first save keeps the loaded plan as snapshot 1
    code, out, err = cli("diff", "old.yaml", "deflection-plan.yaml")
    assert code == 0, err
    assert "changed  profile.agency" in out and "was: Riverton PD" in out
    code, out, err = cli("diff", "--snapshot", "1", "--format", "md")
    assert code == 0, err
    assert "- changed: `profile.agency`" in out
    code, _, err = cli("diff", "--snapshot", "9")
    assert code == 1 and "no copy 9" in err
    code, _, err = cli("diff", "old.yaml", "missing.yaml")
    assert code == 1 and "missing.yaml" in err and "Traceback" not in err


def test_versions_are_two_files_or_the_plan_and_a_snapshot(tmp_path, content):
    import pytest

    from deflect_cli.errors import DeflectError
    from deflect_cli.plan.model import new_plan

    path = tmp_path / "deflection-plan.yaml"
    plan = new_plan(path, content)
    plan.set_answer("profile.agency", "Riverton PD")
    save_plan(plan)
    (tmp_path / "old.yaml").write_bytes(path.read_bytes())
    plan = load_plan(path)
    plan.set_answer("profile.agency", "Riverton Police Department")
    save_plan(plan)  # snapshot 1 holds "Riverton PD"
    before, after, names = plandiff.versions(tmp_path / "old.yaml", None, None, path)
    assert names == (str(tmp_path / "old.yaml"), str(path))  # the new side defaults to the plan
    assert (before.answer("profile", "agency"), after.answer("profile", "agency")) == \
        ("Riverton PD", "Riverton Police Department")
    before, after, names = plandiff.versions(None, None, 1, path)
    assert names[0].startswith("snapshot 1 (") and names[1] == str(path)
    assert before.answer("profile", "agency") == "Riverton PD"
    for old, snapshot, message in ((tmp_path / "old.yaml", 1, "either --snapshot N or two plan files"),
                                   (None, None, "name two plan files to compare"),
                                   (None, 2, "there is no copy 2 of")):
        with pytest.raises(DeflectError, match=message):
            plandiff.versions(old, None, snapshot, path)
