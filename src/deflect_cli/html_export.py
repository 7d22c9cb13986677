"""The plan's Markdown as one self-contained HTML file (and, with WeasyPrint installed, as PDF).

markdown-it-py parses the Markdown with raw HTML switched off, so an answer can only ever be text:
`<script>` arrives as `&lt;script&gt;` and `javascript:` links are refused. The page shell
(templates/plan.html.j2, stylesheet templates/plan.css) is rendered with autoescaping on, and a
Content-Security-Policy forbids scripts and outside requests as a second line of defence.
"""

from __future__ import annotations

import unicodedata
from typing import Optional

from deflect_cli.errors import DeflectError
from deflect_cli.render import slug

# deflect is installed from its source checkout, so the hint names the checkout, never a package index
# name (`deflect` there is someone else's project).
PDF_HINT = ("PDF export needs WeasyPrint: in deflect's source folder, run `pip install '.[pdf]'`, "
            "or export with --format html and print that file to PDF from a web browser.")


def parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def parse(markdown: str) -> list:
    """Markdown to markdown-it tokens, with chapter anchors set and header-less tables marked."""
    tokens = parser().parse(markdown)
    assign_anchors(tokens)
    _drop_empty_headers(tokens)
    _mark_blank_tables(tokens)
    return tokens


def inline_text(token) -> str:
    """The plain text of an inline token, escapes resolved (what a reader sees)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def assign_anchors(tokens: list) -> None:
    """Give every chapter heading (h2) the id its contents-list link points at."""
    seen: dict = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            anchor = slug(inline_text(tokens[index + 1]))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            token.attrSet("id", anchor if count == 0 else f"{anchor}-{count}")


def _drop_empty_headers(tokens: list) -> None:
    """A `| | |` header row only exists because Markdown tables need one: remove it."""
    index = 0
    while index < len(tokens):
        if tokens[index].type == "thead_open":
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "thead_close")
            cells = [t for t in tokens[index:end] if t.type == "inline"]
            if all(not inline_text(c).strip() for c in cells):
                table = next(i for i in range(index, -1, -1) if tokens[i].type == "table_open")
                tokens[table].attrJoin("class", "facts")
                del tokens[index:end + 1]
                continue
        index += 1


def _mark_blank_tables(tokens: list) -> None:
    """Tables whose body is all empty cells are space for handwriting (the blank workbook)."""
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
            start = next((i for i in range(index, end) if tokens[i].type == "tbody_open"), None)
            cells = [t for t in tokens[start:end] if t.type == "inline"] if start is not None else []
            if cells and all(not inline_text(c).strip() for c in cells):
                token.attrJoin("class", "blank")


def _html_block(content: str):
    from markdown_it.token import Token

    token = Token("html_block", "", 0)
    token.content = content
    return token


def body_html(markdown: str) -> str:
    """The document body: a cover, one <section> per chapter, one <div class="item"> per answer or question;
    text direction is left to the browser (dir="auto") so right-to-left answers read correctly."""
    md = parser()
    tokens = parse(markdown)
    for token in tokens:
        if token.type in ("paragraph_open", "list_item_open", "th_open", "td_open", "heading_open"):
            token.attrSet("dir", "auto")
    out, in_section, has_cover, in_item = [], False, False, False
    for index, token in enumerate(tokens):
        top_heading = token.type == "heading_open" and token.level == 0
        if in_item and top_heading and token.tag in ("h1", "h2", "h3"):
            out.append(_html_block("</div>\n"))
            in_item = False
        if top_heading and token.tag == "h2":
            if in_section or has_cover:
                out.append(_html_block("</section>\n" if in_section else "</header>\n"))
                has_cover = False
            css = "toc" if token.attrGet("id") == "contents" else "chapter"
            out.append(_html_block(f'<section class="{css}">\n'))
            in_section = True
        elif index == 0:
            out.append(_html_block('<header class="cover">\n'))
            has_cover = True
        if top_heading and token.tag == "h3" and in_section:
            out.append(_html_block('<div class="item">\n'))
            in_item = True
        out.append(token)
    if in_item:
        out.append(_html_block("</div>\n"))
    if in_section:
        out.append(_html_block("</section>\n"))
    elif has_cover:
        out.append(_html_block("</header>\n"))
    return md.renderer.render(out, md.options, {})


def markdown_to_html(markdown: str, meta: dict, templates: Optional[str] = None) -> str:
    """The whole page: the body inside templates/plan.html.j2, stylesheet inlined, no outside requests."""
    from markupsafe import Markup

    from deflect_cli.render import environment, render_named

    env = environment(templates, autoescape=True)
    return render_named(env, "plan.html.j2", meta=meta, body=Markup(body_html(markdown)),
                        lang="en", direction=_direction(meta.get("title", "")))


def _direction(text: str) -> str:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"deflect does not fetch {url} while making a PDF")


def html_to_pdf(html: str) -> bytes:
    """Print the HTML to PDF with WeasyPrint (an optional extra); nothing is fetched from outside."""
    try:
        import weasyprint
    except ImportError:
        raise DeflectError(PDF_HINT) from None
    except OSError as exc:  # WeasyPrint is installed but its system libraries (Pango) are not
        raise DeflectError(f"WeasyPrint cannot start ({exc}). {PDF_HINT}") from None
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
