"""`deflect import` and `deflect merge`: another person's answers brought into the plan.

Both compare the other side with the plan (three ways: what was sent or the common base, what
came back, what the plan holds now), list every outcome, let a person choose each conflict in a
terminal, confirm (or --yes), pin a snapshot and apply. Nothing is overwritten silently.
"""

from __future__ import annotations

from typing import Optional

import typer

from deflect_cli.errors import DeflectError
from deflect_cli.session import console
from deflect_cli.session.console import say
from deflect_cli.session.opening import open_for_writing, writing


def import_packet(content, path, file, yes: bool, as_name: Optional[str]) -> None:
    """Read a returned partner packet and apply what it changes to the plan at `path`."""
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan import packetread
    from deflect_cli.plan.store import load_plan

    returned = packetread.read(file)
    packetread.columns_by_position(returned, content)
    if not path.exists():
        load_plan(path)
    header = returned.header
    who = (as_name or (header.recipient if header else "") or "").strip()
    with writing(path, "import"):
        plan = open_for_writing(content, path, "import")
        outcomes = packets.compare(content, plan, returned)
        if header is None:
            say(f"{file} carries no packet header (its hidden part was lost), so there is no record of what "
                "was sent: every difference from the plan is a conflict.")
        else:
            say(f"Packet {header.id} for {header.recipient or 'a partner'} ({len(header.codes)} questions):")
            if header.version != content.version:
                say(f"It was made with workbook version {header.version}; this is {content.version}.")
        apply_outcomes(path, plan, outcomes, who, header.id if header else "without header", "import", yes)


def merge_copy(content, path, other_file, base_file, yes: bool, as_name: Optional[str]) -> None:
    """Bring the answers of another copy of the plan (`other_file`) into the plan at `path`."""
    from deflect_cli.plan import merge as merging
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.migrate import reconcile
    from deflect_cli.plan.store import load_plan

    other = load_plan(other_file, hint_backup=False)
    reconcile(content, other)
    if not path.exists():
        load_plan(path)
    with writing(path, "merge"):
        plan = open_for_writing(content, path, "merge", as_name)
        if base_file is not None:
            base = merging.base_from_file(base_file, content)
            say(f"Base: {base_file}.")
        else:
            found = merging.find_base(path, plan, other_file, other)
            base = found.answers if found is not None else None
            if found is None:
                say(f"No common earlier version of {path} and {other_file} was found among their snapshots, "
                    "so every difference is a conflict (name one with --base FILE).")
            else:
                from deflect_cli.plan.model import describe

                say(f"Base: the version both copies share ({describe(found)}).")
        returned = merging.as_returned(content, other, base, str(other_file))
        outcomes = packets.compare(content, plan, returned)
        if not as_name:
            plan.author = None  # the other copy's answers keep who gave them there, not this session's name
        apply_outcomes(path, plan, outcomes, (as_name or "").strip(), f"merge of {other_file}", "merge", yes,
                       other.attribution, theirs="other")


def apply_outcomes(path, plan, outcomes, who: str, source: str, command: str, yes: bool,
                   attribution: Optional[dict] = None, theirs: str = "returned") -> None:
    """List the outcomes, let a person choose each conflict in a terminal, confirm (or --yes), pin a
    snapshot, apply and save. Call with the plan's lock held."""
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import current, pin, save_plan

    for line in packets.report(outcomes, theirs=theirs):
        say(line)
    choices = {}
    conflicts = [o for o in outcomes if o.kind == packets.CONFLICT]
    interactive = console.terminal()
    if conflicts and interactive:
        for o in conflicts:
            pick = _pick_conflict(o, theirs)
            if pick:
                choices[id(o)] = pick
    count = packets.changes(outcomes) + len(choices)
    left = len(conflicts) - len(choices)
    if not count and not left:
        say(f"Nothing to change in {path}.")
        return
    what = f"{count} change(s)" + (f" and {left} conflict(s) to keep among the set-aside answers" if left else "")
    if not yes:
        if not interactive:
            raise DeflectError(f"{what} for {path}; run again with --yes to apply them (conflicts are never "
                               "applied without a choice; nothing was changed).")
        if not console.confirm(f"Apply {what} to {path}? A snapshot is kept first."):
            raise DeflectError(f"{path} was not changed.")
    raw, _ = current(path)
    pin(path, raw, command)
    plan.loaded_bytes = None  # the pinned snapshot already holds it
    counts = packets.apply(plan, outcomes, who, source, choices, attribution)
    save_plan(plan)
    say(f"Applied {counts['applied']} change(s) to {path}" + (f", answered by {who}" if who else "") + ".")
    if counts["conflicts left"]:
        say(f"{counts['conflicts left']} conflict(s) left: the plan keeps its answer; the other is kept among "
            f"the set-aside answers (`deflect status{plan_flag(path)}` lists them).")
    say(f"The plan before the {command} is kept as a pinned snapshot; `deflect restore --list{plan_flag(path)}` "
        "shows it.")


def _pick_conflict(o, theirs: str = "returned") -> str:
    """Side by side in a terminal: keep the plan's answer or take the returned one."""
    from deflect_cli.plan import packet as packets

    say(f"\nConflict on {o.code} {o.key}" + (f" row {o.number}" if o.number else "") + ":")
    say(f"  1. keep the plan's:  {packets.say(o.question, o.current)}")
    say(f"  2. take {theirs + ':':<13}{packets.say(o.question, o.returned)}")
    say(f"     (sent:            {packets.say(o.question, o.sent)})")
    picked = ""
    while picked not in ("1", "2"):
        try:
            picked = str(typer.prompt("Keep which (1 or 2)", default="1")).strip()
        except (typer.Abort, EOFError):
            say()
            raise DeflectError("stopped; nothing was changed.") from None
    return "returned" if picked == "2" else ""
