"""The document as a Word file, rendered natively from the blocks with python-docx.

Headings use Word's own heading styles (so the navigation pane and Insert > Table of Contents
work), tables are Word tables (header rows shaded and repeated on each page, numbers right-aligned),
each chapter starts on a new page, the contents list links to the chapters through bookmarks, and
the footer carries the title and the page number. A `reference.docx` in the --templates folder
supplies an agency's own styles, fonts and page setup.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from typing import Optional

from deflect_cli.errors import DeflectError
from deflect_cli.export import blocks as d
from deflect_cli.export.text import is_rtl

# Characters XML 1.0 cannot hold; python-docx refuses them. Control characters that act as
# whitespace become a space, the rest U+FFFD (the replacement character).
_CONTROL_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1b\ufffe\uffff\ud800-\udfff]")
_MONO = "Consolas"
# Where a child goes inside w:pPr and w:tcPr (ECMA-376 order; Word rejects files that break it).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")
_TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "textDirection", "tcFitText", "vAlign", "hideMark")
_ACCENT = "1D4E89"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", _CONTROL_SPACE.sub(" ", text))



def _reference_docx(templates: Optional[str]):
    """The agency's reference.docx, else the bundled one. Anything at that name counts, so a folder or a
    named pipe there is reported by _open_reference rather than silently passed over."""
    import os

    from deflect_cli.content import resources
    for folder in ([resources.templates_dir(templates)] if templates else []) + [resources.templates_dir()]:
        candidate = folder / "reference.docx"
        if os.path.lexists(candidate):
            return candidate
    return None


_REFERENCE_LIMIT = 64 * 1024 * 1024  # a style sheet with a logo or two; Word's own templates are under 1 MB


def _open_reference(path):
    """An agency's reference.docx; an empty, damaged, oversized or non-regular one (a FIFO would hang a
    plain open) is one line naming it, not a traceback. Read once, bounded, then handed over as bytes."""
    import docx

    from deflect_cli.safeio import read_file

    cannot = "cannot use this reference.docx"
    data = read_file(path, _REFERENCE_LIMIT, "reference.docx", DeflectError, text=False,
                     say={"problem": cannot + ": it {problem}.", "error": cannot + ": {reason}."})
    if not data:
        raise DeflectError(f"{path}: {cannot}: the file is empty.")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML, key and value errors for damaged files
        raise DeflectError(f"{path}: {cannot}: not a Word document ({type(exc).__name__}).") from None


def _house_style(document) -> None:
    """python-docx's default template, tidied: US Letter, one-inch margins, readable type, blue headings."""
    from docx.shared import Inches, Pt, RGBColor

    for section in document.sections:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(1)
        section.top_margin, section.bottom_margin = Inches(1), Inches(0.9)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    title = styles["Title"]
    title.font.size = Pt(30)
    title.font.color.rgb = RGBColor.from_string(_ACCENT)
    title.paragraph_format.space_before = Pt(96)
    for level, size in ((1, 18), (2, 13), (3, 12), (4, 11), (5, 11)):
        style = styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(_ACCENT if level != 2 else "1F2933")
        style.paragraph_format.space_before = Pt(14 if level <= 2 else 10)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True


def _properties(document, meta: dict) -> None:
    props = document.core_properties
    props.title = _xml_text(str(meta.get("title", "")))[:255]
    props.subject = meta.get("subject") or (
        "Deflection program plan" if meta.get("kind") == "plan" else "Deflection planning workbook")
    props.author = _xml_text(str(meta.get("author") or "deflect"))[:255]
    props.last_modified_by = "deflect"
    props.comments = f"{meta.get('content_title', '')}, version {meta.get('content_version', '')}"
    props.revision = 1
    when = _dt.datetime(2000, 1, 1)
    if meta.get("date"):
        try:
            when = _dt.datetime.fromisoformat(meta["date"][:10])
        except ValueError:
            pass
    props.created = props.modified = when


