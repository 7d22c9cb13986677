"""The `deflect` command: parses options and hands over to the layers. No business rules here.

Only typer is imported at module level; everything heavier is imported inside the command that
needs it, so `deflect --help` and `deflect status` start fast.
"""

from __future__ import annotations

import sys
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
INTERRUPT_EXITS = [(130, "interrupted with Ctrl-C; every answer given is saved (Ctrl-D saves and exits 0)"),
                   (129, "the terminal closed at a question; saved the same way"),
                   (143, "stopped with kill (SIGTERM) at a question; saved the same way")]
FILL_EXIT = (1, "also: with --no-input or without a terminal, required answers missing or invalid "
                "(each listed)")
SAVED_EXITS = [QUIT_EXIT, ERROR_EXIT, USAGE_EXIT, *INTERRUPT_EXITS]
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


def _emit(data) -> None:
    """An export to standard output (`-o -`): bytes as they are, text as text."""
    if isinstance(data, bytes):
        typer.get_binary_stream("stdout").write(data)
    else:
        sys.stdout.write(data)


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
                  "read...)"), FILL_EXIT, USAGE_EXIT, *INTERRUPT_EXITS]))
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
    from deflect_cli.plan.model import default_path
    from deflect_cli.session.start import start_plan

    content = _content(content_dir)
    raise typer.Exit(start_plan(content, default_path(plan_path), force=force, yes=yes, answers=answers,
                                no_input=no_input, plain=plain, as_name=as_name, core=core, full=full))


@app.command(short_help="Continue a plan where you left off.", epilog=_epilog([
    "deflect resume",
    "deflect resume --plan riverton.yaml",
    "deflect resume --plain  # numbered choices, typed commands, no color",
    "deflect resume --answers more.yaml --no-input",
    "deflect resume --full  # a core plan: go on to the full workbook",
], [QUIT_EXIT, ERROR_EXIT, FILL_EXIT, USAGE_EXIT, *INTERRUPT_EXITS]))
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
    from deflect_cli.plan.model import default_path
    from deflect_cli.session.start import resume_plan

    content = _content(content_dir)
    raise typer.Exit(resume_plan(content, default_path(plan_path), answers=answers, no_input=no_input,
                                 plain=plain, as_name=as_name, full=full))


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
    from deflect_cli.export import files
    from deflect_cli.export.render import export as render_export
    from deflect_cli.export.render import format_for, refuse_binary_to_terminal
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.model import default_path

    path = default_path(plan_path)
    files.refuse_over_plan(output, path)
    fmt = format_for(fmt, output)
    content = _content(content_dir)
    plan = None
    if not blank:
        from deflect_cli.plan.migrate import open_plan

        plan, _ = open_plan(content, path)  # reconciled with the content in memory; the file is only read
    refuse_binary_to_terminal(fmt, output)
    target = files.target(output, path, files.export_name(path, fmt, blank))
    if final and plan is not None and not allow_open:
        from deflect_cli.export.render import refuse_open

        refuse_open(content, plan)
    notes: list = []
    data = render_export(content, plan, fmt, templates=templates, include_guide=include_guide, blank=blank,
                         outline=outline, final=final, mermaid=mermaid, notes=notes)
    for note in notes:
        _say(f"Over the outline's limit: {note}", err=True)
    if target is None:
        _emit(data)
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
    from deflect_cli.export import files
    from deflect_cli.export import paperwork as pw
    from deflect_cli.export.render import format_for, refuse_binary_to_terminal
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path, plan_flag

    path = default_path(plan_path)
    files.refuse_over_plan(output, path)
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
    refuse_binary_to_terminal(fmt, output)
    data, result = pw.render(content, plan, name, fmt, partner=partner, templates=templates)
    target = files.target(output, path, f"{pw.file_stem(result)}.{fmt}")
    if target is None:
        _emit(data)
        return
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
    from deflect_cli.session.console import width
    from deflect_cli.session.report import status_text

    content = _content(content_dir)
    plan, _ = open_plan(content, default_path(plan_path))  # reconciled in memory; the file is only read
    _say(status_text(content, plan, width()))


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
    from deflect_cli.plan.refs import find_section
    from deflect_cli.session.console import interactive

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    chosen = find_section(content, section) if section else None
    if not interactive(False, plain):
        from deflect_cli.session.review import review_text

        _say(review_text(content, plan, [chosen] if chosen else list(content.all_sections)))
        return
    from deflect_cli.session.opening import run_action

    raise typer.Exit(run_action(content, path, "review", plain, lambda wizard: wizard.review(chosen), as_name))


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
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path
    from deflect_cli.plan.refs import find_question, require_applicable
    from deflect_cli.session.console import interactive

    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    target = find_question(content, question)
    require_applicable(content, plan, target)
    if not interactive(False, plain):
        raise DeflectError("edit asks the question again, so it needs a terminal; "
                           "use --plain to type the answer from a pipe.")
    from deflect_cli.session.opening import run_action

    raise typer.Exit(run_action(content, path, "edit", plain, lambda wizard: wizard.edit(target), as_name))


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
    from deflect_cli.session.catalog import lint as check

    raise typer.Exit(check(content_dir, against))


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
    from deflect_cli.plan.model import default_path
    from deflect_cli.session import restore as snapshots

    path = default_path(plan_path)
    if list_only:
        snapshots.list_copies(path)
    else:
        snapshots.restore(path, number, snapshot, force)


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
    from deflect_cli.plan.model import default_path

    if fmt not in ("text", "md"):
        raise DeflectError(f"unknown diff format {fmt!r}; use text or md.")
    content = _content(content_dir)
    before, after, names = plandiff.versions(old, new, snapshot, default_path(plan_path))
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
    from deflect_cli.export import files
    from deflect_cli.export.render import render_packet
    from deflect_cli.plan import packet as packets
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.migrate import open_plan
    from deflect_cli.plan.model import default_path

    fmt = files.packet_format(fmt, output)
    content = _content(content_dir)
    path = default_path(plan_path)
    plan, _ = open_plan(content, path)
    chosen = packets.resolve_sections(content, [r for r in section_refs.split(",") if r.strip()])
    if not chosen:
        raise DeflectError("name at least one section with --sections, e.g. --sections 8,9.")
    made = packets.build(content, plan, chosen, to.strip())
    target = files.target(output, path, files.packet_name(to, fmt))
    atomic_write(target, render_packet(content, made, fmt))
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
    from deflect_cli.plan.model import default_path
    from deflect_cli.session.team import import_packet

    content = _content(content_dir)
    import_packet(content, default_path(plan_path), file, yes, as_name)


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
    from deflect_cli.plan.model import default_path
    from deflect_cli.session.team import merge_copy

    content = _content(content_dir)
    merge_copy(content, default_path(plan_path), other_file, base_file, yes, as_name)


@app.command(short_help="List the guide's sections.", epilog=_epilog([
    "deflect sections",
    "deflect sections --content ./our-content",
], READ_EXITS))
def sections(content_dir: Optional[str] = ContentOption) -> None:
    """List the guide's sections with their ids, question counts and the things a person fills in."""
    from deflect_cli.session.catalog import sections_text

    _say(sections_text(_content(content_dir)))


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
        from deflect_cli.plan.refs import find_section

        text = section_markdown(find_section(content, section, profile=False))
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
