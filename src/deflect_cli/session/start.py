"""`deflect start` and `deflect resume`: the steps before the wizard's first question.

Start: refuse to replace a plan silently (confirm, or --yes without a terminal; the old plan is
pinned as a snapshot), choose the depth (core or full), fill from an answers file, then welcome.
Resume: the plan reconciled under the lock, a core plan deepened on request, an answers file
applied, then a summary of where the person is. Without a terminal both report what is still
missing instead of asking. Each returns the command's exit code.
"""

from __future__ import annotations

from typing import Optional

import typer

from deflect_cli.errors import DeflectError
from deflect_cli.session import console
from deflect_cli.session.console import say
from deflect_cli.session.opening import ask_name_once, open_for_writing, wizard, writing
from deflect_cli.session.prompter import Interrupted

DEPTH_CHOICES = (("core", "A first plan in about 45 minutes (core questions)"), ("full", "The full workbook"))


def start_plan(content, path, *, force: bool, yes: bool, answers, no_input: bool, plain: bool,
               as_name: Optional[str], core: bool, full: bool) -> int:
    """A new plan at `path`, its welcome and its questions; the exit code."""
    from deflect_cli.plan.intake import apply_answers, read_answers_file
    from deflect_cli.plan.model import new_plan, plan_flag
    from deflect_cli.plan.store import save_plan

    data = read_answers_file(answers) if answers else {}
    if path.is_dir():
        raise DeflectError(f"{path}: is a folder; give a file name with --plan.")
    with writing(path, "start"):
        try:
            if path.exists():
                depth = _replace(content, path, force, yes, no_input, core, full)
            else:
                depth = choose_depth(content, core, full, no_input, "No plan was started.")
        except Interrupted as stop:
            return stop.code
        plan = new_plan(path, content, depth)
        plan.author = (as_name or "").strip() or None
        problems = apply_answers(content, plan, data, str(answers)) if answers else []
        save_plan(plan)
        if not console.interactive(no_input, plain):
            if not answers:
                say(f"Started a new plan in {path}. Answer its questions with `deflect resume{plan_flag(path)}` "
                    "in a terminal (add --plain to type them through a pipe), or fill them from a file "
                    f"with `deflect resume --answers FILE{plan_flag(path)}`.")
                return 0
            return report_fill(content, plan, problems)
        for problem in problems:
            say(f"invalid: {problem}", err=True)
        return wizard(content, plan, plain).run(welcome=True)


def _replace(content, path, force: bool, yes: bool, no_input: bool, core: bool, full: bool) -> str:
    """Before a new plan takes the place of the one at `path`: --force, then a confirmation (or --yes),
    then the depth; the old plan is pinned as a snapshot. The new plan's depth."""
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import current, pin, refuse_read_only

    if not force:
        raise DeflectError(
            f"{path} already exists. Continue it with `deflect resume{plan_flag(path)}`, or start over "
            f"with `deflect start --force{plan_flag(path)}` (the old plan is kept as a snapshot)."
        )
    refuse_read_only(path)
    raw, old = current(path)
    what = answers_or_damaged(old)
    if not yes:
        if not console.terminal(no_input):
            raise DeflectError(f"{path} holds a plan ({what}); to replace it without a terminal add --yes "
                               "(a snapshot is kept; `deflect restore` brings it back). Nothing was changed.")
        if not console.confirm(f"Replace {path} ({what})? A snapshot is kept; "
                               f"`deflect restore{plan_flag(path)}` brings it back."):
            raise DeflectError(f"{path} was not replaced; nothing was changed.")
    depth = choose_depth(content, core, full, no_input, f"{path} was not replaced; nothing was changed.")
    pin(path, raw, "start")
    say(f"The previous plan ({what}) is kept as a snapshot; `deflect restore{plan_flag(path)}` brings it back.")
    return depth