def _footer(document, meta: dict) -> None:
    """Title on the left, page number on the right, on every page but the cover."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt, RGBColor

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.footer.paragraphs[0]
    width = _text_width(section)
    stops = paragraph.paragraph_format.tab_stops
    stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CLEAR)  # the Footer style's center stop
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run(_xml_text(str(meta.get("title", ""))) + "\tPage ")
    _field(paragraph, "PAGE")
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor.from_string("52606D")


def _draft_header(document) -> None:
    """"Draft" at the top right of every page but the cover (which says so itself) while questions are open."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    paragraph = document.sections[0].header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run("Draft")
    run.font.size, run.font.bold = Pt(9), True
    run.font.color.rgb = RGBColor.from_string("9B1C1C")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES...) as begin / instruction / cached result / end runs."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    for element in (char("begin"), code, char("separate")):
        paragraph.add_run()._r.append(element)
    paragraph.add_run("1")
    paragraph.add_run()._r.append(char("end"))


def render(doc: d.Document, templates: Optional[str] = None) -> bytes:
    import docx

    reference = _reference_docx(templates)
    document = _open_reference(reference) if reference else docx.Document()
    if not reference:
        _house_style(document)
    if doc.meta.get("kind") == "paperwork" and not reference:  # a working draft, not a cover page
        from docx.shared import Pt

        document.styles["Title"].font.size = Pt(22)
        document.styles["Title"].paragraph_format.space_before = Pt(0)
    if doc.meta.get("page"):
        _page(document, doc.meta["page"])
    _properties(document, doc.meta)
    if not doc.meta.get("page"):
        _footer(document, doc.meta)
    if doc.meta.get("draft"):
        _draft_header(document)
    writer = _Writer(document, keep_items=doc.meta.get("kind") == "workbook")
    writer.chapter_breaks = doc.meta.get("chapter_breaks", True)
    writer.column_breaks = bool((doc.meta.get("page") or {}).get("columns"))
    writer.write(doc.blocks)
    if doc.meta.get("custom_xml"):
        _custom_xml(document, doc.meta["custom_xml"])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _custom_xml(document, blob: bytes) -> None:
    """A hidden custom-XML part (/customXml/itemN.xml) related to the document: data that rides with
    the file through Word and LibreOffice (a partner packet's header) without being shown."""
    from docx.opc.part import Part

    package = document.part.package
    part = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", blob, package)
    document.part.relate_to(part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml")


def _page(document, page: dict) -> None:
    """A page set up for a pocket card: its size, margins (top, right, bottom, left), a smaller base
    font, and optionally `columns` panels (`gap_in` apart, a rule between them to cut or fold on)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    top, right, bottom, left = page["margins_in"]
    for section in document.sections:
        section.orientation = 1 if page["width_in"] > page["height_in"] else 0
        section.page_width, section.page_height = Inches(page["width_in"]), Inches(page["height_in"])
        section.top_margin, section.right_margin = Inches(top), Inches(right)
        section.bottom_margin, section.left_margin = Inches(bottom), Inches(left)
        section.header_distance = section.footer_distance = Inches(min(top, bottom) / 2)
        if page.get("columns"):
            sect = section._sectPr
            for old in sect.findall(qn("w:cols")):
                sect.remove(old)
            cols = OxmlElement("w:cols")
            cols.set(qn("w:num"), str(page["columns"]))
            cols.set(qn("w:space"), str(int(page.get("gap_in", 0.5) * 1440)))
            cols.set(qn("w:sep"), "1")
            later = [sect.find(qn(f"w:{name}")) for name in ("formProt", "vAlign", "noEndnote", "titlePg",
                                                           "textDirection", "bidi", "rtlGutter", "docGrid")]
            anchor = next((x for x in later if x is not None), None)
            if anchor is not None:
                anchor.addprevious(cols)
            else:
                sect.append(cols)
    styles = document.styles
    size = page.get("font_pt", 8)
    normal = styles["Normal"]
    normal.font.size = Pt(size)
    normal.paragraph_format.space_after = Pt(1)
    normal.paragraph_format.line_spacing = 1.0
    for level, scale in ((1, 1.5), (2, 1.1)):
        style = styles[f"Heading {level}"]
        style.font.size = Pt(round(size * scale * 2) / 2)
        style.paragraph_format.space_before = Pt(3)
        style.paragraph_format.space_after = Pt(1)
    for name in ("List Bullet", "List Paragraph"):
        styles[name].font.size = Pt(size)
        styles[name].paragraph_format.space_after = Pt(0)


def _run_text(items: list) -> str:
    return "".join(r.text if not isinstance(r, d.Break) else " " for r in items)


class _Writer:
    """Appends the Word paragraphs and tables for each block."""

    def __init__(self, document, keep_items: bool = False):
        self.document = document
        self.keep_items = keep_items   # keep each question with its answer space on one page
        self.item: Optional[list] = None
        self.lists = 0                 # list depth
        self.quote = 0
        self.bookmarks: dict = {}     # anchor -> bookmark name
        self.placed: set = set()
        self.bookmark_id = 0
        self.after_table = False
        self.style_ids: dict = {}
        self.added: set = set()        # styles the reference.docx lacked
        self.chapter_breaks = True     # each level-2 heading starts a page (a pocket card: each side)
        self.column_breaks = False     # ... or the next column, on a page set in columns

    # ---------------------------------------------------------- blocks

    def write(self, blocks: list) -> None:
        for b in blocks:  # every chapter's bookmark is known before the contents list links to it
            if isinstance(b, d.Heading) and b.anchor and b.anchor not in self.bookmarks:
                self.bookmarks[b.anchor] = f"_deflect_{len(self.bookmarks) + 1}"
        for b in blocks:
            self.block(b, top=True)
        self.end_item()

    def block(self, b, top: bool = False) -> None:
        kind = type(b)
        if kind is d.Heading:
            self.heading(b, top)
        elif kind is d.Paragraph:
            self.paragraph(b.runs)
        elif kind is d.List:
            self.list(b)
        elif kind is d.Table:
            self.table(b)
        elif kind is d.Figure:  # Word gets the facts as a table; the drawing is for HTML
            self.paragraph([d.Text(b.caption, bold=True)])
            self.table(b.table)
        elif kind is d.Steps:
            self.list(d.List([d.ListItem([d.Text(title, bold=True), d.Text(f": {text}" if text else "")])
                              for title, text in b.steps], ordered=True))
        elif kind is d.AnswerField:
            for x in b.blocks():
                self.block(x)
        elif kind is d.Quote:
            self.quote += 1
            for x in b.blocks:
                self.block(x)
            self.quote -= 1
        elif kind is d.Guide:
            from deflect_cli.export import mdparse

            for x in mdparse.blocks(b.markdown):
                self.block(x)
        else:
            raise TypeError(f"no Word rendering for {kind.__name__}")

    def end_item(self, table=None) -> None:
        """Close a question block: every paragraph but the last keeps with the next (and a table's rows too)."""
        if self.item is None:
            return
        paragraphs = self.item
        if table is not None:
            for row in table.rows[:-1]:
                paragraphs.extend(cell.paragraphs[-1] for cell in row.cells)
            paragraphs.append(None)
        for paragraph in paragraphs[:-1]:
            if paragraph is not None:
                paragraph.paragraph_format.keep_with_next = True
        self.item = None

    def new_paragraph(self, style: Optional[str] = None):
        from docx.shared import Inches, Pt

        paragraph = self.document.add_paragraph()
        if style:
            self.set_style(paragraph, style)
        if self.after_table:
            if not (style or "").startswith(("Heading", "Title")):
                paragraph.paragraph_format.space_before = Pt(10)
            self.after_table = False
        if self.item is not None:
            self.item.append(paragraph)
        if self.quote:
            if (style or "").startswith("List") and self.lists:  # keep the list's own hanging indent
                paragraph.paragraph_format.left_indent = Inches(0.3 * self.quote + 0.25 * self.lists + 0.1)
                paragraph.paragraph_format.first_line_indent = Inches(-0.25)
            else:
                paragraph.paragraph_format.left_indent = Inches(0.3 * self.quote)
            _left_border(paragraph)
        return paragraph

    def set_style(self, paragraph, name: str) -> None:
        """Assign a paragraph style by id; python-docx's by-name lookup rescans styles.xml every time."""
        if name not in self.style_ids:
            self.style_ids[name] = self.style(name).style_id
        paragraph._p.style = self.style_ids[name]
        if name in self.added and name.startswith("List Bullet"):  # no bullet numbering defined for it
            paragraph.add_run("•\t")

    def style(self, name: str, table: bool = False):
        """A style by name. A reference.docx saved by Word holds only the styles its author used
        (Heading 1 and List Bullet are "latent" until then): a missing one is added, based on Normal."""
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.document.styles
        try:
            return styles[name]
        except KeyError:
            added = styles.add_style(name, WD_STYLE_TYPE.TABLE if table else WD_STYLE_TYPE.PARAGRAPH)
            if not table:
                added.base_style = styles["Normal"]
                added.quick_style = True
                if name.startswith("Heading ") or name == "Title":  # still a heading for the navigation pane
                    from docx.oxml import OxmlElement
                    from docx.oxml.ns import qn

                    added.font.bold = True
                    level = OxmlElement("w:outlineLvl")
                    level.set(qn("w:val"), str(int(name.split()[1]) - 1) if name != "Title" else "0")
                    _insert(added.element.get_or_add_pPr(), level, _PPR_ORDER)
            self.added.add(name)
            return added

    def heading(self, b: d.Heading, top: bool) -> None:
        level = b.level
        if top and level <= 3:
            self.end_item()
            if level == 3 and self.keep_items:
                self.item = []
        paragraph = self.new_paragraph("Title" if level == 1 else f"Heading {min(level - 1, 9)}")
        if level == 2 and self.chapter_breaks and paragraph._p.getprevious() is not None:
            if self.column_breaks:  # the next panel of a page set in columns (a card's other side)
                from docx.enum.text import WD_BREAK

                paragraph.add_run().add_break(WD_BREAK.COLUMN)
            else:
                paragraph.paragraph_format.page_break_before = True
        self.inline(paragraph, [d.Text(b.full)])
        if b.anchor in self.bookmarks and b.anchor not in self.placed and top:
            self.placed.add(b.anchor)
            self.bookmark(paragraph, self.bookmarks[b.anchor])
        if is_rtl(b.full):
            _bidi(paragraph)

    def paragraph(self, items: list, style: Optional[str] = None) -> None:
        paragraph = self.new_paragraph(style)
        self.inline(paragraph, items)
        if is_rtl(_run_text(items)):
            _bidi(paragraph)

    def list(self, b: d.List) -> None:
        from docx.shared import Inches

        self.lists += 1
        depth = self.lists
        for number, item in enumerate(b.items, b.start):
            if b.ordered:
                # Word's list numbering continues across separate lists; write the number instead.
                paragraph = self.new_paragraph("List Paragraph")
                paragraph.paragraph_format.left_indent = Inches(0.35 * depth)
                paragraph.paragraph_format.first_line_indent = Inches(-0.3)
                paragraph.add_run(f"{number}.\t")
            else:
                paragraph = self.new_paragraph("List Bullet" if depth == 1 else f"List Bullet {min(depth, 3)}")
            self.inline(paragraph, item.runs)
            if is_rtl(_run_text(item.runs)):
                _bidi(paragraph)
            for child in item.children:
                if isinstance(child, d.Paragraph):
                    self.paragraph(child.runs, "List Continue" if depth == 1 else f"List Continue {min(depth, 3)}")
                else:
                    self.block(child)
        self.lists -= 1

    def table(self, b: d.Table) -> None:
        from docx.enum.table import WD_ROW_HEIGHT_RULE
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        rows = ([[d.Cell(h) for h in b.header]] if b.header else []) + list(b.rows)
        if not rows:
            return
        if self.after_table:  # two tables in a row would merge into one in Word
            self.new_paragraph()
        header_rows = 1 if b.header else 0
        numeric = b.numeric_columns()
        width = max(len(r) for r in rows)
        usable = _text_width(self.document.sections[-1]).pt
        if b.widths and len(b.widths) == width:  # the layout's own proportions (a timeline's label column)
            size, widths = _CELL_SIZES[0], [usable * w / sum(b.widths) for w in b.widths]
        else:
            size, widths = fit_columns(b.extents(ems), usable, b.blank)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.style("Table Grid", table=True)
        _table_look(table)
        for r, row in enumerate(rows):
            cells = table.rows[r].cells
            for c, cell in enumerate(row):
                paragraph = cells[c].paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                strong = r < header_rows or (b.facts and c == 0)
                runs = [run for line in cell.text.split("\n") for run in (d.Break(), d.Text(line))][1:]
                self.inline(paragraph, runs if cell.text else [], bold=strong)  # line breaks kept
                for run in paragraph.runs:
                    run.font.size = Pt(size)
                if strong:
                    _shade(cells[c], "E8EEF6" if r < header_rows else "F4F6F8")
                if (cell.type in d.NUMERIC) if r >= header_rows else c in numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if cell.shade and not strong:
                    _shade(cells[c], cell.shade.upper())
                if is_rtl(cell.text):
                    _bidi(paragraph)
            if r < header_rows:
                _repeat_header(table.rows[r])
            elif b.blank:
                table.rows[r].height = Cm(0.85)
                table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            _cant_split(table.rows[r])
        _column_widths(table, widths)
        self.end_item(table)
        self.after_table = True

    # ---------------------------------------------------------- inline

    def inline(self, paragraph, items: list, bold: bool = False) -> None:
        for item in items:
            kind = type(item)
            if kind is d.Break:
                if item.soft:
                    paragraph.add_run(" ")
                else:
                    paragraph.add_run("").add_break()
            elif kind is d.Link:
                link = self.hyperlink(paragraph, item.href)
                self.run(paragraph, link, _xml_text(item.text))
            else:
                run = paragraph.add_run(_xml_text(item.text))
                run.bold = item.bold or bold or None
                run.italic = item.italic or None
                if item.code:
                    run.font.name = _MONO
                if item.mark:
                    from docx.enum.text import WD_COLOR_INDEX

                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def run(self, paragraph, link, text: str):
        if link is None:
            return paragraph.add_run(text)
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.run import Run

        element = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        color = OxmlElement("w:color")
        color.set(qn("w:val"), _ACCENT)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.append(color)
        properties.append(underline)
        element.append(properties)
        link.append(element)
        run = Run(element, paragraph)
        run.text = text
        return run

    def hyperlink(self, paragraph, href: str):
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        element = OxmlElement("w:hyperlink")
        if href.startswith("#"):
            name = self.bookmarks.get(href[1:])
            if name is None:
                return None
            element.set(qn("w:anchor"), name)
        elif href.startswith(("http://", "https://")):
            rel = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            element.set(qn("r:id"), rel)
        else:
            return None
        element.set(qn("w:history"), "1")
        paragraph._p.append(element)
        return element

    def bookmark(self, paragraph, name: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)


def _insert(parent, child, order: tuple) -> None:
    """Put `child` where the schema wants it among `parent`'s children."""
    from docx.oxml.ns import qn

    later = {qn(f"w:{name}") for name in order[order.index(child.tag.split("}")[1]) + 1:]}
    for existing in parent:
        if existing.tag in later:
            existing.addprevious(child)
            return
    parent.append(child)


_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                "tblCaption", "tblDescription")


def _table_look(table) -> None:
    """Light gray rules and a little air in every cell, like the HTML version."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "A9B6C4")):
            line.set(qn(key), value)
        borders.append(line)
    _insert(properties, borders, _TBLPR_ORDER)
    margins = OxmlElement("w:tblCellMar")
    for edge, size in (("top", "50"), ("left", "100"), ("bottom", "50"), ("right", "100")):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), size)
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    _insert(properties, margins, _TBLPR_ORDER)


def _text_width(section):
    """The width between a section's margins (a python-docx Length)."""
    from docx.shared import Emu

    return Emu(section.page_width - section.left_margin - section.right_margin)


# Cell text sizes in points, largest first: a table too wide for its words at one size tries the next.
_CELL_SIZES = (9.5, 8.5, 7.5)
_CELL_PAD = 10.0  # points of a cell's left and right margins together (tblCellMar: 100 twips each)
_NARROW, _WIDE = frozenset("fijlrt.,:;'!|()[]- "), frozenset("mwMW%@")


def ems(text: str) -> float:
    """How wide `text` sets, in ems of Calibri Bold (Word's body font; LibreOffice's Carlito has the same
    widths) plus a little: measured per kind of character from the font's own metrics."""
    return sum(0.36 if c in _NARROW else 0.92 if c in _WIDE else 0.55 if c.isdigit()
               else 0.66 if c.isupper() else 0.53 for c in text)


def fit_columns(extents: list, usable: float, blank: bool = False) -> tuple:
    """The cell text size and each column's width in points for a table of (longest word, longest
    line) `extents` in ems across `usable` points. Word and LibreOffice share a table's width equally
    unless told, which cut a nine-column budget's words in two ("Personn/el", "coordina/tor").

    As a browser does: each column first gets room for its longest word; if every line fits whole,
    each gets its longest line; if not, each keeps whole lines up to a quarter of the width (a label,
    "Not started"), or an eighth, where that fits. The room left goes in proportion to what each
    column still wants (a blank form's writing space: equally). When the words do not fit at one
    size the next smaller one is tried; at the smallest, columns share the width by their words."""
    count = len(extents) or 1
    for size in _CELL_SIZES:
        space = usable - _CELL_PAD * count
        words = [max(word, 1) * size for word, _ in extents]
        lines = [max(word, line, 1) * size for word, line in extents]
        if blank and sum(words) <= space:
            base, wants = words, [1.0] * count
        elif sum(lines) <= space:
            base, wants = lines, lines
        elif sum(words) <= space:
            floors = ([max(word, min(line, space / part)) for word, line in zip(words, lines)] for part in (4, 8))
            base = next((floor for floor in floors if sum(floor) <= space), words)
            wants = [line - low for low, line in zip(base, lines)]
        else:
            continue
        if not sum(wants):
            wants = [1.0] * count
        extra = space - sum(base)
        return size, [b + extra * w / sum(wants) + _CELL_PAD for b, w in zip(base, wants)]
    words = [max(word, 1) for word, _ in extents]
    return _CELL_SIZES[-1], [usable * w / sum(words) for w in words]


def _column_widths(table, widths: list) -> None:
    """Fixed column widths (points) on the grid and on every cell: Word reads the cells', LibreOffice the grid's."""
    from docx.oxml.ns import qn

    table.autofit = False
    twips = [str(round(width * 20)) for width in widths]
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, twips):
        column.set(qn("w:w"), width)
    # Straight to the XML: python-docx's column.cells walks the whole table once per column.
    for row in table._tbl.tr_lst:
        for cell, width in zip(row.tc_lst, twips):
            size = cell.get_or_add_tcPr().get_or_add_tcW()
            size.set(qn("w:w"), width)
            size.set(qn("w:type"), "dxa")


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    _insert(cell._tc.get_or_add_tcPr(), shading, _TCPR_ORDER)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _cant_split(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _left_border(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"), ("w:color", "9FB3C8")):
        left.set(qn(key), value)
    borders.append(left)
    _insert(properties, borders, _PPR_ORDER)


def _bidi(paragraph) -> None:
    from docx.oxml import OxmlElement

    properties = paragraph._p.get_or_add_pPr()
    if properties.find(OxmlElement("w:bidi").tag) is None:
        _insert(properties, OxmlElement("w:bidi"), _PPR_ORDER)
