"""Plan format upgrades (upgrades.py): one test per step, and every format-2 plan loads unchanged in meaning."""

from __future__ import annotations

import copy

from deflect_cli.plan import upgrades
from deflect_cli.plan.model import SCHEMA_VERSION, new_plan
from deflect_cli.plan.store import load_plan, save_plan

from conftest import no_ids


def test_step_1_to_2_adds_empty_fingerprints_and_orphaned():
    data = {"deflect_plan": 1, "answers": {"profile": {"agency": "PD"}}}
    out = upgrades.STEPS[1](copy.deepcopy(data))
    assert out["fingerprints"] == {} and out["orphaned"] == [] and out["answers"] == data["answers"]


def test_step_2_to_3_gives_every_table_row_a_stable_id_and_keeps_every_value():
    rows = [{"name": "Clinic", "type": "treatment"}, {"name": "Health"}]
    data = {"deflect_plan": 2, "answers": {"partnerships": {"roster": copy.deepcopy(rows), "mou_plan": "x"}}}
    out = upgrades.STEPS[2](copy.deepcopy(data))
    got = out["answers"]["partnerships"]["roster"]
    assert no_ids(got) == rows and out["answers"]["partnerships"]["mou_plan"] == "x"
    assert all(r["_id"].startswith("r-") for r in got) and len({r["_id"] for r in got}) == 2
    assert list(got[0])[0] == "_id"  # the id reads first in the file
    again = upgrades.STEPS[2](copy.deepcopy(data))["answers"]["partnerships"]["roster"]
    assert [r["_id"] for r in again] == [r["_id"] for r in got]  # the same file gives the same ids
    assert out["attribution"] == {} and out["settings"] == {} and out["drafts"] == {}
    assert out["depth"] == "full"  # plans from before the core path asked the whole workbook


def test_duplicate_row_ids_are_made_unique_and_existing_ones_kept():
    rows = [{"_id": "r-aaaaaa", "name": "A"}, {"_id": "r-aaaaaa", "name": "B"}, {"_id": "r-bbbbbb", "name": "C"}]
    upgrades.add_row_ids("s.q", rows)
    assert rows[0]["_id"] == "r-aaaaaa" and rows[2]["_id"] == "r-bbbbbb"
    assert rows[1]["_id"] not in ("r-aaaaaa", "r-bbbbbb")


def test_every_older_format_has_a_step_and_every_step_a_test_of_its_own():
    """So a format change has one place to go: bumping SCHEMA_VERSION without a step, or a step without
    a `test_step_N_to_M_...` here, fails."""
    assert sorted(upgrades.STEPS) == list(range(1, SCHEMA_VERSION))
    tests = [name for name in globals() if name.startswith("test_step_")]
    assert [n for n in upgrades.STEPS if not any(t.startswith(f"test_step_{n}_to_{n + 1}_") for t in tests)] == []


def test_upgrade_runs_the_steps_in_order():
    data = upgrades.upgrade({"deflect_plan": 1, "answers": {"s": {"t": [{"a": 1}]}}}, 3)
    assert data["deflect_plan"] == 3 and data["fingerprints"] == {}
    assert data["s" if False else "answers"]["s"]["t"][0]["_id"]


def test_a_format_2_plan_loads_unchanged_in_meaning(tmp_path, content):

    from conftest import riverton_plan

    riverton_plan(tmp_path / "deflection-plan.yaml", content)
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    text = (tmp_path / "deflection-plan.yaml").read_text()
    old = text.replace(f"deflect_plan: {SCHEMA_VERSION}", "deflect_plan: 2").replace("attribution: {}\n", "")
    old = old.replace("settings: {}\n", "")
    import re

    old = re.sub(r"\n( *)- _id: r-[0-9a-f]{6}\n\1  ", r"\n\1- ", old)  # as format 2 wrote table rows
    assert "_id: r-" not in old
    (tmp_path / "v2.yaml").write_text(old)
    loaded = load_plan(tmp_path / "v2.yaml")
    assert no_ids(loaded.answers) == no_ids(plan.answers)
    assert loaded.skipped == plan.skipped and loaded.fingerprints == plan.fingerprints
    roster = loaded.answers["partnerships"]["roster"]
    assert all(r["_id"].startswith("r-") for r in roster)
    save_plan(loaded)
    assert f"deflect_plan: {SCHEMA_VERSION}" in (tmp_path / "v2.yaml").read_text()
    again = load_plan(tmp_path / "v2.yaml")
    assert again.answers == loaded.answers  # the ids written are the ids read


