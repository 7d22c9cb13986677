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

from deflect_cli.content.resources import PROVENANCE
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


def _epilog(examples: list, exits: list) -> str:
    """Examples and exit codes for a command's --help, fitting 60 columns.

    An example may carry a comment after "  # ", shown on the line above it; `\\b` keeps click
    from re-wrapping the lines.
    """
    import textwrap

    lines = ["\b", "Examples:"]
    for example in examples:
        command, _, comment = example.partition("  # ")
        lines += textwrap.wrap(comment, 54, initial_indent="  # ", subsequent_indent="  # ") if comment else []
        lines.append(f"  {command}")
    lines += ["", "\b", "Exit codes:"]
    for code, meaning in exits:
        lines += textwrap.wrap(meaning, 56, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
    return "\n".join(lines)


OK_EXIT = (0, "done")
ERROR_EXIT = (1, "a problem, said in one line (no plan, a damaged plan, broken content, the plan in use "
                 "by another session...)")
USAGE_EXIT = (2, "a mistyped command or option")
QUIT_EXIT = (0, "done, or saved and quit (Ctrl-Q, or save and quit in the menu)")
INTERRUPT_EXIT = (130, "interrupted with Ctrl-C; every answer given is saved (Ctrl-D saves and exits 0)")
FILL_EXIT = (1, "also: with --no-input or without a terminal, required answers missing or invalid "
                "(each listed)")
SAVED_EXITS = [QUIT_EXIT, ERROR_EXIT, USAGE_EXIT, INTERRUPT_EXIT]
READ_EXITS = [OK_EXIT, ERROR_EXIT, USAGE_EXIT]

app = typer.Typer(
    cls=_Group,
    name="deflect",
    help=f"Plan a deflection or pre-arrest diversion program, one question at a time. {PROVENANCE}",
    epilog=_epilog(["deflect start", "deflect resume", "deflect status", "deflect export --format docx",
                    "deflect edit profile.agency", "deflect COMMAND -h  # examples and exit codes for each command"],
                   READ_EXITS),
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)


def _version(value: bool) -> None:
    if value:
        from deflect_cli import DISTRIBUTION, __version__

        typer.echo(f"deflect {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def _top(version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                      help="Show deflect's version and exit.")) -> None:
    pass

PlanOption = typer.Option(None, "--plan", envvar="DEFLECT_PLAN", metavar="PATH",
                          help="Plan file (default: ./deflection-plan.yaml, or $DEFLECT_PLAN).")
ContentOption = typer.Option(None, "--content", metavar="DIR", help="Use content from DIR instead of the bundled "
                                                                    "guide.")
AnswersOption = typer.Option(None, "--answers", metavar="FILE", help="Fill answers from a YAML file first.")
NoInputOption = typer.Option(False, "--no-input", help="Never prompt; report what is missing and exit.")
AsOption = typer.Option(None, "--as", metavar="NAME",
                        help="Who is answering: recorded with each answer this command changes.")
PlainOption = typer.Option(
    False, "--plain",
    help="Plain mode for screen readers and plain terminals: numbered choices, typed commands "
         "(back, skip, menu, help, quit), no color. Also on when TERM=dumb. Reads answers line by "
         "line, so keystrokes can be piped in. (NO_COLOR=1 turns color off and nothing else.)")


def _content(content_dir: Optional[str]):
    from deflect_cli.content import resources
    return resources.load(content_dir)


def _say(message: str = "", err: bool = False) -> None:
    typer.echo(message, err=err)


def _interactive(no_input: bool, plain: bool = False) -> bool:
    """Prompt only in a terminal; `--plain` reads lines, so it also works from a pipe."""
    if no_input:
        return False
    return plain or (sys.stdin.isatty() and sys.stdout.isatty())


def _wizard(content, plan, plain: bool):
    from deflect_cli.session.interface import use_plain
    from deflect_cli.session.wizard import Wizard

    return Wizard(content, plan, plain=use_plain(plain))


@contextmanager
def _writing(path, command: str):
    """The single-writer lock held while a command may change the plan, and its warnings said once."""
    from deflect_cli.plan.lock import notes, plan_lock

    with plan_lock(path, command):
        for note in notes(path):
            _say(note, err=True)
        yield


def _terminal(no_input: bool = False) -> bool:
    """A person at a keyboard who can answer a confirmation (plain mode from a pipe cannot)."""
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


def _confirm(question: str) -> bool:
    """y/N in the terminal; Ctrl-C or end of input mean no."""
    try:
        return typer.confirm(question, default=False)
    except (typer.Abort, EOFError):
        _say()
        return False


def _report_fill(content, plan, problems: list) -> int:
    """After a non-interactive fill: list every invalid and missing answer; exit code 0 only if none."""
    from deflect_cli.plan import flow
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    missing = flow.missing_required(evaluation, plan.answers)
    for problem in problems:
        _say(f"invalid: {problem}", err=True)
    for question in missing:
        _say(f"missing: {question.key} (required): {content.wording(question, plan.answers).prompt}", err=True)
    answered = sum(len(v) for v in plan.answers.values())
    _say(f"Saved {answered} answer{'' if answered == 1 else 's'} to {plan.path}.")
    if problems or missing:
        _say(f"{len(missing)} required answer{'' if len(missing) == 1 else 's'} missing and {len(problems)} invalid; "
             "add them to the answers file, or run `deflect resume` in a terminal.", err=True)
        return 1
    _say("Every required answer is in. Write the plan with `deflect export --format md`.")
    return 0


@app.command(short_help="Begin a new plan.", epilog=_epilog([
    "deflect start",
    "deflect start --plan riverton.yaml",
    "deflect start --core  # a first plan in about 45 minutes: the core questions only",
    "deflect start --answers answers.yaml  # fill answers from a file first, then ask the rest",
    "deflect start --answers answers.yaml --no-input  # never prompt: save, list what is missing, exit",
    "deflect start --force  # start over: asks first; the old plan is kept as a snapshot",
    "deflect start --force --yes --no-input  # the same in a script, without asking",
], [QUIT_EXIT, (1, "a problem, said in one line (a plan is already there, --force without a terminal "
                  "and without --yes, a read-only plan, broken content, an answers file that cannot be "
                  "read...)"), FILL_EXIT, USAGE_EXIT, INTERRUPT_EXIT]))
def start(
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    force: bool = typer.Option(False, "--force", help="Replace an existing plan (it is kept as a snapshot; "
                                                      "`deflect restore` brings it back). Asks first."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --force: replace without asking (needed without a "
                                                        "terminal)."),
    answers: Optional[Path] = AnswersOption,
    no_input: bool = NoInputOption,
    plain: bool = PlainOption,
    as_name: Optional[str] = AsOption,
    core: bool = typer.Option(False, "--core", help="A first plan in about 45 minutes: only the core questions "
                                                    "(`deflect resume --full` adds the rest later)."),
    full: bool = typer.Option(False, "--full", help="The full workbook (the default without a terminal)."),
) -> None:
    """Begin a new plan: a short welcome, then the workbook, saved after every answer.

    In a terminal it first asks how deep to go: the core questions (a complete short plan) or the
    full workbook."""
    from deflect_cli.plan.intake import apply_answers, read_answers_file
    from deflect_cli.plan.model import default_path, new_plan, plan_flag
    from deflect_cli.plan.store import current, pin, refuse_read_only, save_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    data = read_answers_file(answers) if answers else {}
    if path.is_dir():
        raise DeflectError(f"{path}: is a folder; give a file name with --plan.")
    with _writing(path, "start"):
        if path.exists():
            if not force:
                raise DeflectError(
                    f"{path} already exists. Continue it with `deflect resume{plan_flag(path)}`, or start over "
                    f"with `deflect start --force{plan_flag(path)}` (the old plan is kept as a snapshot)."
                )
            refuse_read_only(path)
            raw, old = current(path)
            what = _answers_or_damaged(old)
            if not yes:
                if not _terminal(no_input):
                    raise DeflectError(f"{path} holds a plan ({what}); to replace it without a terminal add --yes "
                                       "(a snapshot is kept; `deflect restore` brings it back). Nothing was changed.")
                if not _confirm(f"Replace {path} ({what})? A snapshot is kept; "
                                f"`deflect restore{plan_flag(path)}` brings it back."):
                    raise DeflectError(f"{path} was not replaced; nothing was changed.")
            depth = _choose_depth(content, core, full, no_input, f"{path} was not replaced; nothing was changed.")
            pin(path, raw, "start")
            _say(f"The previous plan ({what}) is kept as a snapshot; "
                 f"`deflect restore{plan_flag(path)}` brings it back.")
        else:
            depth = _choose_depth(content, core, full, no_input, "No plan was started.")
        plan = new_plan(path, content, depth)
        plan.author = (as_name or "").strip() or None
        problems = apply_answers(content, plan, data, str(answers)) if answers else []
        save_plan(plan)
        if not _interactive(no_input, plain):
            if not answers:
                _say(f"Started a new plan in {path}. Answer its questions with `deflect resume{plan_flag(path)}` "
                     "in a terminal (add --plain to type them through a pipe), or fill them from a file "
                     f"with `deflect resume --answers FILE{plan_flag(path)}`.")
                raise typer.Exit(0)
            raise typer.Exit(_report_fill(content, plan, problems))
        for problem in problems:
            _say(f"invalid: {problem}", err=True)
        raise typer.Exit(_wizard(content, plan, plain).run(welcome=True))


DEPTH_CHOICES = (("core", "A first plan in about 45 minutes (core questions)"), ("full", "The full workbook"))


def _choose_depth(content, core: bool, full: bool, no_input: bool, nothing_done: str) -> str:
    """`--core` / `--full`, else asked in a terminal; without one the full workbook (scripts stay as they
    were). Content that marks no core question has only the full workbook, so nothing is asked."""
    if core and full:
        raise DeflectError("choose one of --core and --full.")
    has_core = any(q.core for q in content.questions())
    if core and not has_core:
        raise DeflectError(f"{content.root}: this content marks no question `core: true`, so it has no core "
                           "path; start without --core.")
    if core or full:
        return "core" if core else "full"
    if not has_core or not _terminal(no_input):
        return "full"
    _say("How far do you want to go now?")
    for number, (_, label) in enumerate(DEPTH_CHOICES, 1):
        _say(f"  {number}. {label}")
    _say("A core plan can be deepened later with `deflect resume --full`.")
    while True:
        try:
            picked = str(typer.prompt("Choose 1 or 2", default="1")).strip()
        except (typer.Abort, EOFError, KeyboardInterrupt):
            _say()
            _say(nothing_done)
            raise typer.Exit(INTERRUPT_EXIT[0]) from None
        if picked in ("1", "2"):
            return DEPTH_CHOICES[int(picked) - 1][0]
        _say("Type 1 for the core questions or 2 for the full workbook.")


def _answers_or_damaged(plan) -> str:
    from deflect_cli.plan.model import answers_text

    return answers_text(plan.answer_count()) if plan is not None else "a damaged file, not a whole plan"


@app.command(short_help="Continue a plan where you left off.", epilog=_epilog([
    "deflect resume",
    "deflect resume --plan riverton.yaml",
    "deflect resume --plain  # numbered choices, typed commands, no color",
    "deflect resume --answers more.yaml --no-input",
    "deflect resume --full  # a core plan: go on to the full workbook",
], [QUIT_EXIT, ERROR_EXIT, FILL_EXIT, USAGE_EXIT, INTERRUPT_EXIT]))
def resume(
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    answers: Optional[Path] = AnswersOption,
    no_input: bool = NoInputOption,
    plain: bool = PlainOption,
    as_name: Optional[str] = AsOption,
    full: bool = typer.Option(False, "--full",
                              help="Deepen a core plan into the full workbook (its answers are kept)."),
) -> None:
    """Continue a plan: a summary of where you are, then the first question still to answer."""
    from deflect_cli.plan import flow
    from deflect_cli.plan.intake import apply_answers, read_answers_file
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.store import load_plan, save_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    if not path.exists():
        load_plan(path)  # "no plan here: start one", before a lock file is made beside it
    with _writing(path, "resume"):
        plan = _open_for_writing(content, path, "resume", as_name)
        if _interactive(no_input, plain):
            _ask_name_once(plan)
        if full and plan.core:
            plan.depth = "full"
            save_plan(plan)
            _say("This plan now follows the full workbook; every core answer is kept.")
        problems = []
        if answers:
            problems = apply_answers(content, plan, read_answers_file(answers), str(answers))
            save_plan(plan)
        if not _interactive(no_input, plain):
            raise typer.Exit(_report_fill(content, plan, problems))
        evaluation = flow.evaluate(content, plan.answers, plan.core)
        start_at = flow.first_open(evaluation, plan.answers, plan.skipped)
        if start_at is None:
            skipped = len(flow.still_to_decide(evaluation, plan.answers, plan.skipped))
            note = f" ({skipped} skipped for now)" if skipped else ""
            _say(f"Every question in {path} has been answered or skipped{note}.")
            _say("Check or change answers with `deflect review`; "
                 "write the plan document with `deflect export --format md`.")
            return
        wizard = _wizard(content, plan, plain)
        wizard.welcome_back(start_at)
        raise typer.Exit(wizard.run(start=start_at))


@app.command(short_help="Write the plan document: md, html, docx, pdf.", epilog=_epilog([
    "deflect export  # Markdown beside the plan: deflection-plan.md",
    "deflect export --format html",
    "deflect export -o council-plan.docx  # the format follows the suffix: .md .markdown .html .htm .docx "
    ".pdf .json",
    "deflect export -o council-plan  # no suffix: Markdown (or --format's), to exactly that name",
    "deflect export --format json -o -  # to standard output",
    "deflect export --blank --format docx  # the workbook with room to write by hand; needs no plan",
    "deflect export --outline funder --format docx  # generic grant-application headings",
    "deflect export --outline my-solicitation.yaml --final  # your own headings; refuses while questions are open",
    "deflect export --format xlsx  # the budget and timeline as a spreadsheet with formulas",
], [(0, "written"),
    (1, "a problem, said in one line (no plan, a damaged plan, an unknown format or file suffix, a path "
        "that cannot be written)"),
    USAGE_EXIT]))
def export(
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                      help="md, html, docx, pdf, json, xlsx (budget and timeline) or csv (budget) "
                                           "(default: from --output's suffix, else md)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH",
                                         help="Where to write it; '-' for standard output (default: beside the plan). "
                                              "Without --format, the suffix picks the format "
                                              "(.md .html .docx .pdf .json; none: Markdown) and any other suffix is "
                                              "refused."),
    blank: bool = typer.Option(False, "--blank", help="A blank workbook to fill in by hand (md, html, docx, pdf); "
                                                      "needs no plan."),
    include_guide: bool = typer.Option(False, "--include-guide", help="Put each section's guide text before its "
                                                                      "answers."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR",
                                            help="Use templates from DIR (missing ones come from the bundled set)."),
    outline: Optional[str] = typer.Option(None, "--outline", metavar="NAME|FILE",
                                          help="Headings and their order: plan (default), funder, or a YAML "
                                               "outline file."),
    final: bool = typer.Option(False, "--final", help="No 'Draft' marks and no 'Still to decide'; refused while "
                                                      "required questions are open."),
    allow_open: bool = typer.Option(False, "--allow-open", help="With --final: write it even though required "
                                                                "questions are open."),
    mermaid: bool = typer.Option(False, "--mermaid", help="Markdown: add a Mermaid flowchart of the referral pathway."),
) -> None:
    """Write the plan document: Markdown, HTML, Word, PDF or JSON. The plan file is only read."""
    from deflect_cli.export.render import BINARY_FORMATS, format_for
    from deflect_cli.export.render import export as render_export
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.store import refuse_export_over_plan

    path = default_path(plan_path)
    if output and output != "-":  # "that is your plan" before "not a format": -o plan.yaml says both
        refuse_export_over_plan(Path(output), path)
    fmt = format_for(fmt, output)
    content = _content(content_dir)
    plan = None
    if not blank:
        from deflect_cli.plan.migrate import open_plan

        plan, _ = open_plan(content, path)  # reconciled with the content in memory; the file is only read
    if output == "-" and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise DeflectError(f"a .{fmt} file is binary; send it to a file or a pipe, not the terminal.")
    target = None
    if output != "-":
        target = Path(output) if output else (
            path.with_name(f"deflection-workbook.{fmt}") if blank else path.with_suffix(f".{fmt}"))
        refuse_export_over_plan(target, path)
    if final and plan is not None and not allow_open:
        from deflect_cli.export.render import required_open

        still = required_open(content, plan)
        if still:
            names = [_question_name(content, content.question(key)) for key in still[:5]]
            more = f" and {len(still) - 5} more; `deflect status` lists them" if len(still) > 5 else ""
            raise DeflectError(f"not final: {len(still)} required question{'s are' if len(still) != 1 else ' is'} "
                               f"still open: {', '.join(names)}{more}. Answer {'them' if len(still) != 1 else 'it'}, "
                               "or add --allow-open.")
    notes: list = []
    data = render_export(content, plan, fmt, templates=templates, include_guide=include_guide, blank=blank,
                         outline=outline, final=final, mermaid=mermaid, notes=notes)
    for note in notes:
        _say(f"Over the outline's limit: {note}", err=True)
    if target is None:
        if isinstance(data, bytes):
            typer.get_binary_stream("stdout").write(data)
        else:
            sys.stdout.write(data)
        return
    atomic_write(target, data)
    _say(f"Wrote {target}")


@app.command(short_help="Draft MOUs, protocols and a pocket card.", epilog=_epilog([
    "deflect paperwork  # what can be drafted, and what each draft still lacks",
    'deflect paperwork mou --partner Lakeside -f docx',
    "deflect paperwork data-sharing",
    "deflect paperwork referral-protocol --format pdf",
    "deflect paperwork pocket-card -o card.pdf  # two sides of a 4 x 6 inch card",
    "deflect paperwork one-pager --format html",
], [(0, "written, or listed"),
    (1, "a problem, said in one line (no plan, a damaged plan, an unknown document, format or partner, a "
        "path that cannot be written)"),
    USAGE_EXIT]))
def paperwork(
    name: Optional[str] = typer.Argument(None, metavar="[NAME]",
                                         help="mou, data-sharing, referral-protocol, pocket-card or one-pager "
                                              "(none: list what can be drafted)."),
    partner: Optional[str] = typer.Option(None, "--partner", metavar="NAME", help="The partner an MOU is with."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                      help="md, html, docx or pdf (default: from --output's suffix, else md)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH",
                                         help="Where to write it; '-' for standard output (default: beside the plan)."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR",
                                            help="Use templates from DIR (missing ones come from the bundled set)."),
) -> None:
    """Draft the paperwork a program needs from the plan: partner MOUs, data-sharing and consent terms,
    a referral protocol, a pocket card and a community one-pager. Missing answers stay visible as
    [placeholders]. Every draft is for the agencies' counsel to review. The plan file is only read."""
    from deflect_cli.controlchars import visible
    from deflect_cli.export import paperwork as pw
    from deflect_cli.export.render import BINARY_FORMATS, format_for
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path, plan_flag
    from deflect_cli.plan.store import refuse_export_over_plan

    path = default_path(plan_path)
    if output and output != "-":
        refuse_export_over_plan(Path(output), path)
    if name is None:
        if partner or fmt or output:
            raise DeflectError("name the document to write, e.g. `deflect paperwork one-pager`.")
        content = _content(content_dir)
        plan, _ = open_plan(content, path)
        sys.stdout.write(pw.listing(content, plan, plan_flag(path)))
        return
    fmt = format_for(fmt, output)
    content = _content(content_dir)
    plan, _ = open_plan(content, path)  # reconciled in memory; the file is only read
    if output == "-" and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise DeflectError(f"a .{fmt} file is binary; send it to a file or a pipe, not the terminal.")
    data, result = pw.render(content, plan, name, fmt, partner=partner, templates=templates)
    if output == "-":
        if isinstance(data, bytes):
            typer.get_binary_stream("stdout").write(data)
        else:
            sys.stdout.write(data)
        return
    target = Path(output) if output else path.with_name(f"{pw.file_stem(result)}.{fmt}")
    refuse_export_over_plan(target, path)
    atomic_write(target, data)
    _say(f"Wrote {target} (a draft for counsel to review).")
    if result.placeholders:
        from deflect_cli.grammar import plural

        _say(f"{plural(len(result.placeholders), 'placeholder')} left:")
        for item in result.placeholders:
            _say(f"  {visible(item)}")
    for warning in result.warnings:
        _say(f"Note: {warning}")


@app.command(short_help="How far along the plan is.", epilog=_epilog([
    "deflect status",
    "deflect status --plan riverton.yaml",
], READ_EXITS))
def status(plan_path: Optional[str] = PlanOption, content_dir: Optional[str] = ContentOption) -> None:
    """Show how far along the plan is, section by section."""
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path
    from deflect_cli.session.report import status_text

    content = _content(content_dir)
    plan, _ = open_plan(content, default_path(plan_path))  # reconciled in memory; the file is only read
    import shutil

    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    _say(status_text(content, plan, columns))


def _ask_name_once(plan) -> None:
    """In a terminal, once per plan that already records who answered (a team plan), ask who is
    answering and remember it in the plan; an empty answer is remembered too, and never asked again."""
    if plan.author or "author" in plan.settings or not plan.attribution or not _terminal():
        return
    _say("This plan records who gave each answer.")
    try:
        name = str(typer.prompt("Your name, recorded with the answers you give (Enter to leave it out)",
                                default="", show_default=False)).strip()
    except (typer.Abort, EOFError):
        _say()
        name = ""
    plan.settings["author"] = name
    plan.author = name or None


def _open_for_writing(content, path, command: str, as_name: Optional[str] = None):
    """Under the lock: the plan reconciled with the content, what changed said and saved. Answers
    changed from here on are attributed to `as_name`, else to the name remembered in the plan."""
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.store import refuse_read_only, save_plan

    plan, changes = open_plan(content, path)
    plan.author = (as_name or plan.settings.get("author") or "").strip() or None
    refuse_read_only(path)  # before any question is asked, not at the first save
    plan.session_command = command
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


def _session(content, path, command: str, plain: bool, action, as_name: Optional[str] = None) -> None:
    """Hold the plan's lock and run one wizard action on it; Ctrl-C exits 130 with answers saved."""
    from deflect_cli.session.prompter import Interrupted

    with _writing(path, command):
        plan = _open_for_writing(content, path, command, as_name)
        _ask_name_once(plan)
        wizard = _wizard(content, plan, plain)
        try:
            action(wizard)
            code = 0
        except Interrupted as stop:  # Ctrl-C 130; Ctrl-D or the end of piped input 0
            code = stop.code
    raise typer.Exit(wizard.signed_off(code))


def _question_name(content, question) -> str:
    """"Vision (section 1)": how a person finds a question, rather than its id."""
    section = next(s for s in content.all_sections if s.id == question.section_id)
    return f"{question.label} ({f'section {section.number}' if section.number else section.title})"


def _find_question(content, ref: str):
    """SECTION.QUESTION, where SECTION may also be the section's number (`5.roster`)."""
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


@app.command(short_help="Check your answers and change any of them.", epilog=_epilog([
    "deflect review",
    "deflect review 5  # just section 5",
    "deflect review partnerships --plain",
    "deflect review | less  # through a pipe it prints the answers",
], SAVED_EXITS))
def review(
    section: Optional[str] = typer.Argument(None, metavar="[SECTION]",
                                            help="Section number or id (default: choose from all)."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    plain: bool = PlainOption,
    as_name: Optional[str] = AsOption,
) -> None:
    """Check your answers, section by section, and change any of them.

    In a terminal (or with --plain) choose an answer to change it; through a pipe the lists are printed.
    """
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    chosen = _find_section(content, section) if section else None
    if not _interactive(False, plain):
        from deflect_cli.session.review import review_text

        _say(review_text(content, plan, [chosen] if chosen else list(content.all_sections)))
        return
    _session(content, path, "review", plain, lambda wizard: wizard.review(chosen), as_name)


@app.command(short_help="Change one answer.", epilog=_epilog([
    "deflect edit profile.agency",
    "deflect edit 5.roster  # the section by its number",
    "deflect edit launch.start_date --plain",
], SAVED_EXITS))
def edit(
    question: str = typer.Argument(..., metavar="SECTION.QUESTION",
                                   help="The question to change, e.g. profile.agency or 5.roster."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
    plain: bool = PlainOption,
    as_name: Optional[str] = AsOption,
) -> None:
    """Change one answer, then answer any question the change brings up."""
    from deflect_cli.plan import flow
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    target = _find_question(content, question)
    if not flow.evaluate(content, plan.answers, plan.core).applies(target):
        from deflect_cli.content.wording import describe

        raise DeflectError(f"{target.key} does not apply to this plan now: it is asked only when "
                           f"{describe(content, target.when)}. Any answer it had is set aside and comes "
                           "back if that changes.")
    if not _interactive(False, plain):
        raise DeflectError("edit asks the question again, so it needs a terminal; "
                           "use --plain to type the answer from a pipe.")
    _session(content, path, "edit", plain, lambda wizard: wizard.edit(target), as_name)


@app.command(short_help="Check content files for problems.", epilog=_epilog([
    "deflect lint",
    "deflect lint --content ./our-content",
    "deflect lint --content ./ours --against ./old  # and list what would set answers aside",
], [(0, "no problems (with --against: every saved answer still fits)"),
    (1, "problems, each listed as FILE:LINE: message (with --against: changes that would set saved "
        "answers aside)"),
    USAGE_EXIT]))
def lint(
    content_dir: Optional[str] = ContentOption,
    against: Optional[str] = typer.Option(
        None, "--against", metavar="OLD_DIR",
        help="Also compare with the previous content in OLD_DIR: list every change that would set saved "
             "answers aside (a question removed without renamed_from, a type changed, a choice removed)."),
) -> None:
    """Check the content files and list every problem as FILE:LINE: message."""
    from deflect_cli.content import resources
    content = resources.load(content_dir, use_cache=False)  # always a real parse, never the cache
    questions = sum(1 for _ in content.questions())
    checks = sum(1 for _ in content.all_checks())
    _say(f"{len(content.sections)} sections, {questions} questions, {checks} checks: no problems found.")
    if against:
        from deflect_cli.plan.migrate import compare_content

        changes = compare_content(resources.load(against, use_cache=False), content)
        for change in changes:
            _say(change, err=True)
        if changes:
            _say(f"deflect: {len(changes)} change(s) since {against} would set saved answers aside; plans keep "
                 "them (shown by `deflect status`), but add `renamed_from` or keep the old type where you can.",
                 err=True)
            raise typer.Exit(1)
        _say(f"Compared with {against}: every saved answer still fits.")


@app.command(short_help="Put back an earlier copy of the plan.", epilog=_epilog([
    "deflect restore --list  # every snapshot: when, before which command, answers",
    "deflect restore  # a damaged plan: the newest good snapshot; in a terminal, choose",
    "deflect restore 3 --yes  # copy 3 of the list, even over a plan that is not damaged",
    "deflect restore --plan riverton.yaml",
], [(0, "restored, or listed"), (1, "a problem, said in one line (nothing to restore, a plan that is not "
                                     "damaged without --yes, the plan in use by another session...)"),
    USAGE_EXIT]))
def restore(
    number: Optional[int] = typer.Argument(None, metavar="[N]",
                                           help="Which copy, as numbered by --list (default: the newest that loads)."),
    plan_path: Optional[str] = PlanOption,
    snapshot: Optional[str] = typer.Option(None, "--snapshot", metavar="NAME", help="Which copy, by its file name."),
    list_only: bool = typer.Option(False, "--list", help="List the copies that can be restored, and change nothing."),
    force: bool = typer.Option(False, "--force", "--yes", "-y",
                               help="Replace the current plan even though it is not damaged, without asking."),
) -> None:
    """Put back an earlier version of the plan from its snapshots.

    A snapshot is kept at the first save of every session, and before `start --force` and `restore`
    replace a plan. The plan a restore replaces is kept as a snapshot first, so nothing is lost.
    """
    from deflect_cli.plan.model import default_path, plan_flag
    from deflect_cli.plan.store import current, restorable, restore_copy

    path = default_path(plan_path)
    if list_only:
        copies = restorable(path)
        if not copies:
            _say(f"No snapshots of {path} yet: one is kept at the first save of every session.")
            return
        _say(f"Copies of {path} you can restore, newest first:")
        _list_copies(copies)
        _say(f"Put one back with `deflect restore N{plan_flag(path)}`; the current plan is kept as a snapshot first.")
        return
    if path.is_dir():
        raise DeflectError(f"{path}: is a folder, not a plan file; give a file name with --plan.")
    nothing = f"{path}: there is no snapshot to restore yet (one is kept at the first save of every session)."
    if not path.exists() and not restorable(path):
        raise DeflectError(nothing)  # before a lock file is made where there is no plan
    with _writing(path, "restore"):
        copies = restorable(path)
        if not copies:
            raise DeflectError(nothing)
        _, now = current(path)
        chosen = _choose_copy(copies, number, snapshot, path, ask=_terminal() and number is None and not snapshot)
        if now is not None and not force:
            what = f"copy {chosen.number} ({chosen.describe()})"
            if not _terminal():
                raise DeflectError(f"{path} is not damaged ({_answers_or_damaged(now)}); to replace it with {what} "
                                   f"run `deflect restore {chosen.number} --force{plan_flag(path)}`.")
            if not _confirm(f"Replace {path} ({_answers_or_damaged(now)}) with {what}? "
                            "The current plan is kept as a snapshot."):
                raise DeflectError(f"{path} was not replaced; nothing was changed.")
        kept = restore_copy(path, chosen)
    _say(f"Restored {path} from copy {chosen.number} ({chosen.describe()}).")
    if kept is not None:
        _say("The file it replaced is kept as a pinned snapshot; "
             f"`deflect restore --list{plan_flag(path)}` shows every copy.")


def _list_copies(copies) -> None:
    for copy in copies:
        _say(f"{copy.number:>4}  {copy.describe()}")


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
        _say(f"Copies of {path} you can restore, newest first:")
        _list_copies(copies)
        picked = 0
        while not 1 <= picked <= len(copies):
            try:
                picked = typer.prompt("Restore which copy", default=(good or copies[0]).number, type=int)
            except (typer.Abort, EOFError):
                _say()
                raise DeflectError(f"{path} was not replaced; nothing was changed.") from None
            if not 1 <= picked <= len(copies):
                _say(f"Type a number from 1 to {len(copies)}.")
        found = copies[picked - 1]
    else:
        found = good
    if found.plan is None:
        raise DeflectError(f"copy {found.number} ({found.name}) cannot be restored: {found.problem}.")
    return found


@app.command(short_help="What changed between two plans.", epilog=_epilog([
    "deflect diff last-week.yaml deflection-plan.yaml",
    "deflect diff --snapshot 1  # the current plan against copy 1 of `deflect restore --list`",
    "deflect diff old.yaml new.yaml --format md > minutes.md  # for a meeting's minutes",
], [(0, "compared (whether or not anything differs)"), ERROR_EXIT, USAGE_EXIT]))
def diff(
    old: Optional[Path] = typer.Argument(None, metavar="[OLD]", help="The earlier plan file."),
    new: Optional[Path] = typer.Argument(None, metavar="[NEW]", help="The later plan file (default: the plan)."),
    snapshot: Optional[int] = typer.Option(None, "--snapshot", metavar="N",
                                           help="Compare the plan with its copy N, as numbered by "
                                                "`deflect restore --list`."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or md (Markdown, for pasting)."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
) -> None:
    """List the answers added, changed and removed between two versions of a plan, by section.

    Tables are compared row by row. Neither file is changed.
    """
    from deflect_cli.plan import diff as plandiff
    from deflect_cli.plan.model import default_path, plan_flag
    from deflect_cli.plan.store import load_plan, restorable

    if fmt not in ("text", "md"):
        raise DeflectError(f"unknown diff format {fmt!r}; use text or md.")
    content = _content(content_dir)
    if snapshot is not None:
        if old is not None:
            raise DeflectError("give either --snapshot N or two plan files, not both.")
        path = default_path(plan_path)
        copies = restorable(path)
        if not 1 <= snapshot <= len(copies):
            raise DeflectError(f"there is no copy {snapshot} of {path} (there are {len(copies)}); "
                               f"`deflect restore --list{plan_flag(path)}` lists them.")
        copy = copies[snapshot - 1]
        if copy.plan is None:
            raise DeflectError(f"copy {snapshot} ({copy.name}) cannot be read: {copy.problem}.")
        before, after = copy.plan, load_plan(path)
        names = (f"snapshot {snapshot} ({copy.describe()})", str(path))
    else:
        if old is None:
            raise DeflectError("name two plan files to compare (OLD NEW), or use --snapshot N.")
        new_path = new if new is not None else default_path(plan_path)
        before, after = load_plan(old, hint_backup=False), load_plan(new_path, hint_backup=False)
        names = (str(old), str(new_path))
    found = plandiff.diff(content, before.answers, after.answers)
    _say((plandiff.markdown if fmt == "md" else plandiff.text)(found, *names).rstrip("\n"))


@app.command(short_help="Sections for a partner to fill in.", epilog=_epilog([
    'deflect packet -s 8,9 --to "Lane Health" -o health.docx',
    'deflect packet -s 8 --to "Northbank" -f md  # Markdown, for email',
    'deflect packet -s 9 --to "County IT" -o it.yaml  # an answers file',
], [(0, "written"), ERROR_EXIT, USAGE_EXIT]))
def packet(
    section_refs: str = typer.Option(..., "--sections", "-s", metavar="N,N", help="Which sections (numbers or ids, "
                                                                                  "comma-separated)."),
    to: str = typer.Option(..., "--to", metavar="NAME", help="Who fills it in; recorded as who answered when it comes "
                                                             "back."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH",
                                         help="Where to write it (default: beside the plan); "
                                              "the suffix picks the format."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT", help="docx (default), md or yaml."),
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
) -> None:
    """Write a packet of some sections' questions, with the plan's current answers, for a partner.

    It carries only those sections' answers. Bring the reply back with `deflect import FILE`.
    """
    from deflect_cli.export import packet as writer
    from deflect_cli.export.text import slug
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.store import refuse_export_over_plan

    suffixes = {".docx": "docx", ".md": "md", ".markdown": "md", ".yaml": "yaml", ".yml": "yaml"}
    if fmt is None and output:
        fmt = suffixes.get(Path(output).suffix.lower())
        if fmt is None:
            raise DeflectError(f"{output}: unknown packet suffix; use .docx, .md or .yaml (or --format).")
    fmt = fmt or "docx"
    if fmt not in ("docx", "md", "yaml"):
        raise DeflectError(f"unknown packet format {fmt!r}; use docx, md or yaml.")
    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    chosen = packets.resolve_sections(content, [r for r in section_refs.split(",") if r.strip()])
    if not chosen:
        raise DeflectError("name at least one section with --sections, e.g. --sections 8,9.")
    made = packets.build(content, plan, chosen, to.strip())
    target = Path(output) if output else path.with_name(f"packet-{slug(to) or 'partner'}.{fmt}")
    refuse_export_over_plan(target, path)
    if fmt == "docx":
        from deflect_cli.export import docx as word

        data = word.render(writer.document(content, made))
    else:
        data = (writer.markdown if fmt == "md" else writer.answers_file)(content, made)
    atomic_write(target, data)
    _say(f"Wrote {target}: {len(made.codes)} questions from section(s) "
         f"{', '.join(str(s.number or s.id) for s in chosen)} for {to.strip()} (packet {made.id}).")
    _say(f"When it comes back: `deflect import {target}`.")


@app.command(name="import", short_help="Bring a returned packet into the plan.", epilog=_epilog([
    "deflect import health.docx  # shows what would change, then asks",
    "deflect import health.docx --yes  # apply without asking; conflicts are left and listed",
    "deflect import northbank.md --plan riverton.yaml",
], [(0, "imported, or nothing to import"),
    (1, "a problem, said in one line (a damaged or hostile file, tracked changes, a plan in use...); nothing "
        "was changed"), USAGE_EXIT]))
def import_(
    file: Path = typer.Argument(..., metavar="FILE", help="The returned packet: .docx, .md or .yaml."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (conflicts are left, not applied)."),
    as_name: Optional[str] = AsOption,
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
) -> None:
    """Read a returned partner packet, show what would change, and apply it.

    Answers are matched by their codes and row ids and checked as the wizard checks them. An answer
    the plan changed since the packet was sent, and the partner changed too, is a conflict: chosen
    in a terminal, otherwise left as it is and listed. A snapshot is kept before anything changes.
    """
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan import packetread
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.store import load_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    returned = packetread.read(file)
    packetread.columns_by_position(returned, content)
    if not path.exists():
        load_plan(path)
    header = returned.header
    who = (as_name or (header.recipient if header else "") or "").strip()
    with _writing(path, "import"):
        plan = _open_for_writing(content, path, "import")
        outcomes = packets.compare(content, plan, returned)
        if header is None:
            _say(f"{file} carries no packet header (its hidden part was lost), so there is no record of what "
                 "was sent: every difference from the plan is a conflict.")
        else:
            _say(f"Packet {header.id} for {header.recipient or 'a partner'} ({len(header.codes)} questions):")
            if header.version != content.version:
                _say(f"It was made with workbook version {header.version}; this is {content.version}.")
        _apply_outcomes(path, plan, outcomes, who, header.id if header else "without header", "import", yes)


def _apply_outcomes(path, plan, outcomes, who: str, source: str, command: str, yes: bool,
                    attribution: Optional[dict] = None, theirs: str = "returned") -> None:
    """Shared by import and merge: list the outcomes, let a person choose each conflict in a terminal,
    confirm (or --yes), pin a snapshot, apply and save. Call with the plan's lock held."""
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import current, pin, save_plan

    for line in packets.report(outcomes, theirs=theirs):
        _say(line)
    choices = {}
    conflicts = [o for o in outcomes if o.kind == packets.CONFLICT]
    interactive = _terminal()
    if conflicts and interactive:
        for o in conflicts:
            pick = _pick_conflict(o, theirs)
            if pick:
                choices[id(o)] = pick
    count = packets.changes(outcomes) + len(choices)
    left = len(conflicts) - len(choices)
    if not count and not left:
        _say(f"Nothing to change in {path}.")
        return
    what = f"{count} change(s)" + (f" and {left} conflict(s) to keep among the set-aside answers" if left else "")
    if not yes:
        if not interactive:
            raise DeflectError(f"{what} for {path}; run again with --yes to apply them (conflicts are never "
                               "applied without a choice; nothing was changed).")
        if not _confirm(f"Apply {what} to {path}? A snapshot is kept first."):
            raise DeflectError(f"{path} was not changed.")
    raw, _ = current(path)
    pin(path, raw, command)
    plan.loaded_bytes = None  # the pinned snapshot already holds it
    counts = packets.apply(plan, outcomes, who, source, choices, attribution)
    save_plan(plan)
    _say(f"Applied {counts['applied']} change(s) to {path}" + (f", answered by {who}" if who else "") + ".")
    if counts["conflicts left"]:
        _say(f"{counts['conflicts left']} conflict(s) left: the plan keeps its answer; the other is kept among "
             f"the set-aside answers (`deflect status{plan_flag(path)}` lists them).")
    _say(f"The plan before the {command} is kept as a pinned snapshot; `deflect restore --list{plan_flag(path)}` "
         "shows it.")


@app.command(short_help="Merge another copy of this plan into it.", epilog=_epilog([
    "deflect merge shared-drive/deflection-plan.yaml  # shows what would change, then asks",
    "deflect merge other.yaml --yes  # conflicts are left and kept",
    "deflect merge other.yaml --base health.yaml  # a packet's answers as the base",
], [(0, "merged, or nothing to merge"), ERROR_EXIT, USAGE_EXIT]))
def merge(
    other_file: Path = typer.Argument(..., metavar="OTHER", help="The other copy of the plan."),
    base_file: Optional[Path] = typer.Option(None, "--base", metavar="FILE",
                                             help="The version both started from: a plan file or a packet."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (conflicts are left, not applied)."),
    as_name: Optional[str] = AsOption,
    plan_path: Optional[str] = PlanOption,
    content_dir: Optional[str] = ContentOption,
) -> None:
    """Bring the answers of another copy of this plan (edited apart) into it, three ways.

    The base is the newest version in both copies' snapshots (or --base). An answer or table row
    both copies changed differently is a conflict: chosen in a terminal, otherwise left, with the
    other copy's value kept among the set-aside answers. Nothing is lost.
    """
    from deflect_cli.plan import merge as merging
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.migrate import reconcile
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.store import load_plan

    content = _content(content_dir)
    path = default_path(plan_path)
    other = load_plan(other_file, hint_backup=False)
    reconcile(content, other)
    if not path.exists():
        load_plan(path)
    with _writing(path, "merge"):
        plan = _open_for_writing(content, path, "merge", as_name)
        if base_file is not None:
            base = merging.base_from_file(base_file, content)
            _say(f"Base: {base_file}.")
        else:
            found = merging.find_base(path, plan, other_file, other)
            base = found.answers if found is not None else None
            if found is None:
                _say(f"No common earlier version of {path} and {other_file} was found among their snapshots, "
                     "so every difference is a conflict (name one with --base FILE).")
            else:
                from deflect_cli.plan.model import describe

                _say(f"Base: the version both copies share ({describe(found)}).")
        returned = merging.as_returned(content, other, base, str(other_file))
        outcomes = packets.compare(content, plan, returned)
        if not as_name:
            plan.author = None  # the other copy's answers keep who gave them there, not this session's name
        _apply_outcomes(path, plan, outcomes, (as_name or "").strip(), f"merge of {other_file}", "merge", yes,
                        other.attribution, theirs="other")


def _pick_conflict(o, theirs: str = "returned") -> str:
    """Side by side in a terminal: keep the plan's answer or take the returned one."""
    from deflect_cli.plan import packet as packets
    _say(f"\nConflict on {o.code} {o.key}" + (f" row {o.number}" if o.number else "") + ":")
    _say(f"  1. keep the plan's:  {packets.say(o.question, o.current)}")
    _say(f"  2. take {theirs + ':':<13}{packets.say(o.question, o.returned)}")
    _say(f"     (sent:            {packets.say(o.question, o.sent)})")
    picked = ""
    while picked not in ("1", "2"):
        try:
            picked = str(typer.prompt("Keep which (1 or 2)", default="1")).strip()
        except (typer.Abort, EOFError):
            _say()
            raise DeflectError("stopped; nothing was changed.") from None
    return "returned" if picked == "2" else ""


@app.command(short_help="List the guide's sections.", epilog=_epilog([
    "deflect sections",
    "deflect sections --content ./our-content",
], READ_EXITS))
def sections(content_dir: Optional[str] = ContentOption) -> None:
    """List the guide's sections with their ids, question counts and the things a person fills in."""
    from deflect_cli.content.model import things_to_fill

    content = _content(content_dir)
    width = max(len(s.id) for s in content.all_sections)
    for section in content.all_sections:
        number = f"{section.number:>2}" if section.number else " -"
        core = sum(1 for q in section.questions if q.core)
        _say(f"{number}  {section.id:<{width}}  {len(section.questions):>3} questions  "
             f"{things_to_fill(section.questions):>3} to fill  {core:>2} core  {section.title}")
    questions = list(content.questions())
    _say(f"{len(questions)} questions in all; {things_to_fill(questions)} things to fill (prompts and required "
         f"table cells); {sum(1 for q in questions if q.core)} on the core path (`deflect start --core`).")
    _say(PROVENANCE)


@app.command(short_help="Read a section's guide text, or the glossary.", epilog=_epilog([
    "deflect guide 5",
    "deflect guide partnerships",
    "deflect guide --glossary",
], READ_EXITS))
def guide(
    section: Optional[str] = typer.Argument(None, help="Section number or id (default: list them)."),
    glossary: bool = typer.Option(False, "--glossary", help="Show the glossary."),
    content_dir: Optional[str] = ContentOption,
) -> None:
    """Read a section's guide text, examples and recommendations (or the glossary)."""
    from deflect_cli.content.guide import glossary_markdown, section_markdown

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

    from deflect_cli.content.guide import page

    page(Console(), markdown_text)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("\ndeflect: interrupted; saved answers are safe.", err=True)
        sys.exit(130)
