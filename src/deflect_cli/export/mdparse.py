"""Content-authored Markdown (the guide's text) as document blocks, for the formats that render blocks.

Only the guide's own text is Markdown any more; answers never pass through here. markdown-it-py
parses it with raw HTML switched off, so `<script>` stays text, and only http(s) and in-document
links survive (markdown-it already refuses `javascript:` and similar).
"""

from __future__ import annotations

from deflect_cli.export import blocks as d


def blocks(markdown: str) -> list:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(markdown)
    out, _ = _blocks(tokens, 0, None)
    return out


def _blocks(tokens: list, index: int, until) -> tuple:
    """Blocks from tokens[index] up to the closing token type `until`; returns (blocks, next index)."""
    out: list = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == until:
            return out, index + 1
        if kind == "heading_open":
            out.append(d.Heading(int(token.tag[1]), plain(tokens[index + 1])))
            index += 3
        elif kind == "paragraph_open":
            out.append(d.Paragraph(runs(tokens[index + 1])))
            index += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            close = kind.replace("_open", "_close")
            items, index = _items(tokens, index + 1, close)
            out.append(d.List(items, ordered=kind == "ordered_list_open", start=int(token.attrGet("start") or 1)))
        elif kind == "blockquote_open":
            inner, index = _blocks(tokens, index + 1, "blockquote_close")
            out.append(d.Quote(inner))
        elif kind == "table_open":
            table, index = _table(tokens, index + 1)
            out.append(table)
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            code: list = []
            for line in lines:
                code += ([d.Break()] if code else []) + [d.Text(line, code=True)]
            out.append(d.Paragraph(code))
            index += 1
        else:  # hr, and anything unknown: nothing to show
            index += 1
    return out, index


def _items(tokens: list, index: int, close: str) -> tuple:
    items: list = []
    while tokens[index].type != close:
        inner, index = _blocks(tokens, index + 1, "list_item_close")  # from list_item_open
        first = inner.pop(0) if inner and isinstance(inner[0], d.Paragraph) else d.Paragraph([])
        items.append(d.ListItem(first.runs, inner))
    return items, index + 1


def _table(tokens: list, index: int) -> tuple:
    header: list = []
    rows: list = []
    in_head = False
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            if in_head:
                header.append(plain(token))
            else:
                rows[-1].append(d.Cell(plain(token)))
        index += 1
    return d.Table(header if any(h.strip() for h in header) else [], rows), index + 1


def plain(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content or "[image]")
    return "".join(parts)


def runs(token) -> list:
    out: list = []
    bold = italic = 0
    href = None
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            target = child.attrGet("href") or ""
            href = target if target.startswith(("http://", "https://", "#")) else None
        elif kind == "link_close":
            href = None
        elif kind in ("text", "code_inline", "image"):
            text = child.content if kind != "image" else (child.content or "[image]")
            if href is not None:
                out.append(d.Link(text, href))
            else:
                out.append(d.Text(text, bold=bool(bold), italic=bool(italic), code=kind == "code_inline"))
        elif kind in ("softbreak", "hardbreak"):
            out.append(d.Break(soft=kind == "softbreak"))
    return out
