"""The document every format renders: typed blocks, and the plan and blank workbook laid out in them.

Markdown used to be the intermediate of every format, so nothing Markdown cannot say (an SVG figure,
a shaded Word cell, a typed spreadsheet cell, a form field) could reach HTML or Word. Now
`plan_document` and `workbook_document` lay out the facts of model.py as blocks, and each format
renders the blocks natively (markdown.py, html.py, docx.py). Text in a block is always data:
plain strings that each renderer escapes for its own format.

Blocks: Heading, Paragraph (of inline runs: Text, Link, Break), BulletList / numbered lists (List),
Table (cells typed text, number, money, percent or date), Figure (a drawing spec, a caption and
the same facts as a table), Steps (numbered steps), AnswerField (space to write in a blank
workbook) and Guide (content-authored Markdown, parsed by the formats that need it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

from deflect_cli.content import qtypes
from deflect_cli.export.text import URL, cell_text, one_line, paragraphs, slug
from deflect_cli.grammar import plural

_HEX = re.compile(r"[0-9A-Fa-f]{6}")
NUMERIC = ("number", "money", "percent")

# ---------------------------------------------------------------- inline runs


@dataclass
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    mark: bool = False  # a placeholder for a missing answer: highlighted in HTML and Word


@dataclass
class Link:
    """A link: `#anchor` to a heading of the same document, or an http(s) address (nothing else is linked)."""
    text: str
    href: str


@dataclass
class Break:
    """A line break inside a paragraph; soft=True is Markdown's plain newline (a space in Word)."""
    soft: bool = False


Run = Union[Text, Link, Break]

# ---------------------------------------------------------------- blocks


