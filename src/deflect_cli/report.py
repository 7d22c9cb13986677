"""`deflect status`: progress per section, checks that fire and the next step, as plain text.

Plain text keeps `status` fast (no rich import) and readable through a pipe or a screen reader.
"""

from __future__ import annotations

from deflect_cli import flow


def status_text(content, plan) -> str:
    evaluation = flow.evaluate(content, plan.answers)
    rows = flow.progress(content, evaluation, plan.answers, plan.skipped)
    width = max(len(p.section.title) for p in rows)
    lines = [f"Plan: {plan.path}", f"Last saved: {plan.updated or 'never'}", ""]
    lines.append(f"{'#':>2}  {'Section':<{width}}  answered  skipped  to do")
    for p in rows:
        number = f"{p.section.number:>2}" if p.section.number else " -"
        lines.append(f"{number}  {p.section.title:<{width}}  {p.answered:>8}  {p.skipped:>7}  {p.open:>5}")
    answered = sum(p.answered for p in rows)
    total = sum(p.total for p in rows)
    percent = round(100 * answered / total) if total else 100
    lines.append("")
    lines.append(f"{answered} of {total} questions that apply are answered ({percent}%).")
    checks = flow.firing_checks(content, evaluation)
    if checks:
        lines.append("")
        lines.append("Things to double-check:")
        lines.extend(f"- {c.message}" for c in checks)
    lines.append("")
    following = flow.first_open(evaluation, plan.answers, plan.skipped)
    if following is not None:
        lines.append(f"Next: `deflect resume` continues at {following.key}: {following.prompt}")
    else:
        lines.append("Next: `deflect export --format md` writes the plan document.")
    return "\n".join(lines)
