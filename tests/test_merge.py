"""`deflect merge`: two copies of one plan edited apart, three ways, row by row, nothing lost."""

from __future__ import annotations

import shutil

from deflect_cli.plan.store import load_plan, restorable, save_plan

from conftest import no_ids


def _edit(path, **changes):
    plan = load_plan(path)
    for key, value in changes.items():
        plan.set_answer(key.replace("__", "."), value)
    save_plan(plan)
    return plan


def _setup(cli, tmp_path):
    from conftest import riverton_plan

    ours = riverton_plan(tmp_path / "deflection-plan.yaml")
    theirs_dir = tmp_path / "shared"
    theirs_dir.mkdir()
    theirs = theirs_dir / "deflection-plan.yaml"
    shutil.copy(ours, theirs)  # the copy on the shared drive
    return ours, theirs


def test_merge_takes_the_other_copys_changes_and_keeps_ours(cli, tmp_path):
    ours, theirs = _setup(cli, tmp_path)
    _edit(ours, treatment__wait_days=3)
    _edit(theirs, profile__agency="Riverton Police Dept.")
    code, out, err = cli("merge", str(theirs), "--yes")
    assert code == 0, err
    assert "Base: the version both copies share" in out
    plan = load_plan(ours)
    assert plan.answer("treatment", "wait_days") == 3 and plan.answer("profile", "agency") == "Riverton Police Dept."
    assert any(c.command == "merge" and c.pinned for c in restorable(ours))


def test_merge_conflict_on_a_table_row_is_left_and_both_values_kept(cli, tmp_path):
    ours, theirs = _setup(cli, tmp_path)
    rows = load_plan(ours).answers["data"]["sharing_details"]
    mine = [dict(r) for r in rows]
    mine[0]["information"] = "Info A"
    _edit(ours, data__sharing_details=mine)
    other = [dict(r) for r in rows]
    other[0]["information"] = "Info B"
    other[1]["information"] = "Info New"  # only the other copy changed row 2: taken
    other.append({"partner": "Lane County Health", "information": "Referral date"})  # a new row: taken, id kept
    _edit(theirs, data__sharing_details=other)
    new_id = load_plan(theirs).answers["data"]["sharing_details"][-1]["_id"]
    code, out, err = cli("merge", str(theirs), "--yes")
    assert code == 0, err
    assert "conflict" in out and "Info A" in out and "Info B" in out
    merged = load_plan(ours).answers["data"]["sharing_details"]
    assert merged[0]["information"] == "Info A" and merged[1]["information"] == "Info New"
    assert merged[-1]["_id"] == new_id and merged[-1]["information"] == "Referral date"
    kept = [e for e in load_plan(ours).orphaned if e["question"] == "data.sharing_details"]
    assert any(no_ids(e["answer"])[0]["information"] == "Info B" for e in kept)  # the losing value is kept


def test_merge_without_a_base_says_so_and_every_difference_is_a_conflict(cli, tmp_path):
    ours, theirs = _setup(cli, tmp_path)
    _edit(theirs, profile__agency="Other name")
    shutil.rmtree(tmp_path / ".deflection-plan.yaml.snapshots", ignore_errors=True)
    shutil.rmtree(tmp_path / "shared" / ".deflection-plan.yaml.snapshots", ignore_errors=True)
    _edit(ours, treatment__wait_days=9)
    shutil.rmtree(tmp_path / ".deflection-plan.yaml.snapshots", ignore_errors=True)
    code, out, err = cli("merge", str(theirs), "--yes")
    assert code == 0, err
    assert "No common earlier version" in out and "conflict" in out
    plan = load_plan(ours)
    assert plan.answer("profile", "agency") != "Other name"  # not silently taken
    assert any(e["question"] == "profile.agency" and e["answer"] == "Other name" for e in plan.orphaned)


def test_merge_without_yes_changes_nothing(cli, tmp_path):
    ours, theirs = _setup(cli, tmp_path)
    _edit(theirs, profile__agency="Riverton Police Dept.")
    before = ours.read_bytes()
    code, _, err = cli("merge", str(theirs))
    assert code == 1 and "--yes" in err and ours.read_bytes() == before