@dataclass
class Heading:
    """Level 1 is the document title, 2 a chapter (with the anchor its contents link uses), 3 an item."""
    level: int
    text: str
    number: str = ""  # "3." for a chapter, "2.3" for a workbook question: structural, never escaped
    anchor: str = ""

    @property
    def full(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass
class Paragraph:
    runs: list


@dataclass
class ListItem:
    runs: list
    children: list = field(default_factory=list)  # nested blocks (guide text)


@dataclass
class List:
    items: list
    ordered: bool = False
    start: int = 1


@dataclass
class Cell:
    """One table cell: `text` is what a reader sees; `type` says what it holds (text, number, money,
    percent, date), so a format can align it, or a spreadsheet store `value` as a number."""
    text: str
    type: str = "text"
    value: object = None
    shade: str = ""  # a background as six hex digits (a timeline's filled period), for HTML and Word

    def __post_init__(self):
        if self.shade and not _HEX.fullmatch(self.shade):
            raise ValueError(f"shade must be six hex digits, not {self.shade!r}")


@dataclass
class Table:
    """`header` labels (empty: a two-column facts table with no header row); `blank`: space to write in."""
    header: list
    rows: list  # of lists of Cell
    blank: bool = False
    widths: list = field(default_factory=list)  # relative column widths, for page formats (a timeline's label column)

    @property
    def facts(self) -> bool:
        return not self.header

    def numeric_columns(self) -> set:
        """Columns whose filled cells all hold numbers: right-aligned, header included."""
        found = set()
        for index in range(len(self.header)):
            cells = [row[index] for row in self.rows if index < len(row) and row[index].text]
            if cells and all(c.type in NUMERIC for c in cells):
                found.add(index)
        return found


@dataclass
class Drawing:
    """A picture described as data, drawn by the formats that can (HTML's inline SVG): `kind` names
    the drawer, `spec` holds what it needs, `title` and `description` are its accessible name."""
    kind: str
    spec: dict
    title: str = ""
    description: str = ""


@dataclass
class Figure:
    """A picture and the same facts as a table: every format shows the table; HTML also draws it."""
    caption: str
    table: Table
    drawing: Optional[Drawing] = None
    steps: Optional["Steps"] = None  # steps in order: Markdown shows them as a numbered list, not the table
    mermaid: bool = False            # Markdown adds a Mermaid flowchart of the steps (--mermaid)


@dataclass
class Steps:
    """Numbered steps in order (e.g. a referral pathway): each a short title and what happens."""
    steps: list  # of (title, text)


@dataclass
class AnswerField:
    """Room for a handwritten answer in the blank workbook.

    kind: "lines" (`label` over `lines` empty rows), "yes_no", "choice" / "multi" (`choices`, `other`)
    or "table" (`columns`, `lines` empty rows, and `hints` per column). `blocks()` spells it out in
    paragraphs and tables for formats with nothing more native (all of them today; Word form
    fields or PDF form fields would render it natively).
    """
    kind: str
    label: str = ""
    lines: int = 1
    choices: list = field(default_factory=list)
    other: bool = False
    columns: list = field(default_factory=list)
    hints: list = field(default_factory=list)  # (label, hint, required) for table columns

    def blocks(self) -> list:
        if self.kind == "yes_no":
            return [Paragraph([Text("☐ Yes\u2003\u2003\u2003☐ No")])]
        if self.kind in ("choice", "multi"):
            runs: list = [Text("Tick one." if self.kind == "choice" else "Tick all that apply.", italic=True)]
            for choice in self.choices:
                runs += [Break(), Text(f"☐ {one_line(choice)}")]
            if self.other:
                runs += [Break(), Text("☐ Other: " + "_" * 40)]
            return [Paragraph(runs)]
        if self.kind == "table":
            out: list = [Table(list(self.columns), [[Cell("") for _ in self.columns] for _ in range(self.lines)],
                               blank=True)]
            if self.hints:
                out.append(List([ListItem([Text(f"{label}:", bold=True),
                                           Text(f" {hint}" + (" (required)" if required else ""))])
                                 for label, hint, required in self.hints]))
            return out
        return [Table([self.label], [[Cell("")] for _ in range(self.lines)], blank=True)]


@dataclass
class Quote:
    """Quoted blocks (the guide's text inside a chapter)."""
    blocks: list


@dataclass
class Guide:
    """The guide's own text under a chapter (--include-guide): content-authored Markdown, already a
    block quote with its headings demoted below the chapter's. The Markdown export prints it as it
    is; HTML and Word parse it into blocks (mdparse.py), with raw HTML off."""
    markdown: str


Block = Union[Heading, Paragraph, List, Table, Figure, Steps, AnswerField, Quote, Guide]


@dataclass
class Document:
    """The blocks, and what the formats put around them (title, page footer, file properties)."""
    blocks: list
    meta: dict
    context: dict  # model.py's facts, for an agency's own Markdown template
    chain: dict = field(default_factory=dict)  # facts.py's results chain and budget (for xlsx and csv)


# ---------------------------------------------------------------- helpers


def text_blocks(value, italic: bool = False) -> list:
    """Free text as paragraphs; line breaks inside a paragraph are kept."""
    out = []
    for lines in paragraphs(value):
        runs: list = []
        for line in lines:
            if runs:
                runs.append(Break())
            runs.append(Text(line, italic=italic))
        out.append(Paragraph(runs))
    return out


def _facts(pairs) -> Table:
    return Table([], [[Cell(one_line(label)), Cell(cell_text(text))] for label, text in pairs])


def _table(columns, rows, types=None) -> Table:
    types = types or ["text"] * len(columns)
    return Table([one_line(c) for c in columns],
                 [[Cell(cell_text(text), kind) for text, kind in zip(row, types)] for row in rows])


def _link_or_text(url: str) -> list:
    url = str(url).strip()
    return [Link(url, url)] if URL.fullmatch(url) else [Text(one_line(url))]


def _contents(entries) -> list:
    """The contents list: (heading text, anchor) links."""
    return [Heading(2, "Contents", anchor="contents"),
            List([ListItem([Link(one_line(text), f"#{anchor}")]) for text, anchor in entries])]


def _sources(sources, intro: str = "") -> list:
    out: list = [Heading(2, "Sources", anchor=slug("Sources"))]
    if intro:
        out.append(Paragraph([Text(intro)]))
    items = []
    for source in sources:
        runs: list = [Text(one_line(source["title"]))]
        if source.get("url"):
            runs += [Text(": ")] + _link_or_text(source["url"])
        items.append(ListItem(runs))
    out.append(List(items))
    return out


# ---------------------------------------------------------------- the plan


def plan_document(doc: dict, content, outline=None, chain: Optional[dict] = None, *, final: bool = False,
                  mermaid: bool = False) -> Document:
    """A plan's document in an outline's order (the built-in `plan` outline by default): cover,
    contents, then each chapter the outline names, and the answers set aside (always last, so
    nothing is lost). `chain` holds facts.py's results chain, register, pathway and budget."""
    from deflect_cli.export import chapters as parts_of
    from deflect_cli.export.outline import PLAN

    outline = outline or PLAN
    chain = chain or {}
    draft = not final and doc["progress"]["open"] > 0
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
    blocks.append(_facts([*doc["cover"], ("Plan date", doc["date"]), ("Plan version", version),
                          ("Plan depth", doc["depth"]),
                          ("Workbook", f"{doc['title']}, version {doc['content_version']}")]))
    blocks += text_blocks(doc["provenance"])
    if outline.note:
        blocks += text_blocks(outline.note, italic=True)

    placed = {p.split(":", 1)[1] for ch in outline.chapters for p in ch.parts if p.startswith("section:")}
    placed |= {p.split(":", 1)[1].split(".")[0] for ch in outline.chapters for p in ch.parts
               if p.startswith("question:")}
    from deflect_cli.export.facts import COVERS

    used = {p for ch in outline.chapters for p in ch.parts}
    covered = {key for p in used for key in COVERS.get(p, ())} if chain else set()
    context = {"doc": doc, "chain": chain, "final": final, "mermaid": mermaid, "placed": placed, "covered": covered,
               "include_guide": doc.get("include_guide", False)}
    chapters: list = []  # (heading, body)
    limits: list = []
    for entry in outline.chapters:
        if entry.sections:
            chapters += [(Heading(2, c["title"], number=f"{c['number']}.", anchor=c["anchor"]), _chapter(c)[1:])
                         for c in doc["chapters"]]
            continue
        if final and entry.parts == ["still_to_decide"]:
            continue
        body: list = []
        for part in entry.parts:
            body += parts_of.part(part, context)
        if not body and entry.optional:
            continue
        if entry.intro:
            body = text_blocks(entry.intro) + body
        if not body:
            body = [Paragraph([Text("Nothing in the plan for this part yet.", italic=True)])]
        over = _over_limit(entry, body)
        if over:
            limits.append(f"{entry.heading}: {over}")
            if not final:
                body.append(Paragraph([Text(f"Over the outline's limit: {over}.", italic=True)]))
        chapters.append((Heading(2, entry.heading, anchor=slug(entry.heading)), body))
    entries = [(heading.full, heading.anchor) for heading, _ in chapters]
    if doc["orphaned"]:
        entries.append(("Appendix: earlier answers set aside", slug("Appendix: earlier answers set aside")))
    if doc.get("contributors"):
        entries.append(("Appendix: who answered", slug("Appendix: who answered")))
    blocks += _contents(entries)
    for heading, body in chapters:
        blocks += [heading, *body]
    if doc["orphaned"]:
        title = "Appendix: earlier answers set aside"
        blocks += [Heading(2, title, anchor=slug(title)),
                   Paragraph([Text("These answers were given to questions that later changed or left the workbook. "
                                   "They are kept here so"), Break(soft=True),
                              Text("nothing is lost; carry over what still matters.")]),
                   List([ListItem([Text(one_line(item["key"]), bold=True),
                                   Text(f" ({one_line(item['reason'])}): {one_line(item['text'])}")])
                         for item in doc["orphaned"]])]
    if doc.get("contributors"):
        title = "Appendix: who answered"
        blocks += [Heading(2, title, anchor=slug(title)),
                   Paragraph([Text("Who gave the answers in each section, as recorded in the plan.")]),
                   _table(["Section", "Answered by"], doc["contributors"])]
    meta = {"title": doc["program_name"], "kind": "plan", "date": doc["date"], "author": str(doc["agency"]),
            "content_title": content.title, "content_version": content.version, "outline": outline.name,
            "draft": draft, "limits": limits}
    context = {**doc, "chain": chain, "outline": outline.name, "draft": draft, "final": final}
    return Document(blocks, meta, context, chain)


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


def block_text(blocks: list) -> list:
    """The words a reader sees in blocks, for counting against an outline's limits."""
    out: list = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            out += [r.text for r in b.runs if not isinstance(r, Break)]
        elif isinstance(b, List):
            for item in b.items:
                out += [r.text for r in item.runs if not isinstance(r, Break)]
                out += block_text(item.children)
        elif isinstance(b, Table):
            out += [c.text for row in b.rows for c in row]
        elif isinstance(b, Figure):
            out += [b.caption] + block_text([b.table])
        elif isinstance(b, Steps):
            out += [f"{t} {x}" for t, x in b.steps]
        elif isinstance(b, Quote):
            out += block_text(b.blocks)
    return out


def summary_body(doc: dict) -> list:
    return _summary(doc)[1:]


def checks_body(doc: dict) -> list:
    if not doc["checks"]:
        return []
    items = []
    for check in doc["check_items"]:
        runs = [Text(f"{one_line(check['section'])}:", bold=True), Text(" ")] if check["section"] else []
        items.append(ListItem(runs + [Text(one_line(check["message"]))]))
    return [Paragraph([Text("These points come from the workbook's plan checks: answers that look "
                            "inconsistent or leave a known gap.")]), List(items)]


def still_to_decide_body(doc: dict) -> list:
    blocks: list = []
    for chapter in doc["still_to_decide"]:
        blocks.append(Heading(3, chapter["title"]))
        items = []
        for item in chapter["open"]:
            text = one_line(item["prompt"]) + (" (required)" if item["required"] else "")
            text += " (skipped for now)" if item["status"] == "skipped" else ""
            items.append(ListItem([Text(text)]))
        blocks.append(List(items))
    if not doc["still_to_decide"]:
        blocks.append(Paragraph([Text("Every question that applies to this plan has an answer.")]))
    return blocks


def sources_body(sources: list, intro: str) -> list:
    return _sources(sources, intro)[1:] if sources else []


def answers_body(chapter: dict) -> list:
    """A section's answers (h3 items) without its heading, for an outline that places it elsewhere."""
    return _chapter(chapter)[1:] if chapter["answers"] else []


def _summary(doc: dict) -> list:
    summary, progress = doc["summary"], doc["progress"]
    blocks: list = [Heading(2, "Executive summary", anchor=slug("Executive summary"))]
    blocks += text_blocks(summary["one_sentence"])
    if summary["vision"]:
        blocks += [Heading(3, "Goals")] + text_blocks(summary["vision"])
    if summary["facts"]:
        blocks += [Heading(3, "The plan at a glance"), _facts(summary["facts"])]
    milestones = summary["milestones"]
    if milestones["rows"]:
        blocks += [Heading(3, "First milestones"),
                   _table(milestones["columns"], milestones["rows"], milestones.get("column_types"))]
        if milestones.get("more"):
            more = milestones["more"]
            blocks.append(Paragraph([Text(f"{plural(more, 'more milestone')} in chapter "
                                          f"{len(doc['chapters'])}.")]))
    lines = [f"This plan answers {progress['answered']} of the {progress['applicable']} "
             "workbook questions that apply to it."]
    if progress["open"]:
        aside = f" ({progress['skipped']} skipped for now)" if progress["skipped"] else ""
        lines.append(f"{progress['open']} {'are' if progress['open'] != 1 else 'is'} still to decide{aside}; "
                     "they are listed under \"Still to decide\".")
    else:
        lines.append("Every question that applies has an answer.")
    if progress["checks"]:
        count = progress["checks"]
        lines.append(f"{plural(count, 'point')} need{'s' if count == 1 else ''} a second look; "
                     "see \"Things to double-check\".")
    runs: list = []
    for line in lines:
        runs += ([Break(soft=True)] if runs else []) + [Text(line)]
    blocks += [Heading(3, "Where the plan stands"), Paragraph(runs)]
    return blocks


def _chapter(chapter: dict) -> list:
    blocks: list = [Heading(2, chapter["title"], number=f"{chapter['number']}.", anchor=chapter["anchor"])]
    if chapter["guide_markdown"]:
        blocks.append(Guide(chapter["guide_markdown"]))
    for item in chapter["answers"]:
        blocks.append(Heading(3, item["label"]))
        shape = qtypes.get(item["type"]).input
        if shape == "table":
            blocks.append(_table(item["columns"], item["rows"], item.get("column_types")))
        elif shape == "multi_choice":
            blocks.append(List([ListItem([Text(one_line(entry))]) for entry in item["entries"]]))
        else:
            blocks += text_blocks(item["text"])
    if not chapter["answers"]:
        blocks.append(Paragraph([Text("Nothing decided yet for this part of the plan; see \"Still to decide\".",
                                      italic=True)]))
    elif chapter["open"]:
        count = len(chapter["open"])
        blocks.append(Paragraph([Text(f"Still to decide in this part: {plural(count, 'question')} "
                                      "(listed under \"Still to decide\").", italic=True)]))
    return blocks


# ---------------------------------------------------------------- the blank workbook


def workbook_document(doc: dict, content) -> Document:
    """The blank workbook: every question with its help, choices and room to write."""
    blocks: list = [
        Heading(1, doc["title"]),
        Paragraph([Text("Blank workbook for planning meetings", bold=True), Break(),
                   Text(f"Version {one_line(doc['content_version'])} · {doc['question_count']} questions "
                        f"in {len(doc['sections'])} parts")]),
        _facts([(label, "") for label in ("Program name", "Lead agency", "Meeting date", "People present")]),
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
        blocks += _sources(doc["sources"])
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