def choose_depth(content, core: bool, full: bool, no_input: bool, nothing_done: str) -> str:
    """`--core` / `--full`, else asked in a terminal; without one the full workbook (scripts stay as they
    were). Content that marks no core question has only the full workbook, so nothing is asked.
    Ctrl-C or the end of input at the question say `nothing_done` and raise Interrupted."""
    if core and full:
        raise DeflectError("choose one of --core and --full.")
    has_core = any(q.core for q in content.questions())
    if core and not has_core:
        raise DeflectError(f"{content.root}: this content marks no question `core: true`, so it has no core "
                           "path; start without --core.")
    if core or full:
        return "core" if core else "full"
    if not has_core or not console.terminal(no_input):
        return "full"
    say("How far do you want to go now?")
    for number, (_, label) in enumerate(DEPTH_CHOICES, 1):
        say(f"  {number}. {label}")
    say("A core plan can be deepened later with `deflect resume --full`.")
    while True:
        try:
            picked = str(typer.prompt("Choose 1 or 2", default="1")).strip()
        except (typer.Abort, EOFError, KeyboardInterrupt):
            say()
            say(nothing_done)
            raise Interrupted() from None
        if picked in ("1", "2"):
            return DEPTH_CHOICES[int(picked) - 1][0]
        say("Type 1 for the core questions or 2 for the full workbook.")


def answers_or_damaged(plan) -> str:
    """What a plan about to be replaced holds, for the question that asks first."""
    from deflect_cli.plan.model import answers_text

    return answers_text(plan.answer_count()) if plan is not None else "a damaged file, not a whole plan"


def report_fill(content, plan, problems: list) -> int:
    """After a non-interactive fill: list every invalid and missing answer; exit code 0 only if none."""
    from deflect_cli.plan import flow

    evaluation = flow.evaluate(content, plan.answers, plan.core)
    missing = flow.missing_required(evaluation, plan.answers)
    for problem in problems:
        say(f"invalid: {problem}", err=True)
    for question in missing:
        say(f"missing: {question.key} (required): {content.wording(question, plan.answers).prompt}", err=True)
    answered = sum(len(v) for v in plan.answers.values())
    say(f"Saved {answered} answer{'' if answered == 1 else 's'} to {plan.path}.")
    if problems or missing:
        say(f"{len(missing)} required answer{'' if len(missing) == 1 else 's'} missing and {len(problems)} invalid; "
            "add them to the answers file, or run `deflect resume` in a terminal.", err=True)
        return 1
    say("Every required answer is in. Write the plan with `deflect export --format md`.")
    return 0


def resume_plan(content, path, *, answers, no_input: bool, plain: bool, as_name: Optional[str],
                full: bool) -> int:
    """Continue the plan at `path` where it was left; the exit code."""
    from deflect_cli.plan import flow
    from deflect_cli.plan.intake import apply_answers, read_answers_file
    from deflect_cli.plan.store import load_plan, save_plan

    if not path.exists():
        load_plan(path)  # "no plan here: start one", before a lock file is made beside it
    with writing(path, "resume"):
        plan = open_for_writing(content, path, "resume", as_name)
        if console.interactive(no_input, plain):
            ask_name_once(plan)
        if full and plan.core:
            plan.depth = "full"
            save_plan(plan)
            say("This plan now follows the full workbook; every core answer is kept.")
        problems = []
        if answers:
            problems = apply_answers(content, plan, read_answers_file(answers), str(answers))
            save_plan(plan)
        if not console.interactive(no_input, plain):
            return report_fill(content, plan, problems)
        evaluation = flow.evaluate(content, plan.answers, plan.core)
        start_at = flow.first_open(evaluation, plan.answers, plan.skipped)
        if start_at is None:
            skipped = len(flow.still_to_decide(evaluation, plan.answers, plan.skipped))
            note = f" ({skipped} skipped for now)" if skipped else ""
            say(f"Every question in {path} has been answered or skipped{note}.")
            say("Check or change answers with `deflect review`; "
                "write the plan document with `deflect export --format md`.")
            return 0
        session = wizard(content, plan, plain)
        session.welcome_back(start_at)
        return session.run(start=start_at)
