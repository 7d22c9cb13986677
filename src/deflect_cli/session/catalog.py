"""What the content holds, as plain text: `deflect sections` and `deflect lint`."""

from __future__ import annotations

from deflect_cli.session.console import say


def sections_text(content) -> str:
    """One line per section (number, id, questions, things to fill, core questions, title), the
    totals, and where the content comes from."""
    from deflect_cli.content.model import things_to_fill
    from deflect_cli.content.resources import PROVENANCE

    width = max(len(s.id) for s in content.all_sections)
    lines = []
    for section in content.all_sections:
        number = f"{section.number:>2}" if section.number else " -"
        core = sum(1 for q in section.questions if q.core)
        lines.append(f"{number}  {section.id:<{width}}  {len(section.questions):>3} questions  "
                     f"{things_to_fill(section.questions):>3} to fill  {core:>2} core  {section.title}")
    questions = list(content.questions())
    lines.append(f"{len(questions)} questions in all; {things_to_fill(questions)} things to fill (prompts and "
                 f"required table cells); {sum(1 for q in questions if q.core)} on the core path "
                 "(`deflect start --core`).")
    lines.append(PROVENANCE)
    return "\n".join(lines)


def lint(content_dir, against) -> int:
    """Check the content in `content_dir` (always a real parse, never the cache; a problem is a
    ContentError) and, with `against`, list every change since that content that would set saved
    answers aside. The exit code: 1 when there are such changes."""
    from deflect_cli.content import resources

    content = resources.load(content_dir, use_cache=False)
    questions = sum(1 for _ in content.questions())
    checks = sum(1 for _ in content.all_checks())
    say(f"{len(content.sections)} sections, {questions} questions, {checks} checks: no problems found.")
    if not against:
        return 0
    from deflect_cli.plan.migrate import compare_content

    changes = compare_content(resources.load(against, use_cache=False), content)
    for change in changes:
        say(change, err=True)
    if changes:
        say(f"deflect: {len(changes)} change(s) since {against} would set saved answers aside; plans keep "
            "them (shown by `deflect status`), but add `renamed_from` or keep the old type where you can.",
            err=True)
        return 1
    say(f"Compared with {against}: every saved answer still fits.")
    return 0
