"""The plan and the blank workbook laid out as a document of typed blocks (blocks.py): cover,
contents, the chapters an outline names in its order (chapters.py builds what goes in each), and
the appendices. Each format renders the document natively (markdown.py, html.py, docx.py).
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content import qtypes
from deflect_cli.export import chapters as parts_of
from deflect_cli.export.blocks import (
    AnswerField,
    Break,
    Document,
    Guide,
    Heading,
    Link,
    List,
    ListItem,
    Paragraph,
    Text,
    block_text,
    facts_table,
    text_blocks,
    typed_table,
)
from deflect_cli.export.text import slug
from deflect_cli.grammar import plural
from deflect_cli.mdtext import one_line


def _contents(entries) -> list:
    """The contents list: (heading text, anchor) links."""
    return [Heading(2, "Contents", anchor="contents"),
            List([ListItem([Link(one_line(text), f"#{anchor}")]) for text, anchor in entries])]


# ---------------------------------------------------------------- the plan


def plan_document(doc: dict, content, outline=None, chain: Optional[dict] = None, *, final: bool = False,
                  mermaid: bool = False) -> Document:
    """A plan's document in an outline's order (the built-in `plan` outline by default): cover,
    contents, then each chapter the outline names, and the answers set aside (always last, so
    nothing is lost). `chain` holds facts.py's results chain, register, pathway and budget."""
    from deflect_cli.export.outline import PLAN

    outline = outline or PLAN
    chain = chain or {}
    draft = not final and doc["progress"]["open"] > 0
    blocks = _cover(doc, outline, final, draft)
    chapters, limits = _outline_chapters(doc, outline, chain, final=final, mermaid=mermaid)
    chapters += _appendices(doc)
    blocks += _contents([(heading.full, heading.anchor) for heading, _ in chapters])
    for heading, body in chapters:
        blocks += [heading, *body]
    meta = {"title": doc["program_name"], "kind": "plan", "date": doc["date"], "author": str(doc["agency"]),
            "content_title": content.title, "content_version": content.version, "outline": outline.name,
            "draft": draft, "limits": limits}
    context = {**doc, "chain": chain, "outline": outline.name, "draft": draft, "final": final}
    return Document(blocks, meta, context, chain)


def _cover(doc: dict, outline, final: bool, draft: bool) -> list:
    """Title, who the plan is by, the draft mark, the plan's facts and where the workbook comes from."""
    blocks: list = [Heading(1, doc["program_name"])]
    byline = " · ".join(str(x) for x in (doc["agency"], doc["jurisdiction"]) if x)
    if doc["named"]:
        runs: list = [Text("Deflection program plan", bold=True)]
        if byline:
            runs += [Break(), Text(one_line(byline))]
        blocks.append(Paragraph(runs))
    elif byline:
        blocks.append(Paragraph([Text(one_line(byline))]))
    if draft:
        count = doc["progress"]["open"]
        blocks.append(Paragraph([Text("Draft", bold=True),
                                 Text(f": {plural(count, 'question')} still to decide (see \"Still to decide\").")]))
    version = f"Final, {doc['date']}" if final else doc["version"]
    blocks.append(facts_table([*doc["cover"], ("Plan date", doc["date"]), ("Plan version", version),
                               ("Plan depth", doc["depth"]),
                               ("Workbook", f"{doc['title']}, version {doc['content_version']}")]))
    blocks += text_blocks(doc["provenance"])
    if outline.note:
        blocks += text_blocks(outline.note, italic=True)
    return blocks


def _outline_chapters(doc: dict, outline, chain: dict, *, final: bool, mermaid: bool) -> tuple:
    """(heading, body) for each chapter the outline names, in its order, and the chapters over the
    outline's word or character limits."""
    from deflect_cli.export.facts import COVERS

    placed = {p.split(":", 1)[1] for ch in outline.chapters for p in ch.parts if p.startswith("section:")}
    placed |= {p.split(":", 1)[1].split(".")[0] for ch in outline.chapters for p in ch.parts
               if p.startswith("question:")}
    used = {p for ch in outline.chapters for p in ch.parts}
    covered = {key for p in used for key in COVERS.get(p, ())} if chain else set()
    context = {"doc": doc, "chain": chain, "final": final, "mermaid": mermaid, "placed": placed, "covered": covered,
               "include_guide": doc.get("include_guide", False)}
    chapters: list = []
    limits: list = []
    for entry in outline.chapters:
        if entry.sections:
            chapters += [(Heading(2, c["title"], number=f"{c['number']}.", anchor=c["anchor"]),
                          parts_of.section_chapter(c)[1:]) for c in doc["chapters"]]
        elif not (final and entry.parts == ["still_to_decide"]):
            body = _outline_chapter(entry, context, limits)
            if body is not None:
                chapters.append((Heading(2, entry.heading, anchor=slug(entry.heading)), body))
    return chapters, limits


