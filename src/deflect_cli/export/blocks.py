"""The typed blocks every format renders, and the small helpers that build them from text.

Markdown used to be the intermediate of every format, so nothing Markdown cannot say (an SVG figure,
a shaded Word cell, a typed spreadsheet cell, a form field) could reach HTML or Word. Now the plan
is laid out as these blocks (document.py and chapters.py) and each format renders them natively
(markdown.py, html.py, docx.py). Text in a block is always data: plain strings that each renderer
escapes for its own format. Its own module, below both layouts, so that document.py (the order of
chapters) and chapters.py (what goes in them) need not import each other.

Blocks: Heading, Paragraph (of inline runs: Text, Link, Break), BulletList / numbered lists (List),
Table (cells typed text, number, money, percent or date), Figure (a drawing spec, a caption and
the same facts as a table), Steps (numbered steps), AnswerField (space to write in a blank
workbook) and Guide (content-authored Markdown, parsed by the formats that need it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

from deflect_cli.mdtext import URL, cell_text, one_line, paragraphs

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

    def extents(self, measure=len) -> list:
        """Per column, its longest word and its longest line as `measure` sizes them (characters, or a
        page format's own estimate), header included: what a page format needs to give each column
        room for its words before it shares out the rest."""
        found = []
        for index in range(max((len(row) for row in [self.header, *self.rows]), default=0)):
            texts = [row[index] for row in [self.header, *self.rows] if index < len(row)]
            lines = [line for t in texts for line in (t if isinstance(t, str) else t.text).split("\n")]
            found.append((max((measure(w) for line in lines for w in line.split()), default=0),
                          max((measure(line) for line in lines), default=0)))
        return found

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


def facts_table(pairs) -> Table:
    """(label, text) pairs as a two-column table with no header row (a cover's facts)."""
    return Table([], [[Cell(one_line(label)), Cell(cell_text(text))] for label, text in pairs])


def typed_table(columns, rows, types=None) -> Table:
    """Rows of text under `columns`, each cell typed by its column (`types`, default text) so a format can
    align numbers and a spreadsheet store them as numbers."""
    types = types or ["text"] * len(columns)
    return Table([one_line(c) for c in columns],
                 [[Cell(cell_text(text), kind) for text, kind in zip(row, types)] for row in rows])


def link_or_text(url: str) -> list:
    """An http(s) address as a link; anything else stays text, so no other scheme becomes clickable."""
    url = str(url).strip()
    return [Link(url, url)] if URL.fullmatch(url) else [Text(one_line(url))]


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
