"""A plan opened for a command that may change it: the single-writer lock, the plan reconciled with
the content, who is answering, and a wizard session run on it.

Shared by start, resume, review, edit, import and merge, so each says the lock's warnings, the
content's changes and the name question the same way.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Optional

import typer

from deflect_cli.session import console
from deflect_cli.session.console import say


@contextmanager
def writing(path, command: str):
    """The single-writer lock held while a command may change the plan, and its warnings said once."""
    from deflect_cli.plan.lock import notes, plan_lock

    with plan_lock(path, command):
        for note in notes(path):
            say(note, err=True)
        yield


def ask_name_once(plan) -> None:
    """In a terminal, once per plan that already records who answered (a team plan), ask who is
    answering and remember it in the plan; an empty answer is remembered too, and never asked again."""
    if plan.author or "author" in plan.settings or not plan.attribution or not console.terminal():
        return
    say("This plan records who gave each answer.")
    try:
        name = str(typer.prompt("Your name, recorded with the answers you give (Enter to leave it out)",
                                default="", show_default=False)).strip()
    except (typer.Abort, EOFError):
        say()
        name = ""
    plan.settings["author"] = name
    plan.author = name or None


def open_for_writing(content, path, command: str, as_name: Optional[str] = None):
    """Under the lock: the plan reconciled with the content, what changed said and saved. Answers
    changed from here on are attributed to `as_name`, else to the name remembered in the plan."""
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.store import refuse_read_only, save_plan

    plan, changes = open_plan(content, path)
    plan.author = (as_name or plan.settings.get("author") or "").strip() or None
    refuse_read_only(path)  # before any question is asked, not at the first save
    plan.session_command = command
    for line in changes.lines():
        say(line)
    if changes:
        save_plan(plan)
    return plan


def wizard(content, plan, plain: bool):
    from deflect_cli.session.interface import use_plain
    from deflect_cli.session.wizard import Wizard

    return Wizard(content, plan, plain=use_plain(plain))


def run_action(content, path, command: str, plain: bool, action, as_name: Optional[str] = None) -> int:
    """Hold the plan's lock and run one wizard action on it; the exit code: Ctrl-C 130 with answers
    saved, Ctrl-D or the end of piped input 0."""
    from deflect_cli.session.prompter import Interrupted

    with writing(path, command):
        plan = open_for_writing(content, path, command, as_name)
        ask_name_once(plan)
        session = wizard(content, plan, plain)
        try:
            action(session)
            code = 0
        except Interrupted as stop:
            code = stop.code
    return session.signed_off(code)
