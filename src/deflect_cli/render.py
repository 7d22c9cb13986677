"""From a plan to documents: one document model, rendered by Jinja templates (or as JSON).

Answers only ever reach Jinja as variables, never as template source, and every answer passes an
escaping filter for the output format, so `{{ 7*7 }}`, `|`, `#` or a newline in an answer comes out
as the literal text the user typed without changing the document's structure.
"""

from __future__ import annotations

import json
import re
from typing import Optional

from deflect_cli import flow
from deflect_cli.answers import display, is_empty
from deflect_cli.content import Content

FORMATS = ("md", "json")

# ---------------------------------------------------------------- Markdown escaping

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|&~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d{1,9}(?=[.)](\s|$)))")


def _escape_line(line: str) -> str:
    line = _MD_INLINE.sub(r"\\\1", line.strip())
    match = _MD_LINE_START.match(line)
    if match:
        marker = match.group(2)
        if marker[0].isdigit():
            end = match.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = line[: match.start(2)] + "\\" + line[match.start(2):]
    return line


def md_text(value) -> str:
    """Escape text for a Markdown block: paragraphs and line breaks kept, no syntax let through."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_escape_line(line) for line in block.split("\n") if line.strip()]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def md_cell(value) -> str:
    """Escape text for one Markdown table cell or list item: a single line, pipes escaped."""
    text = " ".join(str(value).split())
    return _escape_line(text) if text else ""


# ---------------------------------------------------------------- the document model


def _cells(question, rows) -> list:
    return [[md_value for md_value in (display(c, row.get(c.id)) for c in question.columns)] for row in rows]


def build_document(content: Content, plan) -> dict:
    """Everything a template needs, computed once: chapters, what is still open, checks that fire."""
    evaluation = flow.evaluate(content, plan.answers)
    visible = flow.visible_answers(evaluation, plan.answers)
    profile = visible.get("profile", {})
    chapters, open_items = [], []
    for section in content.all_sections:
        items, still = [], []
        for question in section.questions:
            if not evaluation.applies(question):
                continue
            value = flow.answer_of(plan.answers, question)
            state = flow.status(question, plan.answers, plan.skipped)
            item = {
                "key": question.key,
                "id": question.id,
                "type": question.type,
                "label": question.label,
                "prompt": question.prompt,
                "required": question.required,
                "status": state,
                "answer": value if state == flow.ANSWERED else None,
                "text": display(question, value) if state == flow.ANSWERED else "",
                "entries": [display(question, [v]) for v in value] if state == flow.ANSWERED and question.type == "multi_choice" else [],
                "columns": [c.label for c in question.columns],
                "rows": _cells(question, value) if state == flow.ANSWERED and question.type == "table" else [],
            }
            (items if state == flow.ANSWERED else still).append(item)
        chapter = {"id": section.id, "title": section.title, "number": section.number,
                   "summary": section.summary, "guide": section.guide, "answers": items, "open": still}
        chapters.append(chapter)
        if still:
            open_items.append(chapter)
    sources = _sources(content)
    return {
        "title": content.title,
        "content_version": content.version,
        "program_name": profile.get("program_name") or "Deflection program plan",
        "agency": profile.get("agency", ""),
        "jurisdiction": profile.get("jurisdiction", ""),
        "lead": ", ".join(str(profile[k]) for k in ("lead_name", "lead_title", "lead_email") if profile.get(k)),
        "date": (plan.updated or plan.created or "")[:10],
        "profile": chapters[0],
        "chapters": chapters[1:],
        "still_to_decide": open_items,
        "checks": [c.message for c in flow.firing_checks(content, evaluation)],
        "sources": sources,
    }


def _sources(content: Content) -> list:
    seen, out = set(), []
    for source in [*content.sources, *(s for sec in content.sections for s in sec.sources)]:
        key = (source.get("url") or source["title"]).strip()
        if key not in seen:
            seen.add(key)
            out.append(source)
    return out


# ---------------------------------------------------------------- formats


def render_json(content: Content, plan) -> str:
    """Every question, answered or not, in a shape other tools can read."""
    evaluation = flow.evaluate(content, plan.answers)
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
                "answer": None if is_empty(value) or not applicable else value,
                "status": flow.status(question, plan.answers, plan.skipped) if applicable else "not_applicable",
            }
            if question.choices:
                item["choices"] = [{"value": c.value, "label": c.label} for c in question.choices]
            if question.columns:
                item["columns"] = [{"id": c.id, "label": c.label, "type": c.type} for c in question.columns]
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
    return json.dumps({"plan": meta, "sections": sections}, ensure_ascii=False, indent=2) + "\n"


def render_template(content: Content, plan, fmt: str, templates: Optional[str] = None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

    from deflect_cli import resources
    from deflect_cli.errors import DeflectError

    folder = resources.templates_dir(templates)
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = md_text
    env.filters["md_cell"] = md_cell
    name = f"plan.{fmt}.j2"
    try:
        template = env.get_template(name)
    except TemplateNotFound:
        raise DeflectError(f"{folder / name}: template not found.") from None
    return template.render(doc=build_document(content, plan))


def render(content: Content, plan, fmt: str, templates: Optional[str] = None) -> str:
    if fmt == "json":
        return render_json(content, plan)
    return render_template(content, plan, fmt, templates)
