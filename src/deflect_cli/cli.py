"""The `deflect` command: parses options and hands over to the layers. No business rules here.

Only typer is imported at module level; everything heavier is imported inside the command that
needs it, so `deflect --help` and `deflect status` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from deflect_cli.errors import ContentError, DeflectError

app = typer.Typer(
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


def _content(content_dir: Optional[str]):
    from deflect_cli import resources

    return resources.load(content_dir)


def _say(message: str = "", err: bool = False) -> None:
    typer.echo(message, err=err)


def _interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


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
) -> None:
    """Begin a new plan: a short welcome, then the workbook, saved after every answer."""
    from deflect_cli.intake import apply_answers, read_answers_file
    from deflect_cli.plan import default_path, keep_backup, new_plan, remove_stale_temp_files, save_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    data = read_answers_file(answers) if answers else {}
    if path.is_dir():
        raise DeflectError(f"{path}: is a folder; give a file name with --plan.")
    if path.exists():
        if not force:
            raise DeflectError(
                f"{path} already exists. Continue it with `deflect resume`, "
                f"or start over with `deflect start --force` (the old plan is kept as {path.name}.bak)."
            )
        backup = keep_backup(path)
        _say(f"The previous plan is kept as {backup}.")
    remove_stale_temp_files(path)
    plan = new_plan(path, content)
    problems = apply_answers(content, plan, data, str(answers)) if answers else []
    save_plan(plan)
    if not _interactive(no_input):
        raise typer.Exit(_report_fill(content, plan, problems))
    for problem in problems:
        _say(f"invalid: {problem}", err=True)
    from deflect_cli.wizard import Wizard

    raise typer.Exit(Wizard(content, plan).run(welcome=True))


@app.command()
def resume(
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    answers: Optional[Path] = typer.Option(None, "--answers", metavar="FILE", help="Add answers from a YAML file first."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; report what is missing and exit."),
) -> None:
    """Continue a plan at the first question still to answer."""
    from deflect_cli import flow
    from deflect_cli.intake import apply_answers, read_answers_file
    from deflect_cli.plan import default_path, load_plan, remove_stale_temp_files, save_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    plan = load_plan(path)
    remove_stale_temp_files(path)
    problems = []
    if answers:
        problems = apply_answers(content, plan, read_answers_file(answers), str(answers))
        save_plan(plan)
    if not _interactive(no_input):
        raise typer.Exit(_report_fill(content, plan, problems))
    evaluation = flow.evaluate(content, plan.answers)
    start_at = flow.first_open(evaluation, plan.answers, plan.skipped)
    if start_at is None:
        skipped = len(flow.still_to_decide(evaluation, plan.answers, plan.skipped))
        note = f" ({skipped} skipped for now)" if skipped else ""
        _say(f"Every question in {path} has been answered or skipped{note}.")
        _say("Write the plan document with `deflect export --format md`.")
        return
    from deflect_cli.wizard import Wizard

    raise typer.Exit(Wizard(content, plan).run(start=start_at))


@app.command()
def export(
    fmt: str = typer.Option("md", "--format", "-f", metavar="FORMAT", help="md or json."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH",
                                         help="Where to write it; '-' for standard output (default: beside the plan)."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR", help="Use templates from DIR."),
) -> None:
    """Write the plan document (Markdown or JSON). The plan file is only read."""
    from deflect_cli.plan import atomic_write, default_path, load_plan
    from deflect_cli.render import FORMATS, render

    if fmt not in FORMATS:
        raise DeflectError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    content = _content(content_dir)
    path = default_path(plan_path)
    plan = load_plan(path)
    text = render(content, plan, fmt, templates)
    if output == "-":
        sys.stdout.write(text)
        return
    target = Path(output) if output else path.with_suffix(f".{fmt}")
    if target.resolve() == path.resolve():
        raise DeflectError(f"{target}: that is the plan file itself; choose another --output.")
    atomic_write(target, text)
    _say(f"Wrote {target}")


@app.command()
def status(plan_path: Optional[str] = PlanOption, content_dir: Optional[str] = ContentOption) -> None:
    """Show how far along the plan is, section by section."""
    from deflect_cli.plan import default_path, load_plan
    from deflect_cli.report import status_text

    content = _content(content_dir)
    plan = load_plan(default_path(plan_path))
    _say(status_text(content, plan))


@app.command()
def lint(content_dir: Optional[str] = ContentOption) -> None:
    """Check the content files and list every problem as FILE:LINE: message."""
    content = _content(content_dir)
    questions = sum(1 for _ in content.questions())
    checks = sum(1 for _ in content.all_checks())
    _say(f"{len(content.sections)} sections, {questions} questions, {checks} checks: no problems found.")


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
    from rich.markdown import Markdown

    console = Console()
    if sys.stdout.isatty():
        with console.pager(styles=True):
            console.print(Markdown(markdown_text))
    else:
        console.print(Markdown(markdown_text))


def main() -> None:
    """Entry point: expected failures become one clear line on stderr and a non-zero exit."""
    try:
        app()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        typer.echo(f"deflect: the content has {len(exc.problems)} problem(s); nothing was changed.", err=True)
        sys.exit(exc.exit_code)
    except DeflectError as exc:
        typer.echo(f"deflect: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("\ndeflect: interrupted.", err=True)
        sys.exit(130)
