"""The facts a plan document states, as plain data: cover, summary, chapters, open items, checks.

`build_document` (a plan) and `build_workbook` (the blank workbook) compute everything once;
document.py lays the facts out as typed blocks, and an agency's own Markdown template
(`plan.md.j2` / `workbook.md.j2` in --templates DIR) receives them as `doc` (docs/templates.md).
Values stay data here: nothing is escaped or formatted for any one output.
"""

from __future__ import annotations

import re

from deflect_cli.content import qtypes, resources
from deflect_cli.content.answers import cell, display, is_empty
from deflect_cli.content.model import Content, reference
from deflect_cli.export.text import slug
from deflect_cli.grammar import plural
from deflect_cli.plan import budget, flow


def cell_type(rule) -> str:
    """What a table cell holds, so each format can set it right: text, number, money, percent or date."""
    return qtypes.get(rule.type).cell_kind(rule)


def _cells(question, rows) -> list:
    return [[display(c, cell(c, row)) for c in question.columns] for row in rows]


def _item(question, plan, state: str) -> dict:
    value = flow.answer_of(plan.answers, question)
    answered = state == flow.ANSWERED
    kind = qtypes.get(question.type)
    return {
        "key": question.key,
        "id": question.id,
        "type": question.type,
        "label": question.label,
        "prompt": question.prompt,
        "help": question.help,
        "required": question.required,
        "status": state,
        "short": kind.short,
        "answer": value if answered else None,
        "text": display(question, value) if answered else "",
        "entries": [display(question, [v]) for v in value] or [display(question, value)]
        if answered and kind.input == "multi_choice" else [],
        "columns": [c.label for c in question.columns],
        "column_types": [cell_type(c) for c in question.columns],
        "rows": _cells(question, value) if answered and kind.input == "table" else [],
    }


def build_document(content: Content, plan, include_guide: bool = False) -> dict:
    """Everything the plan template needs, computed once: cover, summary, chapters, open items, checks."""
    from deflect_cli.plan.model import depth_text

    content = content.worded(plan.answers)  # every prompt, label and choice as this plan's lead reads it
    evaluation = flow.evaluate(content, plan.answers, plan.core)
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
        heading = section.heading()
        if section.id == "funding":
            items += _budget_items(content, visible)
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
        version = f"Draft of {date}, {plural(still_count, 'question')} still to decide"
    else:
        version = f"Complete as of {date}"
    cover = [(item["label"], "; ".join(", ".join(c for c in row if c) for row in item["rows"]) or item["text"])
             for item in chapters[0]["answers"] if item["id"] != "program_name"]  # a table (counties) row by row
    return {
        "title": content.title,
        "content_version": content.version,
        "provenance": f"Prepared with deflect. {resources.PROVENANCE}",
        "program_name": profile.get("program_name") or "Deflection program plan",
        "named": bool(profile.get("program_name")),
        "agency": " and ".join(str(profile[k]) for k in ("agency", "co_lead_agency") if profile.get(k)),
        "jurisdiction": profile.get("jurisdiction", ""),
        "lead": ", ".join(str(profile[k]) for k in ("lead_name", "lead_title", "lead_email") if profile.get(k)),
        "date": date,
        "version": version,
        "depth": depth_text(plan),
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
        "contributors": _contributors(content, plan),
    }


def _contributors(content: Content, plan) -> list:
    """Who answered each section (plan format 3 attribution), unless the plan's settings hide it."""
    if not getattr(plan, "attribution_shown", False):
        return []
    out = []
    for section in content.all_sections:
        text = plan.contributors_text(section.id)
        if text:
            out.append((f"{section.number}. {section.title}" if section.number else section.title, text))
    return out


def _orphaned(plan) -> list:
    """Issue 6: answers set aside when their question left the workbook or changed (deflect_cli.plan.migrate)."""
    from deflect_cli.plan.migrate import describe_value

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
    _, goals = _answered(content, visible, "introduction.goals")
    vision = "\n\n".join(" ".join(str(row[k]) for k in ("code", "goal") if not is_empty(row.get(k)))
                         for row in goals or [] if not is_empty(row.get("goal")))

    question, models = _answered(content, visible, "program_types.models")
    if models:
        facts.append(("Program models", display(question, models)))
    question, primary = _answered(content, visible, "program_types.primary_model")
    if primary:
        facts.append(("First model to launch", display(question, primary)))

    question, roster = _answered(content, visible, "partnerships.roster")
    if roster:
        facts.append(("Partners", partners_fact(question, roster)))

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
        count = plural(len(roles), "role")
        if _column(question, "funded") is not None:
            count += f" ({funded} funded)"
        facts.append(("Staffing", f"{count}: {'; '.join(described)}" if described else count))

    worked = budget.compute(content, visible)
    if worked is not None and worked.total:
        by_year = "; ".join(f"year {y} {budget.money(worked.by_year.get(y, 0.0))}" for y in range(1, worked.years + 1))
        shares = f"federal {budget.money(worked.federal)}, non-federal {budget.money(worked.non_federal)}"
        if worked.unassigned:
            shares += f", no source named {budget.money(worked.unassigned)}"
        facts.append(("Budget", f"{budget.money(worked.total)} over {worked.years} year"
                                f"{'s' if worked.years != 1 else ''} ({by_year}); {shares}"))
    question, start = _answered(content, visible, "launch.start_date")
    if start:
        facts.append(("Target launch date", display(question, start)))
    question, served = _answered(content, visible, "launch.served_year_one")
    if served is not None:
        facts.append(("People to serve in year one", display(question, served)))

    milestones = {"columns": [], "rows": []}
    question, rows = _answered(content, visible, "launch.activities")
    # A milestone is an activity marked as one, or one that starts and ends on the same day.
    rows = [r for r in rows or [] if r.get("milestone") is True or (r.get("start") and r.get("start") == r.get("end"))]
    if rows:
        upcoming = [r for r in rows if r.get("status") != "done"]
        upcoming.sort(key=lambda r: (not (r.get("end") or r.get("start")), str(r.get("end") or r.get("start") or "")))
        milestones = {"columns": [c.label for c in question.columns], "rows": _cells(question, upcoming[:5]),
                      "column_types": [cell_type(c) for c in question.columns],
                      "more": max(0, len(upcoming) - 5)}
    return {"one_sentence": one_sentence or "", "vision": vision or "", "facts": facts, "milestones": milestones}


