"""From a plan to documents: the export formats, and the one table from format name to renderer.

The plan (or the blank workbook) becomes facts (export/model.py), the facts a document of typed
blocks (export/document.py), and each format renders the blocks natively (export/markdown.py,
html.py, docx.py; PDF is the HTML printed by WeasyPrint). JSON is the answers themselves, for
other tools. Each renderer module is imported only when its format is asked for, so
`export --format md` loads neither Jinja, markdown-it, python-docx nor WeasyPrint.

Answers are data from end to end: every renderer escapes text for its own format, and an agency's
Markdown template (`--templates DIR`) receives answers only as variables, never as template source.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module
from pathlib import Path
from typing import Optional, Union

from deflect_cli.content import resources
from deflect_cli.content.answers import cell, is_empty
from deflect_cli.content.model import Content
from deflect_cli.errors import DeflectError
from deflect_cli.plan import flow

FORMATS = ("md", "html", "docx", "pdf", "json", "xlsx", "csv")
BLANK_FORMATS = ("md", "html", "docx", "pdf")
BINARY_FORMATS = ("docx", "pdf", "xlsx")
_SUFFIXES = {"htm": "html", "markdown": "md"}


def format_for(fmt: Optional[str], output: Optional[str]) -> str:
    """The export format: as given, else from the output file's suffix, else Markdown.

    A suffix that names no format (plan.odt) is refused rather than filled with Markdown the file's
    name says it is not; a name without a suffix (and standard output, `-`) gets Markdown.
    """
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
        known = _SUFFIXES.get(suffix, suffix)
        if suffix and known not in FORMATS:
            names = ", ".join(f".{name}" for name in FORMATS[:-1])
            raise DeflectError(f"{output}: .{suffix} is not a format deflect writes; end the name with "
                               f"{names} or .{FORMATS[-1]}.")
        fmt = known or "md"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise DeflectError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    return fmt


def refuse_binary_to_terminal(fmt: str, output: Optional[str]) -> None:
    """A binary format sent to standard output while that is a terminal would only garble the screen."""
    if output == "-" and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise DeflectError(f"a .{fmt} file is binary; send it to a file or a pipe, not the terminal.")


# ---------------------------------------------------------------- formats


def _without_row_ids(value):
    if isinstance(value, list):
        return [{k: v for k, v in r.items() if k != "_id"} if isinstance(r, dict) else r for r in value]
    return value


def render_json(content: Content, plan) -> str:
    """Every question, answered or not, in a shape other tools can read."""
    content = content.worded(plan.answers)
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    sections = []
    for section in content.all_sections:
        questions = []
        for question in section.questions:
            applicable = evaluation.applies(question)
            value = flow.answer_of(plan.answers, question)
            item = {
                "id": question.key,
                "type": question.type,
                "prompt": question.prompt,
                "required": question.required,
                "applicable": applicable,
                "answer": None if is_empty(value) or not applicable else _without_row_ids(value),
                "status": flow.status(question, plan.answers, plan.skipped) if applicable else "not_applicable",
            }
            if question.choices:
                item["choices"] = [{"value": c.value, "label": c.label} for c in question.choices]
            if question.columns:
                item["columns"] = [{"id": c.id, "label": c.label, "type": c.type} for c in question.columns]
            computed = [c for c in question.columns if c.computed]
            if computed and item["answer"]:  # worked-out cells beside the answer, which stays exactly as stored
                item["computed"] = [{c.id: cell(c, row) for c in computed} if isinstance(row, dict) else {}
                                    for row in item["answer"]]
            questions.append(item)
        sections.append({"id": section.id, "title": section.title, "questions": questions})
    meta = {
        "path": str(plan.path),
        "content_title": content.title,
        "content_version": content.version,
        "plan_content_version": plan.content_version,
        "created": plan.created,
        "updated": plan.updated,
        "checks": [{"id": c.id, "message": c.message} for c in flow.firing_checks(content, evaluation)],
    }
    from deflect_cli.plan import budget
    worked = budget.compute(content, flow.visible_answers(evaluation, plan.answers))
    if worked is not None:
        meta["budget"] = worked.summary()
    orphaned = [{"id": e["question"], "answer": e.get("answer"), "reason": e.get("reason") or ""}
                for e in plan.orphaned]  # answers set aside by a content change, kept
    return json.dumps({"plan": meta, "sections": sections, "orphaned": orphaned},
                      ensure_ascii=False, indent=2) + "\n"


def render(content: Content, plan, fmt: str, templates: Optional[str] = None) -> str:
    """A plan as text (md, html or json); see `export` for every format and option."""
    result = export(content, plan, fmt, templates=templates)
    if isinstance(result, bytes):
        raise ValueError(f"{fmt} is a binary format; use export()")
    return result


def required_open(content: Content, plan) -> list:
    """The keys of required questions that apply and have no answer (what --final refuses over)."""
    evaluation = flow.evaluate(content, plan.answers)
    return [q.key for section in content.all_sections for q in section.questions
            if q.required and evaluation.applies(q) and flow.status(q, plan.answers, plan.skipped) != flow.ANSWERED]


def refuse_open(content: Content, plan) -> None:
    """--final (without --allow-open) while required questions are open: refused, naming the first five."""
    still = required_open(content, plan)
    if not still:
        return
    from deflect_cli.plan.refs import question_name

    names = [question_name(content, content.question(key)) for key in still[:5]]
    more = f" and {len(still) - 5} more; `deflect status` lists them" if len(still) > 5 else ""
    raise DeflectError(f"not final: {len(still)} required question{'s are' if len(still) != 1 else ' is'} "
                       f"still open: {', '.join(names)}{more}. Answer {'them' if len(still) != 1 else 'it'}, "
                       "or add --allow-open.")


# Format name -> (module under deflect_cli.export, function taking a Document and the --templates folder).
RENDERERS = {
    "md": ("markdown", "render"),
    "html": ("html", "render"),
    "pdf": ("html", "render_pdf"),
    "docx": ("docx", "render"),
    "xlsx": ("xlsx", "render"),   # the budget and timeline, totals as formulas
    "csv": ("xlsx", "render_csv"),  # the budget lines and totals
}


def build(content: Content, plan, *, include_guide: bool = False, blank: bool = False, outline=None,
          final: bool = False, mermaid: bool = False):
    """The plan's (or the blank workbook's) document of typed blocks, in an outline's order."""
    from deflect_cli.export import document, facts, model

    if blank:
        return document.workbook_document(model.build_workbook(content, include_guide), content)
    return document.plan_document(model.build_document(content, plan, include_guide), content, outline,
                                  facts.collect(content, plan), final=final, mermaid=mermaid)


