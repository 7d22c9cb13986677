"""`deflect restore`: list the plan's snapshots, or put one back.

A damaged plan gets the newest copy that loads; a plan that is not damaged is replaced only with
--force or a confirmation in a terminal, and the plan a restore replaces is kept as a snapshot.
"""

from __future__ import annotations

from typing import Optional

import typer

from deflect_cli.errors import DeflectError
from deflect_cli.session import console
from deflect_cli.session.console import say
from deflect_cli.session.opening import writing
from deflect_cli.session.start import answers_or_damaged


def list_copies(path) -> None:
    """Every copy of the plan at `path` that can be restored, newest first, and how to put one back."""
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import restorable

    copies = restorable(path)
    if not copies:
        say(f"No snapshots of {path} yet: one is kept at the first save of every session.")
        return
    say(f"Copies of {path} you can restore, newest first:")
    _list(copies)
    say(f"Put one back with `deflect restore N{plan_flag(path)}`; the current plan is kept as a snapshot first.")


def restore(path, number: Optional[int], snapshot: Optional[str], force: bool) -> None:
    """Put copy `number` (or the one named `snapshot`, else the newest that loads) back at `path`."""
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import current, restorable, restore_copy

    if path.is_dir():
        raise DeflectError(f"{path}: is a folder, not a plan file; give a file name with --plan.")
    nothing = f"{path}: there is no snapshot to restore yet (one is kept at the first save of every session)."
    if not path.exists() and not restorable(path):
        raise DeflectError(nothing)  # before a lock file is made where there is no plan
    with writing(path, "restore"):
        copies = restorable(path)
        if not copies:
            raise DeflectError(nothing)
        _, now = current(path)
        chosen = _choose_copy(copies, number, snapshot, path,
                              ask=console.terminal() and number is None and not snapshot)
        if now is not None and not force:
            what = f"copy {chosen.number} ({chosen.describe()})"
            if not console.terminal():
                raise DeflectError(f"{path} is not damaged ({answers_or_damaged(now)}); to replace it with {what} "
                                   f"run `deflect restore {chosen.number} --force{plan_flag(path)}`.")
            if not console.confirm(f"Replace {path} ({answers_or_damaged(now)}) with {what}? "
                                   "The current plan is kept as a snapshot."):
                raise DeflectError(f"{path} was not replaced; nothing was changed.")
        kept = restore_copy(path, chosen)
    say(f"Restored {path} from copy {chosen.number} ({chosen.describe()}).")
    if kept is not None:
        say("The file it replaced is kept as a pinned snapshot; "
            f"`deflect restore --list{plan_flag(path)}` shows every copy.")


def _list(copies) -> None:
    for copy in copies:
        say(f"{copy.number:>4}  {copy.describe()}")


def _choose_copy(copies, number, name, path, ask: bool):
    """The copy asked for (by number or name), else the newest that loads; in a terminal, ask."""
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import newest_good

    good = newest_good(copies)
    if good is None and not name and number is None:
        raise DeflectError(f"no copy of {path} loads ({len(copies)} kept); "
                           f"`deflect restore --list{plan_flag(path)}` says why.")
    if name:
        found = next((c for c in copies if c.name == name), None)
        if found is None:
            raise DeflectError(f"no copy named {name!r}; `deflect restore --list{plan_flag(path)}` lists them.")
    elif number is not None:
        if not 1 <= number <= len(copies):
            raise DeflectError(f"there is no copy {number} (there are {len(copies)}); "
                               f"`deflect restore --list{plan_flag(path)}` lists them.")
        found = copies[number - 1]
    elif ask:
        found = _ask_copy(copies, good, path)
    else:
        found = good
    if found.plan is None:
        raise DeflectError(f"copy {found.number} ({found.name}) cannot be restored: {found.problem}.")
    return found


def _ask_copy(copies, good, path):
    say(f"Copies of {path} you can restore, newest first:")
    _list(copies)
    picked = 0
    while not 1 <= picked <= len(copies):
        try:
            picked = typer.prompt("Restore which copy", default=(good or copies[0]).number, type=int)
        except (typer.Abort, EOFError):
            say()
            raise DeflectError(f"{path} was not replaced; nothing was changed.") from None
        if not 1 <= picked <= len(copies):
            say(f"Type a number from 1 to {len(copies)}.")
    return copies[picked - 1]