def _budget_items(content: Content, visible: dict) -> list:
    """The budget's totals as two tables after the answers of the funding chapter: by category and
    year (fringe and indirect from the rates), and by funding source. Worked out, never typed."""
    worked = budget.compute(content, visible)
    if worked is None or not worked.total:
        return []
    years = list(range(1, worked.years + 1))
    labels = {c.value: c.label for c in next(c for c in content.question("funding.budget").columns
                                              if c.id == "category").choices}
    rows = [[labels.get(category, category), *(budget.money(worked.by_year_category.get((y, category), 0.0))
                                                for y in years), budget.money(worked.by_category[category])]
            for category in (*budget.CATEGORIES, *sorted(set(worked.by_category) - set(budget.CATEGORIES)))
            if worked.by_category.get(category)]
    rows.append(["Total", *(budget.money(worked.by_year.get(y, 0.0)) for y in years), budget.money(worked.total)])
    rows.append(["Secured", *(budget.money(worked.secured_by_year.get(y, 0.0)) for y in years), ""])
    sources = {str(s.get("source")): s for s in (visible.get("funding", {}).get("sources") or [])
               if isinstance(s, dict)}
    by_source = [[name or "No source named",
                  "" if name not in sources or sources[name].get("federal") is None
                  else ("Yes" if sources[name]["federal"] else "No"), budget.money(amount)]
                 for name, amount in worked.by_source.items()]
    by_source.append(["Federal share", "", budget.money(worked.federal)])
    by_source.append(["Non-federal share", "", budget.money(worked.non_federal)])
    return [_worked_table("budget_by_year", "Budget by category and year (worked out)",
                          ["Category", *(f"Year {y}" for y in years), "Total"],
                          ["text", *("money" for _ in years), "money"], rows),
            _worked_table("budget_by_source", "Budget by funding source (worked out)",
                          ["Source", "Federal", "Total"], ["text", "text", "money"], by_source)]


def _worked_table(key: str, label: str, columns: list, types: list, rows: list) -> dict:
    return {"key": f"funding.{key}", "id": key, "type": "table", "label": label, "prompt": label, "help": "",
            "required": False, "status": flow.ANSWERED, "short": False, "answer": rows, "text": "",
            "entries": [], "columns": columns, "column_types": types, "rows": rows}


def partners_fact(question, roster: list) -> str:
    """"7 partners (3 with a signed agreement, 2 not recorded): A; B": the register's partners (rows not
    marked as other stakeholders) and their agreements. A blank MOU status is "not recorded", never
    counted as "no agreement", so a plan that does not track MOUs does not read as a finding."""
    partners = [row for row in roster if row.get("partner") is not False] if _column(question, "partner") else roster
    names = [str(row["name"]) for row in partners if not is_empty(row.get("name"))]
    count = plural(len(partners), "partner")
    if _column(question, "mou") is not None and partners:
        unknown = sum(1 for row in partners if is_empty(row.get("mou")))
        signed = sum(1 for row in partners if row.get("mou") == "signed")
        if unknown == len(partners):
            count += " (agreement status not recorded)"
        elif unknown:
            count += f" ({signed} with a signed agreement, {unknown} not recorded)"
        else:
            count += f" ({signed} with a signed agreement)"
    return f"{count}: {'; '.join(names)}" if names else count


def _sources(content: Content) -> list:
    seen, out = set(), []
    for source in [*content.sources, *(s for sec in content.sections for s in sec.sources)]:
        key = (source.get("url") or source["title"]).strip()
        if key not in seen:
            seen.add(key)
            out.append({**source, "title": reference(source)})  # the full reference: text cites [Key]
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
                "lines": 6 if qtypes.get(question.type).input == "long_text" else 1,
                "rows": 6,
            })
        heading = section.heading()
        sections.append({
            "id": section.id, "title": section.title, "number": section.number, "heading": heading,
            "anchor": slug(heading), "summary": section.summary,
            "guide_markdown": guide_block(section) if include_guide and section.number else "",
            "questions": questions,
        })
    return {
        "title": content.title,
        "content_version": content.version,
        "provenance": f"Prepared with deflect. {resources.PROVENANCE}",
        "question_count": sum(len(s["questions"]) for s in sections),
        "estimated_minutes": content.estimated_minutes,
        "sections": sections,
        "sources": _sources(content),
        "include_guide": include_guide,
    }


def _blank_column(column) -> dict:
    hint = qtypes.get(column.type).blank_hint(column)
    if column.computed:
        hint = "worked out from the row"
    elif column.choices_from:
        hint = f"one of the {column.choices_from.rsplit('.', 1)[1].replace('_', ' ')} entries above"
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
    from deflect_cli.content.guide import section_markdown

    text = section_markdown(section).strip()
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        text = rest.strip()
    text = "**From the guide**\n\n" + shift_headings(text, 2)
    return "\n".join(("> " + line) if line.strip() else ">" for line in text.split("\n"))
