"""The plan store: readable YAML, atomic saves, no silent overwrite, --plan and DEFLECT_PLAN."""

from __future__ import annotations

import os

import pytest

from deflect_cli.errors import PlanError
from deflect_cli.plan import files, model, store


def test_save_and_load_round_trip(plan):
    plan.set_answer("profile.agency", "Riverton PD")
    plan.set_answer("partnerships.roster", [{"name": "Clinic", "type": "treatment"}])
    plan.skip("profile.population")
    plan.position = "profile.setting"
    store.save_plan(plan)
    text = plan.path.read_text()
    assert f"deflect_plan: {model.SCHEMA_VERSION}" in text and text.rstrip().endswith("end_of_plan: true")
    loaded = store.load_plan(plan.path)
    assert loaded.answers == plan.answers
    assert loaded.skipped == ["profile.population"]
    assert loaded.position == "profile.setting"
    assert loaded.content_version == plan.content_version


def test_answering_a_skipped_question_unskips_it(plan):
    plan.skip("profile.agency")
    plan.set_answer("profile.agency", "PD")
    assert plan.skipped == []


def test_failure_between_temp_write_and_rename_leaves_old_plan(plan, monkeypatch):
    plan.set_answer("profile.agency", "First")
    store.save_plan(plan)
    before = plan.path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    plan.set_answer("profile.agency", "Second")
    with pytest.raises(PlanError, match="could not save: no space left on device"):
        store.save_plan(plan)
    assert plan.path.read_bytes() == before
    assert [p.name for p in plan.path.parent.iterdir()] == [plan.path.name]  # no temp file left


def test_truncated_plan_is_detected(plan):
    plan.set_answer("profile.agency", "PD")
    store.save_plan(plan)
    text = plan.path.read_text()
    plan.path.write_text(text[: text.index("end_of_plan")])
    with pytest.raises(PlanError, match="incomplete"):
        store.load_plan(plan.path)


def test_start_never_overwrites_without_force(cli, tmp_path):
    code, out, err = cli("start", "--no-input")
    assert code == 0 and "Started a new plan" in out and "missing" not in err  # no answers file: nothing is "missing"
    path = tmp_path / "deflection-plan.yaml"
    original = path.read_bytes()
    code, _, err = cli("start", "--no-input")
    assert code == 1 and "already exists" in err and "--force" in err
    assert path.read_bytes() == original
    code, out, _ = cli("start", "--no-input", "--force", "--yes")
    assert "kept as a snapshot" in out
    snapshot, = (tmp_path / ".deflection-plan.yaml.snapshots").iterdir()
    assert snapshot.read_bytes() == original and ".start.pinned." in snapshot.name


def test_plan_path_from_option_and_environment(cli, tmp_path, monkeypatch):
    cli("start", "--no-input", "--plan", "mine.yaml")
    assert (tmp_path / "mine.yaml").exists()
    monkeypatch.setenv("DEFLECT_PLAN", str(tmp_path / "env.yaml"))
    cli("start", "--no-input")
    assert (tmp_path / "env.yaml").exists()
    code, out, _ = cli("status")
    assert code == 0 and "env.yaml" in out


def test_unwritable_folder_is_one_clear_line(cli, tmp_path):
    code, _, err = cli("start", "--no-input", "--plan", str(tmp_path / "nope" / "plan.yaml"))
    assert code == 1
    assert err.strip().count("\n") == 0 and "does not exist" in err and "Traceback" not in err


def test_resume_without_a_plan_says_how_to_start(cli):
    code, _, err = cli("resume")
    assert code == 1 and "deflect start" in err


def test_a_loaded_plan_saves_again(plan):
    plan.set_answer("program_types.models", ["qrt"])
    plan.set_answer("partnerships.roster", [{"name": "Clinic"}])
    store.save_plan(plan)
    loaded = store.load_plan(plan.path)
    loaded.set_answer("profile.agency", "PD")
    store.save_plan(loaded)
    assert store.load_plan(plan.path).answers["program_types"] == {"models": ["qrt"]}


def test_writing_to_a_device_or_pipe_never_replaces_it(tmp_path):
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    files.atomic_write(fifo, "hello")
    reader.join(5)
    assert received == [b"hello"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a regular file