def test_row_ids_kept_on_edit_and_move_and_new_rows_get_one(plan):
    plan.set_answer("partnerships.roster", [{"name": "A"}, {"name": "B"}])
    a, b = plan.answers["partnerships"]["roster"]
    moved = [dict(b, name="Bee"), dict(a)]
    plan.set_answer("partnerships.roster", moved + [{"name": "C"}])
    ids = [r["_id"] for r in plan.answers["partnerships"]["roster"]]
    assert ids[:2] == [b["_id"], a["_id"]] and ids[2] not in ids[:2]


def test_attribution_records_who_and_when_and_nothing_by_default(plan):
    plan.set_answer("profile.agency", "Riverton PD")
    assert plan.attribution == {}  # nobody named: nothing attributed (never the lead contact)
    plan.set_answer("profile.agency", "Riverton Police", by="Dana Ruiz")
    assert plan.attribution["profile.agency"]["by"] == "Dana Ruiz" and plan.attribution["profile.agency"]["at"]
    plan.set_answer("profile.agency", "Riverton Police", by="Someone Else")  # unchanged: still Dana's
    assert plan.attribution["profile.agency"]["by"] == "Dana Ruiz"
    plan.author = "Lee"
    plan.set_answer("profile.agency", "RPD")
    assert plan.attribution["profile.agency"]["by"] == "Lee"
    plan.author = None
    plan.set_answer("profile.agency", "R.P.D.")
    assert "profile.agency" not in plan.attribution  # a later unnamed change is not someone's answer


def test_attribution_and_settings_round_trip_and_are_checked(plan, tmp_path):
    import pytest

    from deflect_cli.errors import PlanError

    plan.set_answer("profile.agency", "RPD", by="Dana")
    plan.settings = {"author": "Dana", "attribution": "hide"}
    save_plan(plan)
    loaded = load_plan(plan.path)
    assert loaded.attribution["profile.agency"]["by"] == "Dana" and not loaded.attribution_shown
    bad = plan.path.read_text().replace("attribution: hide", "attribution: maybe")
    plan.path.write_text(bad)
    with pytest.raises(PlanError, match="settings"):
        load_plan(plan.path)


def test_resume_as_name_attributes_answers_from_a_file(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("profile:\n  agency: Riverton PD\n")
    cli("start", "--no-input")
    code, _, err = cli("resume", "--answers", "a.yaml", "--no-input", "--as", "Dana Ruiz")
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    assert plan.attribution["profile.agency"]["by"] == "Dana Ruiz", err


def test_review_and_export_show_contributors_unless_hidden(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("profile:\n  agency: Riverton PD\n  program_name: Open Door\n")
    cli("start", "--no-input")
    cli("resume", "--answers", "a.yaml", "--no-input", "--as", "Dana Ruiz")
    code, out, err = cli("review", "profile")
    assert code == 0, err
    assert "Answered by: Dana Ruiz (2 answers)" in out
    code, out, err = cli("export", "-o", "-")
    assert "## Appendix: who answered" in out and "Dana Ruiz (2 answers)" in out
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    plan.settings["attribution"] = "hide"
    save_plan(plan)
    code, out, err = cli("export", "-o", "-")
    assert code == 0, err
    assert "who answered" not in out and "Dana Ruiz" not in out


def test_a_team_plan_asks_the_name_once_in_a_terminal_and_remembers_it(tmp_path, content, monkeypatch):
    from deflect_cli.session import console, opening

    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    plan.set_answer("profile.agency", "RPD", by="Lane County Health")  # someone is already named
    monkeypatch.setattr(console, "terminal", lambda no_input=False: True)
    monkeypatch.setattr(opening.typer, "prompt", lambda *a, **k: "Dana Ruiz")
    opening.ask_name_once(plan)
    assert plan.settings["author"] == "Dana Ruiz" and plan.author == "Dana Ruiz"
    monkeypatch.setattr(opening.typer, "prompt",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked twice")))
    plan.author = None
    opening.ask_name_once(plan)  # remembered: not asked again
    fresh = new_plan(tmp_path / "other.yaml", content)
    opening.ask_name_once(fresh)  # a plan nobody was named in is never interrupted
    assert "author" not in fresh.settings
