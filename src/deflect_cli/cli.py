"""The `deflect` command: parses options and hands over to the layers. No business rules here.

Only typer is imported at module level; everything heavier is imported inside the command that
needs it, so `deflect --help` and `deflect status` start fast.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from deflect_cli.errors import ContentError, DeflectError


class _Group(TyperGroup):
    """Turns expected failures into one clear line per problem and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ContentError as exc:
            for problem in exc.problems:
                typer.echo(problem, err=True)
            typer.echo(f"deflect: the content has {len(exc.problems)} problem(s); nothing was changed.", err=True)
            raise typer.Exit(exc.exit_code) from None
        except DeflectError as exc:
            typer.echo(f"deflect: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    name="deflect",
    help="Plan a deflection or pre-arrest diversion program with the PAARI guide and its planning workbook.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)

PlanOption = typer.Option(None, "--plan", envvar="DEFLECT_PLAN", metavar="PATH",
                          help="Plan file (default: ./deflection-plan.yaml, or $DEFLECT_PLAN).")
ContentOption = typer.Option(None, "--content", metavar="DIR", help="Use content from DIR instead of the bundled guide.")
PlainOption = typer.Option(
    False, "--plain",
    help="Plain mode for screen readers and plain terminals: numbered choices, typed commands "
         "(back, skip, menu, help, quit), no colour. Also on when TERM=dumb or NO_COLOR is set. "
         "Reads answers line by line, so keystrokes can be piped in.")


def _content(content_dir: Optional[str]):
    from deflect_cli import resources

    return resources.load(content_dir)


def _say(message: str = "", err: bool = False) -> None:
    typer.echo(message, err=err)


def _interactive(no_input: bool, plain: bool = False) -> bool:
    """Prompt only in a terminal; `--plain` reads lines, so it also works from a pipe."""
    if no_input:
        return False
    return plain or (sys.stdin.isatty() and sys.stdout.isatty())


def _wizard(content, plan, plain: bool):
    from deflect_cli.prompter import use_plain
    from deflect_cli.wizard import Wizard

    return Wizard(content, plan, plain=use_plain(plain))


@contextmanager
def _writing(path, command: str):
    """The single-writer lock held while a command may change the plan, and its warnings said once."""
    from deflect_cli.lock import notes, plan_lock

    with plan_lock(path, command):
        for note in notes(path):
            _say(note, err=True)
        yield


def _report_fill(content, plan, problems: list) -> int:
    """After a non-interactive fill: list every invalid and missing answer; exit code 0 only if none."""
    from deflect_cli import flow

    evaluation = flow.evaluate(content, plan.answers)
    missing = flow.missing_required(evaluation, plan.answers)
    for problem in problems:
        _say(f"invalid: {problem}", err=True)
    for question in missing:
        _say(f"missing: {question.key} (required): {question.prompt}", err=True)
    answered = sum(len(v) for v in plan.answers.values())
    _say(f"Saved {answered} answer(s) to {plan.path}.")
    if problems or missing:
        _say(f"{len(missing)} required answer(s) missing and {len(problems)} invalid; "
             "add them to the answers file, or run `deflect resume` in a terminal.", err=True)
        return 1
    _say("Every required answer is in. Write the plan with `deflect export --format md`.")
    return 0


@app.command()
def start(
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    force: bool = typer.Option(False, "--force", help="Replace an existing plan (the old one is kept as <name>.bak)."),
    answers: Optional[Path] = typer.Option(None, "--answers", metavar="FILE", help="Fill answers from a YAML file first."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; report what is missing and exit."),
    plain: bool = PlainOption,
) -> None:
    """Begin a new plan: a short welcome, then the workbook, saved after every answer."""
    from deflect_cli.intake import apply_answers, read_answers_file
    from deflect_cli.plan import default_path, new_plan, save_plan, set_aside_existing

    content = _content(content_dir)
    path = default_path(plan_path)
    data = read_answers_file(answers) if answers else {}
    if path.is_dir():
        raise DeflectError(f"{path}: is a folder; give a file name with --plan.")
    with _writing(path, "start"):
        if path.exists():
            if not force:
                raise DeflectError(
                    f"{path} already exists. Continue it with `deflect resume`, "
                    f"or start over with `deflect start --force` (the old plan is kept as {path.name}.bak)."
                )
            kept, whole = set_aside_existing(path)
            if whole:
                _say(f"The previous plan is kept as {kept}.")
            else:
                _say(f"The previous file was not a whole plan; it is kept as {kept} ({path.name}.bak is untouched).")
        plan = new_plan(path, content)
        problems = apply_answers(content, plan, data, str(answers)) if answers else []
        save_plan(plan)
        if not _interactive(no_input, plain):
            raise typer.Exit(_report_fill(content, plan, problems))
        for problem in problems:
            _say(f"invalid: {problem}", err=True)
        raise typer.Exit(_wizard(content, plan, plain).run(welcome=True))


@app.command()
def resume(
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    answers: Optional[Path] = typer.Option(None, "--answers", metavar="FILE", help="Add answers from a YAML file first."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; report what is missing and exit."),
    plain: bool = PlainOption,
) -> None:
    """Continue a plan: a summary of where you are, then the first question still to answer."""
    from deflect_cli import flow
    from deflect_cli.intake import apply_answers, read_answers_file
    from deflect_cli.plan import default_path, load_plan, save_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    if not path.exists():
        load_plan(path)  # "no plan here: start one", before a lock file is made beside it
    with _writing(path, "resume"):
        plan = _open_for_writing(content, path)
        problems = []
        if answers:
            problems = apply_answers(content, plan, read_answers_file(answers), str(answers))
            save_plan(plan)
        if not _interactive(no_input, plain):
            raise typer.Exit(_report_fill(content, plan, problems))
        evaluation = flow.evaluate(content, plan.answers)
        start_at = flow.first_open(evaluation, plan.answers, plan.skipped)
        if start_at is None:
            skipped = len(flow.still_to_decide(evaluation, plan.answers, plan.skipped))
            note = f" ({skipped} skipped for now)" if skipped else ""
            _say(f"Every question in {path} has been answered or skipped{note}.")
            _say("Check or change answers with `deflect review`; write the plan document with `deflect export --format md`.")
            return
        wizard = _wizard(content, plan, plain)
        wizard.welcome_back(start_at)
        raise typer.Exit(wizard.run(start=start_at))


@app.command()
def export(
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                      help="md, html, docx, pdf or json (default: from --output's suffix, else md)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH",
                                         help="Where to write it; '-' for standard output (default: beside the plan)."),
    blank: bool = typer.Option(False, "--blank", help="A blank workbook to fill in by hand (md, html, docx, pdf); needs no plan."),
    include_guide: bool = typer.Option(False, "--include-guide", help="Put each section's guide text before its answers."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR",
                                            help="Use templates from DIR (missing ones come from the bundled set)."),
) -> None:
    """Write the plan document: Markdown, HTML, Word, PDF or JSON. The plan file is only read."""
    from deflect_cli.plan import atomic_write, default_path, refuse_export_over_plan
    from deflect_cli.render import BINARY_FORMATS, export as render_export, format_for

    fmt = format_for(fmt, output)
    content = _content(content_dir)
    path = default_path(plan_path)
    plan = None
    if not blank:
        from deflect_cli.migrate import open_plan

        plan, _ = open_plan(content, path)  # reconciled with the content in memory; the file is only read
    if output == "-" and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise DeflectError(f"a .{fmt} file is binary; send it to a file or a pipe, not the terminal.")
    target = None
    if output != "-":
        target = Path(output) if output else (
            path.with_name(f"deflection-workbook.{fmt}") if blank else path.with_suffix(f".{fmt}"))
        refuse_export_over_plan(target, path)
    data = render_export(content, plan, fmt, templates=templates, include_guide=include_guide, blank=blank)
    if target is None:
        if isinstance(data, bytes):
            typer.get_binary_stream("stdout").write(data)
        else:
            sys.stdout.write(data)
        return
    atomic_write(target, data)
    _say(f"Wrote {target}")


@app.command()
def status(plan_path: Optional[str] = PlanOption, content_dir: Optional[str] = ContentOption) -> None:
    """Show how far along the plan is, section by section."""
    from deflect_cli.migrate import open_plan
    from deflect_cli.plan import default_path
    from deflect_cli.report import status_text

    content = _content(content_dir)
    plan, _ = open_plan(content, default_path(plan_path))  # reconciled in memory; the file is only read
    _say(status_text(content, plan))


def _open_for_writing(content, path):
    """Under the lock: the plan reconciled with the content, what changed said and saved."""
    from deflect_cli.migrate import open_plan
    from deflect_cli.plan import save_plan

    plan, changes = open_plan(content, path)
    for line in changes.lines():
        _say(line)
    if changes:
        save_plan(plan)
    return plan


def _find_section(content, ref: str):
    found = content.section(ref)
    if found is None:
        raise DeflectError(f"unknown section {ref!r}; `deflect sections` lists them.")
    return found


def _session(content, path, command: str, plain: bool, action) -> None:
    """Hold the plan's lock and run one wizard action on it; Ctrl-C exits 130 with answers saved."""
    from deflect_cli.prompter import Interrupted

    with _writing(path, command):
        wizard = _wizard(content, _open_for_writing(content, path), plain)
        try:
            action(wizard)
            code = 0
        except Interrupted:
            code = 130
    raise typer.Exit(wizard.signed_off(code))


def _find_question(content, ref: str):
    """SECTION.QUESTION, where SECTION may also be the section's number (`5.partners`)."""
    section_ref, _, question_id = ref.partition(".")
    if not question_id:
        raise DeflectError(f"{ref!r}: name a question as SECTION.QUESTION, for example profile.agency; "
                           "`deflect review` lists them.")
    section = _find_section(content, section_ref)
    question = content.question(f"{section.id}.{question_id}")
    if question is None:
        raise DeflectError(f"unknown question {ref!r}; `deflect review {section.number or section.id}` "
                           "lists that section's questions.")
    return question


@app.command()
def review(
    section: Optional[str] = typer.Argument(None, metavar="[SECTION]",
                                            help="Section number or id (default: choose from all)."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    plain: bool = PlainOption,
) -> None:
    """Check your answers, section by section, and change any of them.

    In a terminal (or with --plain) choose an answer to change it; through a pipe the lists are printed.
    """
    from deflect_cli.migrate import open_plan
    from deflect_cli.plan import default_path

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    chosen = _find_section(content, section) if section else None
    if not _interactive(False, plain):
        from deflect_cli.review import review_text

        _say(review_text(content, plan, [chosen] if chosen else list(content.all_sections)))
        return
    _session(content, path, "review", plain, lambda wizard: wizard.review(chosen))


@app.command()
def edit(
    question: str = typer.Argument(..., metavar="SECTION.QUESTION",
                                   help="The question to change, e.g. profile.agency or 5.partners."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    plain: bool = PlainOption,
) -> None:
    """Change one answer, then answer any question the change brings up."""
    from deflect_cli import flow
    from deflect_cli.migrate import open_plan
    from deflect_cli.plan import default_path

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    target = _find_question(content, question)
    if not flow.evaluate(content, plan.answers).applies(target):
        raise DeflectError(f"{target.key} does not apply to this plan now (it is asked only when {target.when}); "
                           "any answer it had is kept and comes back if that changes.")
    if not _interactive(False, plain):
        raise DeflectError("edit asks the question again, so it needs a terminal; "
                           "use --plain to type the answer from a pipe.")
    _session(content, path, "edit", plain, lambda wizard: wizard.edit(target))


@app.command()
def lint(
    content_dir: Optional[str] = ContentOption,
    against: Optional[str] = typer.Option(
        None, "--against", metavar="OLD_DIR",
        help="Also compare with the previous content in OLD_DIR: list every change that would set saved "
             "answers aside (a question removed without renamed_from, a type changed, a choice removed)."),
) -> None:
    """Check the content files and list every problem as FILE:LINE: message."""
    from deflect_cli import resources

    content = resources.load(content_dir, use_cache=False)  # always a real parse, never the cache
    questions = sum(1 for _ in content.questions())
    checks = sum(1 for _ in content.all_checks())
    _say(f"{len(content.sections)} sections, {questions} questions, {checks} checks: no problems found.")
    if against:
        from deflect_cli.migrate import compare_content

        changes = compare_content(resources.load(against, use_cache=False), content)
        for change in changes:
            _say(change, err=True)
        if changes:
            _say(f"deflect: {len(changes)} change(s) since {against} would set saved answers aside; plans keep "
                 "them (shown by `deflect status`), but add `renamed_from` or keep the old type where you can.",
                 err=True)
            raise typer.Exit(1)
        _say(f"Compared with {against}: every saved answer still fits.")


@app.command()
def restore(
    plan_path: Optional[str] = PlanOption,
    force: bool = typer.Option(False, "--force", help="Restore even though the current plan is not damaged."),
) -> None:
    """Put back the copy of the plan kept before the last session (<name>.bak).

    The file it replaces is kept as <name>.before-restore, so nothing is lost either way.
    """
    from deflect_cli.plan import default_path, describe, restore_backup

    path = default_path(plan_path)
    with _writing(path, "restore"):
        good, kept = restore_backup(path, force=force)
    _say(f"Restored {path} from {path.name}.bak ({describe(good)}).")
    if kept is not None:
        _say(f"The file it replaced is kept as {kept}.")


@app.command()
def sections(content_dir: Optional[str] = ContentOption) -> None:
    """List the guide's sections with their ids and question counts."""
    content = _content(content_dir)
    width = max(len(s.id) for s in content.all_sections)
    for section in content.all_sections:
        number = f"{section.number:>2}" if section.number else " -"
        _say(f"{number}  {section.id:<{width}}  {len(section.questions):>3} questions  {section.title}")
    _say(f"{sum(1 for _ in content.questions())} questions in all.")


@app.command()
def guide(
    section: Optional[str] = typer.Argument(None, help="Section number or id (default: list them)."),
    glossary: bool = typer.Option(False, "--glossary", help="Show the glossary."),
    content_dir: Optional[str] = ContentOption,
) -> None:
    """Read a section's guide text, examples and recommendations (or the glossary)."""
    from deflect_cli.guide import glossary_markdown, section_markdown

    content = _content(content_dir)
    if glossary:
        text = glossary_markdown(content)
    elif section is None:
        sections(content_dir)
        _say("Read one with `deflect guide NUMBER`.")
        return
    else:
        found = content.section(section)
        if found is None or found.id == "profile":
            raise DeflectError(f"unknown section {section!r}; `deflect sections` lists them.")
        text = section_markdown(found)
    _page(text)


def _page(markdown_text: str) -> None:
    from rich.console import Console

    from deflect_cli.guide import page

    page(Console(), markdown_text)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("\ndeflect: interrupted; saved answers are safe.", err=True)
        sys.exit(130)
