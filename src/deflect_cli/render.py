"""From a plan to documents: one document model, one Markdown text, every format built from it.

The plan (or the blank workbook) becomes a document model (`build_document`, `build_workbook`),
the model becomes Markdown through a Jinja template (templates/plan.md.j2, workbook.md.j2), and
HTML, Word and PDF are built from that Markdown (html_export.py, docx_export.py), so every format
has the same chapters and an agency's own template changes all of them at once. JSON is the
answers themselves, for other tools.

Answers only ever reach Jinja as variables, never as template source, and every answer passes an
escaping filter for Markdown, so `{{ 7*7 }}`, `|`, `#` or a newline in an answer comes out as the
literal text the user typed without changing the document's structure. The Markdown is later
parsed with raw HTML disabled, so nothing typed can become markup in HTML or Word either.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional, Union

from deflect_cli import flow
from deflect_cli.answers import display, is_empty
from deflect_cli.content import Content
from deflect_cli.errors import DeflectError

FORMATS = ("md", "html", "docx", "pdf", "json")
BLANK_FORMATS = ("md", "html", "docx", "pdf")
BINARY_FORMATS = ("docx", "pdf")
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
SHORT_TYPES = ("text", "choice", "yes_no", "number", "date")

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


def md_heading(value) -> str:
    """Escape text for a heading: one line, and `#` escaped so a trailing `#` is not eaten as a closing marker."""
    return md_cell(value).replace("#", "\\#")


def md_url(value) -> str:
    """A web address as a Markdown autolink, or as escaped text if it is not a plain http(s) address."""
    text = str(value).strip()
    if re.fullmatch(r"https?://[^\s<>\\`]+", text):
        return f"<{text}>"
    return md_cell(text)


def slug(value) -> str:
    """The anchor a heading gets in HTML and Word (GitHub's rule, limited to ASCII)."""
    text = re.sub(r"[^a-z0-9 _-]", "", str(value).lower().strip())
    return re.sub(r" ", "-", text) or "section"


# ---------------------------------------------------------------- the document model


def _cells(question, rows) -> list:
    return [[display(c, row.get(c.id)) for c in question.columns] for row in rows]


def _item(question, plan, state: str) -> dict:
    value = flow.answer_of(plan.answers, question)
    answered = state == flow.ANSWERED
    return {
        "key": question.key,
        "id": question.id,
        "type": question.type,
        "label": question.label,
        "prompt": question.prompt,
        "help": question.help,
        "required": question.required,
        "status": state,
        "short": question.type in SHORT_TYPES,
        "answer": value if answered else None,
        "text": display(question, value) if answered else "",
        "entries": [display(question, [v]) for v in value] if answered and question.type == "multi_choice" else [],
        "columns": [c.label for c in question.columns],
        "rows": _cells(question, value) if answered and question.type == "table" else [],
    }


def build_document(content: Content, plan, include_guide: bool = False) -> dict:
    """Everything the plan template needs, computed once: cover, summary, chapters, open items, checks."""
    evaluation = flow.evaluate(content, plan.answers)
    visible = flow.visible_answers(evaluation, plan.answers)
    profile = visible.get("profile", {})
    chapters, open_items = [], []
    answered = applicable = skipped = 0
    for section in content.all_sections:
        items, still = [], []
        for question in section.questions:
            if not evaluation.applies(question):
                continue
            state = flow.status(question, plan.answers, plan.skipped)
            applicable += 1
            answered += state == flow.ANSWERED
            skipped += state == flow.SKIPPED
            (items if state == flow.ANSWERED else still).append(_item(question, plan, state))
        heading = f"{section.number}. {section.title}" if section.number else section.title
        chapter = {
            "id": section.id, "title": section.title, "number": section.number, "heading": heading,
            "anchor": slug(heading), "summary": section.summary, "guide": section.guide,
            "guide_markdown": guide_block(section) if include_guide and section.number else "",
            "answers": items, "open": still,
        }
        chapters.append(chapter)
        if still:
            open_items.append(chapter)
    checks = flow.firing_checks(content, evaluation)
    titles = {s.id: s.title for s in content.all_sections}
    still_count = applicable - answered
    date = (plan.updated or plan.created or "")[:10]
    if still_count:
        version = f"Draft of {date}, {still_count} question{'s' if still_count != 1 else ''} still to decide"
    else:
        version = f"Complete as of {date}"
    cover = [(item["label"], item["text"]) for item in chapters[0]["answers"] if item["id"] != "program_name"]
    return {
        "title": content.title,
        "content_version": content.version,
        "program_name": profile.get("program_name") or "Deflection program plan",
        "named": bool(profile.get("program_name")),
        "agency": profile.get("agency", ""),
        "jurisdiction": profile.get("jurisdiction", ""),
        "lead": ", ".join(str(profile[k]) for k in ("lead_name", "lead_title", "lead_email") if profile.get(k)),
        "date": date,
        "version": version,
        "cover": cover,
        "profile": chapters[0],
        "chapters": chapters[1:],
        "summary": _summary(content, visible),
        "progress": {"applicable": applicable, "answered": answered, "skipped": skipped,
                     "open": still_count, "checks": len(checks)},
        "still_to_decide": open_items,
        "checks": [c.message for c in checks],
        "check_items": [{"section": titles.get(c.section_id, ""), "message": c.message} for c in checks],
        "sources": _sources(content),
        "include_guide": include_guide,
        "orphaned": _orphaned(plan),
    }


def _orphaned(plan) -> list:
    """Issue 6: answers set aside when their question left the workbook or changed (deflect_cli.migrate)."""
    from deflect_cli.migrate import describe_value

    return [{"key": e["question"], "text": describe_value(e.get("answer")), "reason": e.get("reason") or "",
             "answer": e.get("answer")} for e in getattr(plan, "orphaned", [])]


def _answered(content: Content, visible: dict, key: str):
    """(question, value) for an answered, applicable question, or (question or None, None)."""
    question = content.question(key)
    if question is None:
        return None, None
    value = (visible.get(question.section_id) or {}).get(question.id)
    return question, (None if is_empty(value) else value)


def _column(question, column_id: str):
    return next((c for c in question.columns if c.id == column_id), None)


def _summary(content: Content, visible: dict) -> dict:
    """The executive summary, assembled from the answers the content contract names (any may be missing)."""
    facts = []
    _, one_sentence = _answered(content, visible, "communications.one_sentence")
    _, vision = _answered(content, visible, "introduction.vision")

    question, models = _answered(content, visible, "program_types.models")
    if models:
        facts.append(("Program models", display(question, models)))
    question, primary = _answered(content, visible, "program_types.primary_model")
    if primary:
        facts.append(("First model to launch", display(question, primary)))

    question, roster = _answered(content, visible, "partnerships.roster")
    if roster:
        names = [str(row["name"]) for row in roster if not is_empty(row.get("name"))]
        signed = sum(1 for row in roster if row.get("mou") == "signed")
        count = f"{len(roster)} partner{'s' if len(roster) != 1 else ''}"
        if _column(question, "mou") is not None:
            count += f" ({signed} with a signed agreement)"
        facts.append(("Partners", f"{count}: {'; '.join(names)}" if names else count))

    question, roles = _answered(content, visible, "staffing.roles")
    if roles:
        described = []
        for row in roles:
            text = str(row.get("role") or "")
            if not is_empty(row.get("name")):
                text += f" ({row['name']})" if text else str(row["name"])
            if text:
                described.append(text)
        funded = sum(1 for row in roles if row.get("funded") is True)
        count = f"{len(roles)} role{'s' if len(roles) != 1 else ''}"
        if _column(question, "funded") is not None:
            count += f" ({funded} funded)"
        facts.append(("Staffing", f"{count}: {'; '.join(described)}" if described else count))

    question, budget = _answered(content, visible, "funding.annual_budget")
    if budget is not None:
        facts.append(("Estimated first-year cost", display(question, budget)))
    question, start = _answered(content, visible, "launch.start_date")
    if start:
        facts.append(("Target launch date", display(question, start)))

    milestones = {"columns": [], "rows": []}
    question, rows = _answered(content, visible, "launch.milestones")
    if rows:
        status = _column(question, "status")
        due = _column(question, "due")
        upcoming = [r for r in rows if not (status and r.get("status") == "done")]
        if due is not None:
            upcoming.sort(key=lambda r: (r.get(due.id) is None, str(r.get(due.id) or "")))
        milestones = {"columns": [c.label for c in question.columns], "rows": _cells(question, upcoming[:5]),
                      "more": max(0, len(upcoming) - 5)}
    return {"one_sentence": one_sentence or "", "vision": vision or "", "facts": facts, "milestones": milestones}


def _sources(content: Content) -> list:
    seen, out = set(), []
    for source in [*content.sources, *(s for sec in content.sections for s in sec.sources)]:
        key = (source.get("url") or source["title"]).strip()
        if key not in seen:
            seen.add(key)
            out.append(source)
    return out


# ---------------------------------------------------------------- the blank workbook


_REFERENCE = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b")


def build_workbook(content: Content, include_guide: bool = False) -> dict:
    """Every question with its help, choices and space to write: the paper workbook for meetings."""
    numbers = {}
    sections = []
    for section in content.all_sections:
        questions = []
        for index, question in enumerate(section.questions, 1):
            number = f"{section.number}.{index}" if section.number else f"P.{index}"
            numbers[question.key] = number
            questions.append({
                "key": question.key, "number": number, "id": question.id, "type": question.type,
                "label": question.label, "prompt": question.prompt, "help": question.help,
                "required": question.required, "unit": question.unit, "other": question.other,
                "choices": [c.label for c in question.choices],
                "columns": [_blank_column(c) for c in question.columns],
                "depends_on": _depends_on(content, question, numbers),
                "lines": 6 if question.type == "long_text" else 1,
                "rows": 6,
            })
        heading = f"{section.number}. {section.title}" if section.number else section.title
        sections.append({
            "id": section.id, "title": section.title, "number": section.number, "heading": heading,
            "anchor": slug(heading), "summary": section.summary,
            "guide_markdown": guide_block(section) if include_guide and section.number else "",
            "questions": questions,
        })
    return {
        "title": content.title,
        "content_version": content.version,
        "question_count": sum(len(s["questions"]) for s in sections),
        "estimated_minutes": content.estimated_minutes,
        "sections": sections,
        "sources": _sources(content),
        "include_guide": include_guide,
    }


def _blank_column(column) -> dict:
    hint = {"yes_no": "yes / no", "date": "YYYY-MM-DD", "number": column.unit or "number"}.get(column.type, "")
    return {"label": column.label, "required": column.required, "hint": hint,
            "choices": [c.label for c in column.choices], "type": column.type}


def _depends_on(content: Content, question, numbers: dict) -> list:
    """The earlier questions a `when:` condition reads, named the way a person can find them on paper."""
    if not question.when:
        return []
    found = []
    for section_id, question_id in _REFERENCE.findall(question.when):
        other = content.question(f"{section_id}.{question_id}")
        if other is not None and other.key != question.key:
            entry = f"{other.label} ({numbers.get(other.key, other.key)})"
            if entry not in found:
                found.append(entry)
    return found


# ---------------------------------------------------------------- guide text inside a document

_ATX = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def shift_headings(markdown: str, by: int) -> str:
    """Demote every ATX heading by `by` levels (at most 6), leaving fenced code alone."""
    out, fence = [], None
    for line in markdown.split("\n"):
        marker = _FENCE.match(line)
        if fence is None and marker:
            fence = marker.group(1)[0]
        elif fence is not None and marker and marker.group(1)[0] == fence:
            fence = None
        elif fence is None:
            line = _ATX.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + by), line)
        out.append(line)
    return "\n".join(out)


