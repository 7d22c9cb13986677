"""Non-interactive use: --answers FILE fills what it can and lists every problem at once."""

from __future__ import annotations

import yaml

from conftest import FIXTURES

MINI = str(FIXTURES / "mini")


def write(tmp_path, data) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_complete_answers_exit_zero(cli, tmp_path):
    answers = write(tmp_path, {
        "profile": {"agency": "Riverton PD"},
        "models": {"chosen": ["qrt"], "qrt_window": 48},
        "launch": {"start_date": "2027-03-01"},
    })
    code, out, err = cli("start", "--content", MINI, "--answers", answers)
    assert code == 0, err
    assert "Saved 4 answers" in out
    saved = yaml.safe_load((tmp_path / "deflection-plan.yaml").read_text())
    assert saved["answers"]["models"] == {"chosen": ["qrt"], "qrt_window": 48}


def test_every_missing_and_invalid_answer_is_listed(cli, tmp_path):
    answers = write(tmp_path, {
        "profile": {"agency": "Riverton PD", "nickname": "x"},
        "models": {"lead": "helicopter", "qrt_window": 500},
        "launch": {"start_date": "next spring"},
        "nowhere": {"a": 1},
    })
    code, out, err = cli("start", "--content", MINI, "--answers", answers, "--no-input")
    assert code == 1
    lines = err.splitlines()
    assert any("unknown question profile.nickname" in line for line in lines)
    assert any("models.lead: 'helicopter' is not one of" in line for line in lines)
    assert any("models.qrt_window: must be at most 168" in line for line in lines)
    assert any("launch.start_date: expected a date as YYYY-MM-DD" in line for line in lines)
    assert any("unknown section 'nowhere'" in line for line in lines)
    assert any(line.startswith("missing: models.chosen") for line in lines)
    assert any(line.startswith("missing: launch.start_date") for line in lines)
    assert "Saved 1 answer to" in out  # the valid one was kept


def test_no_terminal_never_prompts(cli):
    # CliRunner's stdin is not a terminal: start must not hang; with no answers file given, nothing is
    # "missing" yet: it says the plan was started and how to continue.
    code, out, err = cli("start", "--content", MINI)
    assert code == 0 and "missing" not in err and "Started a new plan" in out and "deflect resume" in out


def test_unreadable_answers_file_is_one_line(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("profile: [unclosed\n")
    code, _, err = cli("start", "--content", MINI, "--answers", str(bad))
    assert code == 1 and err.count("\n") == 1 and "bad.yaml:" in err
    code, _, err = cli("start", "--content", MINI, "--answers", str(tmp_path / "none.yaml"))
    assert code == 1 and "answers file not found" in err
