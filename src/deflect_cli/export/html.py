"""The document as one self-contained HTML page (and, with WeasyPrint installed, printed to PDF).

Rendered natively from the blocks: every piece of text is HTML-escaped here, links are only ever
in-document anchors or http(s) addresses, and a figure's drawing becomes inline SVG whose labels
are escaped the same way. The page shell (templates/plan.html.j2, stylesheet templates/plan.css)
is rendered with autoescaping on, and a Content-Security-Policy forbids scripts and outside
requests as a second line of defense. Text direction is left to the browser (dir="auto") so
right-to-left answers read correctly.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.errors import DeflectError
from deflect_cli.export import blocks as d
from deflect_cli.export.text import is_rtl

# deflect is installed from its source checkout, so the hint names the checkout, never a package index
# name (`deflect` there is someone else's project).
PDF_HINT = ("PDF export needs WeasyPrint: in deflect's source folder, run `pip install '.[pdf]'`, "
            "or export with --format html and print that file to PDF from a web browser.")


def render(doc: d.Document, templates: Optional[str] = None) -> str:
    """The whole page: the body inside templates/plan.html.j2, stylesheet inlined, no outside requests."""
    from markupsafe import Markup

    from deflect_cli.export.text import environment, render_named

    env = environment(templates, autoescape=True)
    return render_named(env, "plan.html.j2", meta=doc.meta, body=Markup(body(doc.blocks)), lang="en",
                        direction="rtl" if is_rtl(str(doc.meta.get("title", ""))) else "ltr")


def render_pdf(doc: d.Document, templates: Optional[str] = None) -> bytes:
    return html_to_pdf(render(doc, templates))


# ---------------------------------------------------------------- the body


def escape(text: str) -> str:
    return (str(text).replace("\x00", "\ufffd").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def body(blocks: list) -> str:
    """A cover, one <section> per chapter, one <div class="item"> per answer or question."""
    out: list = []
    state = {"open": "", "item": False, "ids": {}}
    for index, b in enumerate(blocks):
        if isinstance(b, d.Heading) and b.level <= 3:
            if state["item"]:
                out.append("</div>\n")
                state["item"] = False
            if b.level == 2:
                out.append(f"</{state['open']}>\n" if state["open"] else "")
                out.append(f'<section class="{"toc" if b.anchor == "contents" else "chapter"}">\n')
                state["open"] = "section"
            elif b.level == 3 and state["open"] == "section":
                out.append('<div class="item">\n')
                state["item"] = True
        if index == 0 and not (isinstance(b, d.Heading) and b.level == 2):
            out.append('<header class="cover">\n')
            state["open"] = "header"
        out.append(block(b, state["ids"]))
    if state["item"]:
        out.append("</div>\n")
    if state["open"]:
        out.append(f"</{state['open']}>\n")
    return "".join(out)


def block(b, ids: Optional[dict] = None) -> str:
    kind = type(b)
    if kind is d.Heading:
        level = min(b.level, 6)
        anchor = ""
        if b.anchor and ids is not None:
            count = ids.get(b.anchor, 0)
            ids[b.anchor] = count + 1
            anchor = f' id="{escape(b.anchor if count == 0 else f"{b.anchor}-{count}")}"'
        return f'<h{level}{anchor} dir="auto">{escape(b.full)}</h{level}>\n'
    if kind is d.Paragraph:
        return f'<p dir="auto">{runs(b.runs)}</p>\n'
    if kind is d.List:
        return _list(b)
    if kind is d.Table:
        return table(b)
    if kind is d.Figure:
        return figure(b, ids if ids is not None else {})
    if kind is d.Steps:
        items = "".join(f'<li dir="auto"><strong>{escape(title)}</strong>{": " + escape(text) if text else ""}</li>\n'
                        for title, text in b.steps)
        return f'<ol class="steps">\n{items}</ol>\n'
    if kind is d.AnswerField:
        return "".join(block(x) for x in b.blocks())
    if kind is d.Quote:
        return "<blockquote>\n" + "".join(block(x) for x in b.blocks) + "</blockquote>\n"
    if kind is d.Guide:
        from deflect_cli.export import mdparse

        return "".join(block(x) for x in _under_chapter(mdparse.blocks(b.markdown)))
    raise TypeError(f"no HTML for {kind.__name__}")


def _under_chapter(blocks: list) -> list:
    """Guide headings start one level below the chapter's h2, so screen readers meet no skipped level."""
    found = [b for b in _walk(blocks) if isinstance(b, d.Heading)]
    shift = min((h.level for h in found), default=3) - 3
    for heading in found:
        heading.level = max(3, heading.level - shift)
    return blocks


def _walk(blocks: list):
    for b in blocks:
        yield b
        if isinstance(b, d.Quote):
            yield from _walk(b.blocks)
        elif isinstance(b, d.List):
            for item in b.items:
                yield from _walk(item.children)


