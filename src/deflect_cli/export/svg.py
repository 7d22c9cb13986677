"""Drawings as inline SVG, for the HTML (and PDF) export only: html.py imports this, no other format.

Every drawing has a <title> and <desc> (its accessible name), and every label is escaped the same
way as HTML text, so an answer reads as typed and never becomes markup. The same facts sit in a
table beside each drawing (document.Figure), so a long label may be shortened here with "…".
Labels are 12 px or more, and boxes are sized from their line count, so nothing overlaps.
"""

from __future__ import annotations

import textwrap


def escape(text: str) -> str:
    return (str(text).replace("\x00", "\ufffd").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def _lines(text: str, width: int, most: int) -> list:
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def _open(key: str, title: str, desc: str, width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{key}-t {key}-d" width="100%" style="max-width: {width}px">\n'
            f'<title id="{key}-t">{escape(title)}</title>\n<desc id="{key}-d">{escape(desc)}</desc>\n'
            '<defs><marker id="' + key + '-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1d4e89"></path></marker></defs>\n')


def logic_model(drawing, key: str) -> str:
    """Five columns (resources to long-term outcomes), at most 8 items each; the table has them all."""
    columns = drawing.spec.get("columns", [])
    # 640 units wide: printed at the page's width (A4 or US Letter), 13-unit labels stay above 9 pt.
    col_w, gap, line_h, top = 112, 20, 16, 44
    boxes = []
    height = top
    for stage, items in columns:
        shown = [(_lines(item, 15, 3)) for item in items[:8]]
        if len(items) > 8:
            shown.append(_lines(f"and {len(items) - 8} more (see the table)", 15, 2))
        boxes.append((stage, shown))
        height = max(height, top + sum(len(x) * line_h + 12 for x in shown) + 10)
    width = len(columns) * (col_w + gap) - gap + 10
    out = [_open(key, drawing.title, drawing.description, width, height)]
    for n, (stage, shown) in enumerate(boxes):
        x = n * (col_w + gap) + 5
        for i, line in enumerate(_lines(stage, 14, 2)):
            out.append(f'<text x="{x + col_w / 2}" y="{16 + i * 15}" text-anchor="middle" font-size="13" '
                       f'font-weight="bold" fill="#1f2933">{escape(line)}</text>\n')
        y = top
        for lines in shown or [["(none yet)"]]:
            h = len(lines) * line_h + 8
            out.append(f'<rect x="{x}" y="{y}" width="{col_w}" height="{h}" rx="4" fill="#eef3f9" '
                       'stroke="#1d4e89"></rect>\n')
            for i, line in enumerate(lines):
                out.append(f'<text x="{x + 5}" y="{y + 16 + i * line_h}" font-size="13" '
                           f'fill="#1f2933">{escape(line)}</text>\n')
            y += h + 4
        if n < len(boxes) - 1:
            out.append(f'<line x1="{x + col_w + 2}" y1="{top + 14}" x2="{x + col_w + gap - 4}" y2="{top + 14}" '
                       f'stroke="#1d4e89" stroke-width="2" marker-end="url(#{key}-arrow)"></line>\n')
    out.append("</svg>\n")
    return "".join(out)


def flow(drawing, key: str) -> str:
    """The referral pathway: one box per step, top to bottom, who and how fast under the step."""
    steps = drawing.spec.get("steps", [])
    width, box_w, line_h, gap = 560, 500, 16, 26
    laid, y = [], 10
    for n, (step, who, within) in enumerate(steps, 1):
        lines = _lines(f"{n}. {step}", 60, 3)
        detail = " · ".join(x for x in (who, within) if x)
        sub = _lines(detail, 66, 2) if detail else []
        h = (len(lines) + len(sub)) * line_h + 14
        laid.append((y, h, lines, sub))
        y += h + gap
    out = [_open(key, drawing.title, drawing.description, width, y - gap + 10)]
    x = (width - box_w) / 2
    for n, (top, h, lines, sub) in enumerate(laid):
        out.append(f'<rect x="{x}" y="{top}" width="{box_w}" height="{h}" rx="6" fill="#eef3f9" '
                   'stroke="#1d4e89"></rect>\n')
        for i, line in enumerate(lines):
            out.append(f'<text x="{x + 10}" y="{top + 18 + i * line_h}" font-size="13" font-weight="bold" '
                       f'fill="#1f2933">{escape(line)}</text>\n')
        for i, line in enumerate(sub):
            out.append(f'<text x="{x + 10}" y="{top + 18 + (len(lines) + i) * line_h}" font-size="12" '
                       f'fill="#3e4c59">{escape(line)}</text>\n')
        if n < len(laid) - 1:
            out.append(f'<line x1="{width / 2}" y1="{top + h + 2}" x2="{width / 2}" y2="{top + h + gap - 4}" '
                       f'stroke="#1d4e89" stroke-width="2" marker-end="url(#{key}-arrow)"></line>\n')
    out.append("</svg>\n")
    return "".join(out)


DRAWERS = {"logic_model": logic_model, "flow": flow}
