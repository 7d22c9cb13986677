"""Text shaped into lines and paragraphs, and escaped for Markdown: data, never syntax.

A base module, below every layer, because both the Markdown export and the plan layer's
`deflect diff --format md` report escape answers with it (issue 13, item 2).
"""

from __future__ import annotations

import re

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|&~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d{1,9}(?=[.)](\s|$)))")
URL = re.compile(r"https?://[^\s<>\\`]+")


def md_inline(text: str) -> str:
    """Escape the characters that start Markdown inline syntax (mid-line text)."""
    return _MD_INLINE.sub(r"\\\1", text)


def md_line_start(line: str) -> str:
    """Escape a marker that would make an already inline-escaped line a heading, list, quote or rule."""
    match = _MD_LINE_START.match(line)
    if match:
        marker = match.group(2)
        if marker[0].isdigit():
            end = match.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = line[: match.start(2)] + "\\" + line[match.start(2):]
    return line


def _escape_line(line: str) -> str:
    return md_line_start(md_inline(line.strip()))


def paragraphs(value) -> list:
    """Text as its paragraphs, each a list of lines: blank lines split paragraphs, lines are stripped."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append(lines)
    return out


def one_line(value) -> str:
    """Text for a table cell or list item: whitespace runs (newlines too) become one space."""
    return " ".join(str(value).split())


def cell_text(value) -> str:
    """Text for a table cell: a line's whitespace runs become one space, and the person's line breaks
    stay as "\n" for each format to draw its own way (<br> in HTML, a break in Word, "; " in Markdown)."""
    return "\n".join(line for line in (one_line(part) for part in str(value).splitlines()) if line)


def md_text(value) -> str:
    """Escape text for a Markdown block: paragraphs and line breaks kept, no syntax let through."""
    return "\n\n".join("\\\n".join(_escape_line(line) for line in lines) for lines in paragraphs(value))


def md_cell(value) -> str:
    """Escape text for one Markdown table cell or list item: a single line, pipes escaped."""
    text = one_line(value)
    return _escape_line(text) if text else ""


def md_heading(value) -> str:
    """Escape text for a heading: one line, and `#` escaped so a trailing `#` is not eaten as a closing marker."""
    return md_cell(value).replace("#", "\\#")


def md_url(value) -> str:
    """A web address as a Markdown autolink, or as escaped text if it is not a plain http(s) address."""
    text = str(value).strip()
    if URL.fullmatch(text):
        return f"<{text}>"
    return md_cell(text)