def export(content: Content, plan, fmt: str, *, templates: Optional[str] = None,
           include_guide: bool = False, blank: bool = False, outline: Optional[str] = None,
           final: bool = False, mermaid: bool = False, notes: Optional[list] = None) -> Union[str, bytes]:
    """The plan (or, with blank=True, the empty workbook; `plan` is then ignored) in one format,
    in the order of `outline` (a bundled outline's name or a YAML file; default: `plan`)."""
    if fmt not in FORMATS:
        raise DeflectError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    if blank and fmt not in BLANK_FORMATS:
        raise DeflectError(f"the blank workbook comes as {', '.join(BLANK_FORMATS)}, not {fmt}.")
    if fmt == "json":
        return render_json(content, plan)
    if templates and not resources.templates_dir(templates).is_dir():
        raise DeflectError(f"{resources.templates_dir(templates)}: templates folder not found.")
    from deflect_cli.export.outline import find

    doc = build(content, plan, include_guide=include_guide, blank=blank, outline=find(outline), final=final,
                mermaid=mermaid)
    if notes is not None:  # chapters over the outline's word or character limits, for the command to say
        notes.extend(doc.meta.get("limits", []))
    if fmt == "md":
        from deflect_cli.export.text import custom_template

        name = "workbook.md.j2" if blank else "plan.md.j2"
        if custom_template(templates, name):  # an agency's own Markdown layout
            from deflect_cli.export.text import environment, render_named

            return render_named(environment(templates), name, doc=doc.context)
    module, function = RENDERERS[fmt]
    return getattr(import_module(f"deflect_cli.export.{module}"), function)(doc, templates)


def render_packet(content, made, fmt: str) -> Union[str, bytes]:
    """A partner packet (plan/packet.py's facts) as a Word file, Markdown for email, or an answers file;
    Word is loaded only for Word."""
    from deflect_cli.export import packet as writer

    if fmt == "docx":
        module, function = RENDERERS["docx"]
        return getattr(import_module(f"deflect_cli.export.{module}"), function)(writer.document(content, made))
    return (writer.markdown if fmt == "md" else writer.answers_file)(content, made)
