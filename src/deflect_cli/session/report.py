"""`deflect status` and the resume summary: how far along a plan is, as plain text.

Plain text (ASCII table, no color) keeps `status` fast (no rich import) and readable through a
pipe or a screen reader. Counts are taken over the questions that apply now, so they follow the
answers: choosing a program model that brings up five more questions adds five to the total.
"""

from __future__ import annotations

import datetime as _dt
import textwrap

from deflect_cli.controlchars import visible
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.plan.model import depth_text, plan_flag
from deflect_cli.session.console import wrap

_COUNTS = "  Answered  Skipped  Remaining  Done"


def saved_when(stamp: str, now=None) -> str:
    """`2026-03-01 14:02 (5 minutes ago)` from a plan's ISO timestamp; the text as is if unreadable."""
    if not stamp:
        return "not saved yet"
    try:
        when = _dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is None:
        when = when.astimezone()
    now = now or _dt.datetime.now(_dt.timezone.utc)
    seconds = (now - when).total_seconds()
    shown = when.astimezone().strftime("%Y-%m-%d %H:%M")
    if seconds < -60:
        return shown
    for limit, unit, size in ((60, None, 1), (3600, "minute", 60), (86400, "hour", 3600), (86400 * 14, "day", 86400)):
        if seconds < limit:
            if unit is None:
                return f"{shown} (just now)"
            n = int(seconds // size)
            return f"{shown} ({plural(n, unit)} ago)"
    return shown


def percent(part: int, whole: int) -> int:
    if not whole:
        return 100
    value = 100 * part / whole
    # Never show 100% while something is left, nor 0% once something is answered.
    return min(99, max(1, round(value))) if 0 < part < whole else round(value)


def plan_name(plan) -> str:
    profile = plan.answers.get("profile") or {}
    for key in ("program_name", "agency"):
        if isinstance(profile.get(key), str) and profile[key].strip():
            return profile[key].strip()
    return ""


def where(content, evaluation, question, sep: str = ", ") -> str:
    """"Section 3 of 12, question 4 of 9", counted over the questions that apply now, so the count
    grows or shrinks as answers bring questions up or hide them."""
    in_section = [q for q in evaluation.applicable if q.section_id == question.section_id]
    index = next((i for i, q in enumerate(in_section, 1) if q.key == question.key), None)
    section = next(s for s in content.all_sections if s.id == question.section_id)
    place = f"Section {section.number} of {len(content.sections)}" if section.number else section.title
    return f"{place}{sep}question {index} of {len(in_section)}" if index else place


def status_text(content, plan, columns=None) -> str:
    """`columns` is the terminal's width, or None through a pipe (lines as long as they need).
    In a terminal a long section title wraps inside its column and prose wraps at a space, so an
    80- or 60-column screen never cuts the table or a word in two."""
    content = content.worded(plan.answers)
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    rows = flow.progress(content, evaluation, plan.answers, plan.skipped)
    width = max(len("Section"), *(len(p.section.title) for p in rows))
    if columns:
        width = min(width, max(12, columns - 5 - len(_COUNTS)))
    name = plan_name(plan)
    lines = [f"Plan: {plan.path}" + (f" ({name})" if name else ""),
             f"Last saved: {saved_when(plan.updated)}", f"Depth: {depth_text(plan)}"
             + (f"; `deflect resume --full{plan_flag(plan.path)}` adds the rest of the workbook"
                if plan.core else ""), ""]
    header = f"{'#':>2}  {'Section':<{width}}{_COUNTS}"
    lines += [header, "-" * len(header)]
    for p in rows:
        number = f"{p.section.number:>2}" if p.section.number else " -"
        done = f"{percent(p.answered, p.total):>3}%" if p.total else "  --"
        title = textwrap.wrap(p.section.title, width) if columns else [p.section.title]
        lines.append(f"{number}  {title[0]:<{width}}  {p.answered:>8}  {p.skipped:>7}  {p.open:>9}  {done}")
        lines.extend(f"    {more}" for more in title[1:])
    answered = sum(p.answered for p in rows)
    skipped = sum(p.skipped for p in rows)
    remaining = sum(p.open for p in rows)
    total = sum(p.total for p in rows)
    lines += ["-" * len(header), ""]
    table = len(lines)  # the heading lines and the table, already laid out to fit
    lines.append(f"Overall: {answered} of {total} questions that apply are answered ({percent(answered, total)}%); "
                 f"{skipped} skipped for now, {remaining} still to answer.")
    checks = flow.firing_checks(content, evaluation)
    if checks:
        lines += ["", "Things to double-check:"]
        lines.extend(f"- {c.message}" for c in checks)
    lines += orphaned_lines(plan)
    lines += ["", next_step(content, plan, evaluation)]
    if columns:
        lines = lines[:table] + [part for line in lines[table:] for part in wrap(line, columns - 1)]
    return visible("\n".join(lines))  # answers, the plan's path and its stamps reach the terminal


# ---- issue 6 (content changes): answers set aside by deflect_cli.plan.migrate, listed so none is forgotten


def orphaned_lines(plan) -> list:
    """Answers set aside because their question left the workbook or changed (empty if none)."""
    if not getattr(plan, "orphaned", None):
        return []
    from deflect_cli.plan.migrate import preview

    lines = ["", f"Set aside ({len(plan.orphaned)}): earlier answers to questions that changed or left "
                 "the workbook; the exported plan lists them in an appendix."]
    lines.extend(f"- {e['question']}: {preview(e.get('answer'), 60)} ({e.get('reason') or 'set aside'})"
                 for e in plan.orphaned)
    return lines


def next_step(content, plan, evaluation) -> str:
    from deflect_cli.plan.model import plan_flag

    flag = plan_flag(plan.path)
    following = flow.first_open(evaluation, plan.answers, plan.skipped)
    if following is not None:
        return (f"Next: `deflect resume{flag}` continues at {where(content, evaluation, following)}: "
                f"{content.wording(following, plan.answers).prompt}")
    skipped = [q for q in evaluation.applicable if q.key in plan.skipped]
    if skipped:
        return (f"Next: every question has been reached; {len(skipped)} skipped for now. Settle them with "
                f"`deflect review{flag}`, or write the plan now with `deflect export --format md{flag}` "
                "(they are listed as still to decide).")
    return f"Next: `deflect export --format md{flag}` writes the plan document."


def resume_summary(content, plan, start, where_fn=None) -> list:
    """The welcome-back screen: what is done, where the person stopped, what comes next."""
    content = content.worded(plan.answers)
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    rows = flow.progress(content, evaluation, plan.answers, plan.skipped)
    name = plan_name(plan)
    describe = where_fn or (lambda q: where(content, evaluation, q))
    lines = [f"Plan: {plan.path}" + (f" ({name})" if name else ""),
             f"Last saved: {saved_when(plan.updated)}"]
    finished = [p for p in rows if p.total and not p.open]
    started = [p for p in rows if p.open and (p.answered or p.skipped)]
    untouched = [p for p in rows if p.open and not (p.answered or p.skipped)]
    answered = sum(p.answered for p in rows)
    total = sum(p.total for p in rows)
    lines.append(f"Answered so far: {answered} of {total} questions that apply ({percent(answered, total)}%).")
    if finished:
        lines.append(f"Sections done: {_names(finished)}.")
    if started:
        lines.append("In progress: " + "; ".join(
            f"{_name(p)} ({p.answered} of {p.total} answered)" for p in started) + ".")
    if untouched:
        lines.append(f"Not started yet: {_names(untouched)}.")
    stopped = content.question(plan.position) if plan.position else None
    if stopped is not None and evaluation.applies(stopped) and (start is None or stopped.key != start.key):
        lines.append(f"You stopped at: {describe(stopped)}: {stopped.prompt}")
    if start is not None:
        lines.append(f"Next: {describe(start)}: {content.wording(start, plan.answers).prompt}")
    return [visible(line) for line in lines]


def _name(p) -> str:
    return p.section.heading()


def _names(progress: list) -> str:
    """Section numbers as ranges ("About this plan, 1-3, 5"); titles if only one or two."""
    if len(progress) <= 2:
        return ", ".join(_name(p) for p in progress)
    names = [p.section.title for p in progress if not p.section.number]
    numbers = [p.section.number for p in progress if p.section.number]
    runs: list = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    names += [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
    prefix = "sections " if numbers else ""
    return ", ".join(names[: len(names) - len(runs)] + ([prefix + ", ".join(names[len(names) - len(runs):])]
                                                        if runs else []))
