"""The document as Markdown: one output among others, written straight from the blocks.

Every piece of text is escaped here (text.py's md_* rules), so `{{ 7*7 }}`, `|`, `#`, `<script>` or
a newline typed as an answer prints as typed and cannot change the document's structure. Needs
no Jinja: an agency's own `plan.md.j2` / `workbook.md.j2` in --templates DIR replaces this
renderer for Markdown only (render.py decides), with the facts of model.py as `doc`.
"""

from __future__ import annotations

from deflect_cli.export import blocks as d
from deflect_cli.mdtext import md_cell, md_heading, md_inline, md_line_start


def render(doc: d.Document, templates=None) -> str:
    return "\n\n".join(filter(None, (block(b) for b in doc.blocks))) + "\n"


def block(b) -> str:
    kind = type(b)
    if kind is d.Heading:
        number = f"{b.number} " if b.number else ""
        return f"{'#' * b.level} {number}{md_heading(b.text)}"
    if kind is d.Paragraph:
        return runs(b.runs)
    if kind is d.List:
        return _list(b)
    if kind is d.Table:
        return table(b)
    if kind is d.Figure:
        if b.steps is not None:  # a pathway reads as a numbered list; Mermaid only when asked for
            parts = [runs([d.Text(b.caption, italic=True)]), block(b.steps)]
            return "\n\n".join(parts + ([mermaid(b.steps)] if b.mermaid else []))
        return "\n\n".join((runs([d.Text(b.caption, italic=True)]), table(b.table)))
    if kind is d.Steps:
        return "\n".join(f"{n}. " + runs([d.Text(title, bold=True), d.Text(f": {text}" if text else "")])
                         for n, (title, text) in enumerate(b.steps, 1))
    if kind is d.AnswerField:
        return "\n\n".join(block(x) for x in b.blocks())
    if kind is d.Quote:
        inner = "\n\n".join(block(x) for x in b.blocks)
        return "\n".join(("> " + line) if line.strip() else ">" for line in inner.split("\n"))
    if kind is d.Guide:
        return b.markdown
    raise TypeError(f"no Markdown for {kind.__name__}")


def mermaid(steps: d.Steps) -> str:
    """A Mermaid flowchart of the steps. Labels are quoted strings with every character Mermaid or
    Markdown could read as syntax written as an entity (#quot; #35; ...), so a label is never code."""
    lines = ["```mermaid", "flowchart TD"]
    for n, (title, text) in enumerate(steps.steps, 1):
        label = f"{n}. {title}" + (f" ({text})" if text else "")
        lines.append(f'    s{n}["{mermaid_label(label)}"]')
        if n > 1:
            lines.append(f"    s{n - 1} --> s{n}")
    lines.append("```")
    return "\n".join(lines)


def mermaid_label(text: str) -> str:
    out = []
    for ch in " ".join(str(text).split()):
        if ch.isalnum() or ch in " .,:;()-+/'?!":
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def runs(items: list) -> str:
    """Inline runs; a line's first text is also escaped against starting a list, heading or quote."""
    out, line_start = [], True
    for run in items:
        kind = type(run)
        if kind is d.Break:
            out.append("\n" if run.soft else "\\\n")
            line_start = True
            continue
        if kind is d.Link:
            if run.href.startswith("#"):
                out.append(f"[{md_inline(run.text)}]({run.href})")
            elif run.text == run.href:
                out.append(f"<{run.href}>")
            else:
                out.append(f"[{md_inline(run.text)}](<{run.href}>)")
        elif run.code:
            out.append(f"`{run.text}`")
        else:
            text = md_inline(run.text)
            if line_start:
                text = md_line_start(text)
            if run.italic:
                text = f"*{text}*"
            if run.bold:
                text = f"**{text}**"
            out.append(text)
        line_start = False
    return "".join(out)


def _list(b: d.List) -> str:
    lines = []
    for n, item in enumerate(b.items, b.start):
        marker = f"{n}. " if b.ordered else "- "
        lines.append(marker + runs(item.runs))
        for child in item.children:
            lines += [(" " * len(marker) + line) if line else "" for line in block(child).split("\n")]
    return "\n".join(lines)


def table(b: d.Table) -> str:
    width = len(b.header) or max((len(r) for r in b.rows), default=2)
    if b.header:
        lines = ["| " + " | ".join(md_cell(h) for h in b.header) + " |"]
    else:
        lines = ["|" + " |" * width]
    # Currency right-aligned (as in every format). Other number columns stay as they were, so
    # documents made before the budget chapter keep their exact text.
    numeric = {i for i in range(width) if any(i < len(row) and row[i].type == "money" for row in b.rows)}
    lines.append("|" + "".join(" ---: |" if i in numeric else " --- |" for i in range(width)))
    # a Markdown table row is one line: a line break inside a cell becomes "; "
    lines += ["| " + " | ".join("; ".join(md_cell(part) for part in c.text.split("\n")) for c in row) + " |"
              for row in b.rows]
    return "\n".join(lines)
