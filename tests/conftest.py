"""Shared fixtures: the bundled content, a plan in a temp folder, piped keystrokes, the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deflect_cli.content import resources
from deflect_cli.plan.model import new_plan

FIXTURES = Path(__file__).parent / "fixtures"
DOWN, UP, ENTER, SPACE, ESC = "\x1b[B", "\x1b[A", "\r", " ", "\x1b"
CTRL_B, CTRL_N, CTRL_Q, CTRL_C, CTRL_D = "\x02", "\x0e", "\x11", "\x03", "\x04"


@pytest.fixture(scope="session")
def content():
    return resources.load()


@pytest.fixture
def plan(tmp_path, content):
    return new_plan(tmp_path / "deflection-plan.yaml", content)


@pytest.fixture
def keys():
    """Type into every prompt_toolkit prompt created inside the test; closing the pipe after the
    last chunk makes a missing keystroke an EOFError instead of a hang."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        with create_app_session(input=pipe, output=DummyOutput()):
            def send(*chunks: str) -> None:
                for chunk in chunks:
                    pipe.send_text(chunk)
                pipe.close()

            yield send


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `deflect ARGS` in-process from a temp folder; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from deflect_cli.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFLECT_PLAN", raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        resources.load.cache_clear()  # each real command is a fresh process
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def deflect_bin():
    """The installed `deflect` executable next to this Python."""
    import shutil
    import sys

    candidate = Path(sys.executable).parent / "deflect"
    found = str(candidate) if candidate.exists() else shutil.which("deflect")
    if not found:
        pytest.skip("the deflect console script is not installed")
    return found


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFLECT_")}
    env.update(extra)
    return env


def spawn(deflect_bin, args, cwd, term: str = "xterm-256color"):
    """The real `deflect` in a 120x40 pseudo-terminal (pexpect), echoed with `pytest -s`."""
    import sys

    import pexpect

    child = pexpect.spawn(
        deflect_bin, args, cwd=str(cwd), dimensions=(40, 120), encoding="utf-8", timeout=20,
        env=clean_env(TERM=term, COLUMNS="120", LINES="40"),
    )
    child.logfile_read = sys.stdout if "-s" in sys.argv else None
    return child


def answer_mini_models(child) -> None:
    """The keystrokes every e2e walk of the mini workbook starts with: the lead agency, then section 1
    up to its last question ("Which one leads"), which is left on screen unanswered."""
    child.expect("Lead agency")
    child.send("Riverton PD" + ENTER)
    child.expect("How would you like to begin this section")
    child.send(ENTER)
    child.expect("Which models")
    child.send(SPACE + ENTER)
    child.expect("How many hours after an overdose")
    child.send("48" + ENTER)
    child.expect("Which one leads")


def screen_wizard(content, tmp_path, width: int = 100):
    """A Wizard on a fresh plan whose screen output is kept in `wizard.screen` for assertions."""
    import io

    from rich.console import Console

    from deflect_cli.session.wizard import Wizard

    screen = io.StringIO()
    wizard = Wizard(content, new_plan(tmp_path / "plan.yaml", content), console=Console(file=screen, width=width))
    wizard.screen = screen
    return wizard


def no_ids(value):
    """Answers without their table rows' ids (`_id`, plan format 3), for comparing with what was typed."""
    if isinstance(value, dict):
        return {k: no_ids(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, list):
        return [no_ids(v) for v in value]
    return value


def riverton_plan(path, content=None):
    """The complete Riverton plan, saved at `path`: tests/fixtures/riverton-answers.yaml was written for
    the older workbook (2026.12), so it is opened the way such a plan is, with its answers carried into
    workbook 2's places (migrate.reconcile) and the rest set aside with their text."""
    import yaml

    from deflect_cli.content import resources
    from deflect_cli.plan.migrate import reconcile
    from deflect_cli.plan.store import save_plan

    content = content or resources.load()
    plan = new_plan(path, content)
    plan.answers = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text(encoding="utf-8"))
    reconcile(content, plan)
    for key in [f"{s}.{q}" for s, qs in plan.answers.items() for q, v in qs.items() if isinstance(v, list)]:
        plan.set_answer(key, plan.answer(*key.split(".", 1)))  # table rows get their row ids
    save_plan(plan)
    return path