def _outline_chapter(entry, context: dict, limits: list) -> Optional[list]:
    """One outline chapter's body from its parts; None for an optional chapter the plan has nothing
    for. A chapter over its limit is noted in `limits` (and, in a draft, under the chapter)."""
    body: list = []
    for part in entry.parts:
        body += parts_of.part(part, context)
    if not body and entry.optional:
        return None
    if entry.intro:
        body = text_blocks(entry.intro) + body
    if not body:
        body = [Paragraph([Text("Nothing in the plan for this part yet.", italic=True)])]
    over = _over_limit(entry, body)
    if over:
        limits.append(f"{entry.heading}: {over}")
        if not context["final"]:
            body.append(Paragraph([Text(f"Over the outline's limit: {over}.", italic=True)]))
    return body


def _over_limit(entry, body: list) -> str:
    """'1,204 words (limit 1,000)' when a chapter's text runs over the outline's limit, else ''."""
    if not (entry.words or entry.characters):
        return ""
    text = " ".join(block_text(body))
    if entry.words and len(text.split()) > entry.words:
        return f"{len(text.split()):,} words (limit {entry.words:,})"
    if entry.characters and len(text) > entry.characters:
        return f"{len(text):,} characters (limit {entry.characters:,})"
    return ""


def _appendices(doc: dict) -> list:
    """(heading, body) for the answers set aside by content changes and for who answered, when the
    plan has any: always last, whatever the outline, so nothing is lost."""
    out: list = []
    if doc["orphaned"]:
        title = "Appendix: earlier answers set aside"
        out.append((Heading(2, title, anchor=slug(title)), [
            Paragraph([Text("These answers were given to questions that later changed or left the workbook. "
                            "They are kept here so"), Break(soft=True),
                       Text("nothing is lost; carry over what still matters.")]),
            List([ListItem([Text(one_line(item["key"]), bold=True),
                            Text(f" ({one_line(item['reason'])}): {one_line(item['text'])}")])
                  for item in doc["orphaned"]])]))
    if doc.get("contributors"):
        title = "Appendix: who answered"
        out.append((Heading(2, title, anchor=slug(title)), [
            Paragraph([Text("Who gave the answers in each section, as recorded in the plan.")]),
            typed_table(["Section", "Answered by"], doc["contributors"])]))
    return out


# ---------------------------------------------------------------- the blank workbook


def workbook_document(doc: dict, content) -> Document:
    """The blank workbook: every question with its help, choices and room to write."""
    blocks: list = [
        Heading(1, doc["title"]),
        Paragraph([Text("Blank workbook for planning meetings", bold=True), Break(),
                   Text(f"Version {one_line(doc['content_version'])} · {doc['question_count']} questions "
                        f"in {len(doc['sections'])} parts")]),
        facts_table([(label, "") for label in ("Program name", "Lead agency", "Meeting date", "People present")]),
        Paragraph([Text("Write answers in the spaces and tick the boxes (☐). Questions marked "),
                   Text("required", italic=True),
                   Text(" are needed for a complete plan; anything you cannot settle yet can be left blank and "
                        "decided later. Afterwards, type the answers in with "),
                   Text("deflect start", code=True), Text(" (or "), Text("deflect resume", code=True),
                   Text("); the numbers follow the order the wizard asks them in.")]),
        *text_blocks(doc["provenance"]),
    ]
    entries = [((f"{s['number']}. " if s["number"] else "") + s["title"], s["anchor"]) for s in doc["sections"]]
    if doc["sources"]:
        entries.append(("Sources", slug("Sources")))
    blocks += _contents(entries)
    for section in doc["sections"]:
        blocks.append(Heading(2, section["title"], number=f"{section['number']}." if section["number"] else "",
                              anchor=section["anchor"]))
        blocks += text_blocks(section["summary"] or "")
        if section["guide_markdown"]:
            blocks.append(Guide(section["guide_markdown"]))
        for question in section["questions"]:
            blocks += _blank_question(question)
    if doc["sources"]:
        blocks += parts_of.sources_chapter(doc["sources"])
    meta = {"title": content.title, "kind": "workbook", "date": "", "author": "",
            "content_title": content.title, "content_version": content.version}
    return Document(blocks, meta, doc)


def _blank_question(q: dict) -> list:
    runs: list = [Text(one_line(q["prompt"]), bold=True)]
    if q["required"]:
        runs += [Text(" "), Text("(required)", italic=True)]
    blocks: list = [Heading(3, q["label"], number=q["number"]), Paragraph(runs)]
    if q["depends_on"]:
        blocks.append(Paragraph([Text("Answer only if it applies; it depends on your answer to "
                                      + "; ".join(one_line(d) for d in q["depends_on"]) + ".", italic=True)]))
    blocks += text_blocks(q["help"] or "")
    kind = qtypes.get(q["type"])
    if kind.input == "yes_no":
        blocks.append(AnswerField("yes_no"))
    elif kind.input in ("choice", "multi_choice"):
        blocks.append(AnswerField("choice" if kind.input == "choice" else "multi", choices=q["choices"],
                                  other=q["other"]))
    elif kind.input == "table":
        hints = [(c["label"], "one of " + ", ".join(c["choices"]) if c["choices"] else c["hint"], c["required"])
                 for c in q["columns"] if c["choices"] or c["hint"]]
        blocks.append(AnswerField("table", columns=[c["label"] for c in q["columns"]], lines=q["rows"], hints=hints))
    else:
        blocks.append(AnswerField("lines", label=kind.blank_label(q["unit"]), lines=q["lines"]))
    return blocks