def guide_block(section) -> str:
    """A section's guide text as a block quote under a chapter: headings demoted below the chapter's."""
    from deflect_cli.guide import section_markdown

    text = section_markdown(section).strip()
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        text = rest.strip()
    text = "**From the guide**\n\n" + shift_headings(text, 2)
    return "\n".join(("> " + line) if line.strip() else ">" for line in text.split("\n"))


# ---------------------------------------------------------------- templates


def environment(templates: Optional[str] = None, autoescape: bool = False):
    """A sandboxed Jinja environment over the bundled templates, with an agency's folder in front.

    A template missing from `--templates DIR` falls back to the bundled one, so an agency can
    replace just the stylesheet or just the Markdown. HTML templates get autoescaping; Markdown
    templates escape with the md filters instead.
    """
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from deflect_cli import resources

    bundled = resources.templates_dir()
    loaders = [FileSystemLoader(str(bundled))]
    if templates:
        folder = resources.templates_dir(templates)
        if not folder.is_dir():
            raise DeflectError(f"{folder}: templates folder not found.")
        loaders.insert(0, FileSystemLoader(str(folder)))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = md_text
    env.filters["md_cell"] = md_cell
    env.filters["md_heading"] = md_heading
    env.filters["md_url"] = md_url
    env.filters["slug"] = slug
    from deflect_cli import cache

    cache.cache_templates(env)  # compiled templates kept across runs (start-up time, issue #7)
    return env


