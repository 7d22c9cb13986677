"""The plan's Markdown as a Word document, built with python-docx from markdown-it-py's tokens.

Working from the same Markdown as the other formats keeps the chapters identical everywhere and lets
an agency's own template change Word output too. Headings use Word's own heading styles (so the
navigation pane and Insert > Table of Contents work), answer tables become Word tables, each chapter
starts on a new page, and the contents list links to the chapters through bookmarks.
A `reference.docx` in the --templates folder supplies an agency's own styles, fonts and page setup.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import unicodedata
from typing import Optional

from deflect_cli.html_export import inline_text, parse

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


def _is_rtl(text: str) -> bool:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def markdown_to_docx(markdown: str, meta: dict, templates: Optional[str] = None) -> bytes:
    import docx

    reference = _reference_docx(templates)
    document = docx.Document(str(reference)) if reference else docx.Document()
    if not reference:
        _house_style(document)
    _properties(document, meta)
    _footer(document, meta)
    _Writer(document, keep_items=meta.get("kind") == "workbook").write(parse(markdown))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _reference_docx(templates: Optional[str]):
    from deflect_cli import resources

    for folder in ([resources.templates_dir(templates)] if templates else []) + [resources.templates_dir()]:
        candidate = folder / "reference.docx"
        if candidate.is_file():
            return candidate
    return None


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
    props.subject = "Deflection program plan" if meta.get("kind") == "plan" else "Deflection planning workbook"
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
    width = section.page_width - section.left_margin - section.right_margin
    stops = paragraph.paragraph_format.tab_stops
    stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CLEAR)  # the Footer style's center stop
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run(_xml_text(str(meta.get("title", ""))) + "\tPage ")
    _field(paragraph, "PAGE")
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor.from_string("52606D")


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


class _Writer:
    """Walks markdown-it block tokens and appends the matching Word paragraphs and tables."""

    def __init__(self, document, keep_items: bool = False):
        self.document = document
        self.keep_items = keep_items   # keep each question with its answer space on one page
        self.item: Optional[list] = None
        self.lists: list = []          # stack of [kind, next number]
        self.quote = 0
        self.bookmarks: dict = {}
        self.bookmark_id = 0
        self.item_first = False
        self.after_table = False
        self.style_ids: dict = {}

    # ---------------------------------------------------------- blocks

    def write(self, tokens: list) -> None:
        for token in tokens:
            if token.type == "heading_open" and token.tag == "h2" and token.attrGet("id"):
                self.bookmarks[token.attrGet("id")] = f"_deflect_{len(self.bookmarks) + 1}"
        index = 0
        while index < len(tokens):
            index = self.block(tokens, index)
        self.end_item()

    def block(self, tokens: list, index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            self.heading(token, tokens[index + 1])
            return index + 3
        if kind == "paragraph_open":
            self.text_paragraph(tokens[index + 1], hidden=token.hidden)
            return index + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            self.lists.append(["bullet" if kind == "bullet_list_open" else "number", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_first = True
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "table_open":
            if self.after_table:  # two tables in a row would merge into one in Word
                self.new_paragraph()
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
            self.table(tokens[index:end + 1], "blank" in (token.attrGet("class") or ""))
            return end + 1
        elif kind in ("fence", "code_block"):
            paragraph = self.new_paragraph()
            lines = token.content.rstrip("\n").split("\n")
            for number, line in enumerate(lines):
                run = paragraph.add_run(_xml_text(line))
                run.font.name = _MONO
                if number < len(lines) - 1:
                    run.add_break()
        elif kind == "hr":
            self.new_paragraph()
        return index + 1

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
                paragraph.paragraph_format.left_indent = Inches(0.3 * self.quote + 0.25 * len(self.lists) + 0.1)
                paragraph.paragraph_format.first_line_indent = Inches(-0.25)
            else:
                paragraph.paragraph_format.left_indent = Inches(0.3 * self.quote)
            _left_border(paragraph)
        return paragraph

    def set_style(self, paragraph, name: str) -> None:
        """Assign a paragraph style by id; python-docx's by-name lookup rescans styles.xml every time."""
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        paragraph._p.style = self.style_ids[name]

    def heading(self, token, inline) -> None:
        level = int(token.tag[1])
        if token.level == 0 and level <= 3:
            self.end_item()
            if level == 3 and self.keep_items:
                self.item = []
        if level == 1:
            paragraph = self.new_paragraph("Title")
        else:
            paragraph = self.new_paragraph(f"Heading {min(level - 1, 9)}")
        if level == 2:
            paragraph.paragraph_format.page_break_before = True
        self.inline(paragraph, inline)
        anchor = token.attrGet("id")
        if anchor and anchor in self.bookmarks:
            self.bookmark(paragraph, self.bookmarks[anchor])
        if _is_rtl(inline_text(inline)):
            _bidi(paragraph)

    def text_paragraph(self, inline, hidden: bool = False) -> None:
        from docx.shared import Inches

        if self.lists and (hidden or self.item_first):
            kind, number = self.lists[-1]
            depth = len(self.lists)
            if kind == "bullet":
                paragraph = self.new_paragraph("List Bullet" if depth == 1 else f"List Bullet {min(depth, 3)}")
            else:
                paragraph = self.new_paragraph("List Number" if depth == 1 else f"List Number {min(depth, 3)}")
                # Word's list numbering continues across separate lists; write the number instead.
                self.set_style(paragraph, "List Paragraph")
                paragraph.paragraph_format.left_indent = Inches(0.35 * depth)
                paragraph.paragraph_format.first_line_indent = Inches(-0.3)
                paragraph.add_run(f"{number}.\t")
                self.lists[-1][1] += 1
            self.item_first = False
        elif self.lists:
            paragraph = self.new_paragraph("List Continue" if len(self.lists) == 1 else f"List Continue {min(len(self.lists), 3)}")
        else:
            paragraph = self.new_paragraph()
        self.inline(paragraph, inline)
        if _is_rtl(inline_text(inline)):
            _bidi(paragraph)

    def table(self, tokens: list, blank: bool) -> None:
        from docx.enum.table import WD_ROW_HEIGHT_RULE
        from docx.shared import Cm, Pt

        rows, header_rows, current, in_head = [], 0, None, False
        for token in tokens:
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                current = []
                rows.append(current)
                header_rows += in_head
            elif token.type == "inline":
                current.append(token)
        if not rows:
            return
        width = max(len(r) for r in rows)
        facts = "facts" in (tokens[0].attrGet("class") or "")
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        _table_look(table)
        for r, row in enumerate(rows):
            cells = table.rows[r].cells
            for c, inline in enumerate(row):
                paragraph = cells[c].paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                self.inline(paragraph, inline, bold=r < header_rows or (facts and c == 0))
                for run in paragraph.runs:
                    run.font.size = Pt(9.5)
                if r < header_rows or (facts and c == 0):
                    _shade(cells[c], "E8EEF6" if r < header_rows else "F4F6F8")
                if _is_rtl(inline_text(inline)):
                    _bidi(paragraph)
            if r < header_rows:
                _repeat_header(table.rows[r])
            elif blank:
                table.rows[r].height = Cm(0.85)
                table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            _cant_split(table.rows[r])
        self.end_item(table)
        self.after_table = True

    # ---------------------------------------------------------- inline

    def inline(self, paragraph, token, bold: bool = False) -> None:
        state = {"bold": 0, "italic": 0}
        link = None
        for child in token.children or []:
            kind = child.type
            if kind == "strong_open":
                state["bold"] += 1
            elif kind == "strong_close":
                state["bold"] -= 1
            elif kind == "em_open":
                state["italic"] += 1
            elif kind == "em_close":
                state["italic"] -= 1
            elif kind == "link_open":
                link = self.hyperlink(paragraph, child.attrGet("href") or "")
            elif kind == "link_close":
                link = None
            elif kind in ("text", "code_inline", "image"):
                text = child.content if kind != "image" else inline_text(child) or "[image]"
                run = self.run(paragraph, link, _xml_text(text))
                run.bold = bool(state["bold"]) or bold or None
                run.italic = bool(state["italic"]) or None
                if kind == "code_inline":
                    run.font.name = _MONO
            elif kind == "softbreak":
                self.run(paragraph, link, " ")
            elif kind == "hardbreak":
                self.run(paragraph, link, "").add_break()

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
        else:
            rel = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            element.set(qn("r:id"), rel)
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