def runs(items: list) -> str:
    out = []
    for run in items:
        kind = type(run)
        if kind is d.Break:
            out.append("\n" if run.soft else "<br />\n")
        elif kind is d.Link:
            if run.href.startswith(("#", "http://", "https://")):
                out.append(f'<a href="{escape(_encode_url(run.href))}">{escape(run.text)}</a>')
            else:
                out.append(escape(run.text))
        else:
            text = escape(run.text)
            if run.code:
                text = f"<code>{text}</code>"
            if run.mark:
                text = f'<mark class="placeholder">{text}</mark>'
            if run.italic:
                text = f"<em>{text}</em>"
            if run.bold:
                text = f"<strong>{text}</strong>"
            out.append(text)
    return "".join(out)


def _encode_url(url: str) -> str:
    """Percent-encode what a URL may not hold as typed (spaces, non-ASCII), keeping existing escapes."""
    from urllib.parse import quote

    return quote(url, safe=";/?:@&=+$,-_.!~*'()#%")


def _list(b: d.List) -> str:
    if b.ordered:
        tag, opening = "ol", "<ol>\n" if b.start == 1 else f'<ol start="{b.start}">\n'
    else:
        tag, opening = "ul", "<ul>\n"
    items = []
    for item in b.items:
        inner = runs(item.runs)
        if item.children:
            inner += "\n" + "".join(block(child) for child in item.children)
        items.append(f'<li dir="auto">{inner}</li>\n')
    return opening + "".join(items) + f"</{tag}>\n"


_NUM = ' class="num"'


def table(b: d.Table) -> str:
    css = "facts" if b.facts else "blank" if b.blank else ""
    out = [f'<table class="{css}">\n' if css else "<table>\n"]
    if b.header:
        numeric = b.numeric_columns()
        out.append("<thead>\n<tr>\n")
        out += [f'<th{_NUM if i in numeric else ""} dir="auto">{escape(h)}</th>\n' for i, h in enumerate(b.header)]
        out.append("</tr>\n</thead>\n")
    if b.rows:
        out.append("<tbody>\n")
        for row in b.rows:
            out.append("<tr>\n")
            for cell in row:
                align = _NUM if cell.type in d.NUMERIC else ""
                shade = f' style="background: #{cell.shade}"' if cell.shade else ""
                text = "<br>".join(escape(line) for line in cell.text.split("\n"))  # the person's line breaks
                out.append(f'<td{align}{shade} dir="auto">{text}</td>\n')
            out.append("</tr>\n")
        out.append("</tbody>\n")
    out.append("</table>\n")
    return "".join(out)


# ---------------------------------------------------------------- figures


def figure(b: d.Figure, ids: dict) -> str:
    """The drawing (when there is one and a drawer for its kind), its caption, and the same facts as a table."""
    from deflect_cli.export import svg

    drawer = (_DRAWERS.get(b.drawing.kind) or svg.DRAWERS.get(b.drawing.kind)) if b.drawing else None
    ids["figure"] = number = ids.get("figure", 0) + 1
    svg = drawer(b.drawing, f"figure-{number}") if drawer else ""
    return (f'<figure class="figure">\n{svg}<figcaption dir="auto">{escape(b.caption)}</figcaption>\n'
            f"{table(b.table)}</figure>\n")


def _bars(drawing: d.Drawing, key: str) -> str:
    """Horizontal bars: spec {"bars": [(label, value), ...], "unit": ""}; labels at 12 px, never overlapping."""
    bars = [(str(label), float(value or 0)) for label, value in drawing.spec.get("bars", [])]
    top = max((v for _, v in bars), default=0) or 1
    row, left, width = 28, 220, 360
    height = row * len(bars) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {left + width + 80} {height}" '
             f'aria-labelledby="{key}-t {key}-d" width="100%">\n',
             f'<title id="{key}-t">{escape(drawing.title)}</title>\n',
             f'<desc id="{key}-d">{escape(drawing.description)}</desc>\n']
    for n, (label, value) in enumerate(bars):
        y = n * row + 5
        length = max(1.0, width * value / top)
        shown = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="12">{escape(shown)}</text>\n'
                     f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="18" fill="#1d4e89"></rect>\n'
                     f'<text x="{left + length + 6:.1f}" y="{y + 17}" font-size="12">'
                     f'{escape(f"{value:,.0f}")}{escape(drawing.spec.get("unit", ""))}</text>\n')
    parts.append("</svg>\n")
    return "".join(parts)


_DRAWERS = {"bars": _bars}


# ---------------------------------------------------------------- PDF


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"deflect does not fetch {url} while making a PDF")


def html_to_pdf(html: str, pages: Optional[list] = None) -> bytes:
    """Print the HTML to PDF with WeasyPrint (an optional extra); nothing is fetched from outside.
    `pages`, if given, receives the number of pages (the pocket card checks it fits two sides)."""
    try:
        import weasyprint
    except ImportError:
        raise DeflectError(PDF_HINT) from None
    except OSError as exc:  # WeasyPrint is installed but its system libraries (Pango) are not
        raise DeflectError(f"WeasyPrint cannot start ({exc}). {PDF_HINT}") from None
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    printed = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).render()
    if pages is not None:
        pages.append(len(printed.pages))
    return printed.write_pdf()