def render_named(env, name: str, **variables) -> str:
    """Render one template; a broken agency template is one clear line, not a traceback."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError


    try:
        template = env.get_template(name)
    except TemplateNotFound:
        raise DeflectError(f"{name}: template not found.") from None
    except TemplateSyntaxError as exc:
        raise DeflectError(f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}") from None
    try:
        return template.render(**variables)
    except TemplateError as exc:
        raise DeflectError(f"{template.filename or name}: template error: {exc}") from None


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


def export(content: Content, plan, fmt: str, *, templates: Optional[str] = None,
           include_guide: bool = False, blank: bool = False) -> Union[str, bytes]:
    """The plan (or, with blank=True, the empty workbook; `plan` is then ignored) in one format.

    md and json need only Jinja; html adds markdown-it-py, docx python-docx, pdf WeasyPrint,
    each imported here only when asked for so `export --format md` stays quick.
    """

    if fmt not in FORMATS:
        raise DeflectError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    if blank and fmt not in BLANK_FORMATS:
        raise DeflectError(f"the blank workbook comes as {', '.join(BLANK_FORMATS)}, not {fmt}.")
    if fmt == "json":
        return render_json(content, plan)
    env = environment(templates)
    if blank:
        markdown = render_named(env, "workbook.md.j2", doc=build_workbook(content, include_guide))
        title, author, date = content.title, "", ""
    else:
        doc = build_document(content, plan, include_guide)
        markdown = render_named(env, "plan.md.j2", doc=doc)
        title, author, date = doc["program_name"], str(doc["agency"]), doc["date"]
    if fmt == "md":
        return markdown
    meta = {"title": title, "kind": "workbook" if blank else "plan", "date": date, "author": author,
            "content_title": content.title, "content_version": content.version}
    if fmt == "docx":
        from deflect_cli.docx_export import markdown_to_docx

        return markdown_to_docx(markdown, meta, templates)
    from deflect_cli.html_export import html_to_pdf, markdown_to_html

    html = markdown_to_html(markdown, meta, templates)
    if fmt == "html":
        return html
    return html_to_pdf(html)
