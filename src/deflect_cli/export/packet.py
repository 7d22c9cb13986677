"""A partner packet as a Word document (from the typed blocks), as Markdown, or as an answers file.

Every question is a table row: its visible code, the question with its help, and the answer cell
holding the plan's current answer (a partner corrects rather than starts blank). Choices are lines
with a box each (☒ ticked, ☐ not). A table answer follows its section as a table of numbered rows,
each with its row id, and a few spare rows marked `new`. Identity lives in that visible text and in
a custom-XML part (/customXml/item1.xml) holding the packet header (packet id, workbook version,
recipient, codes and the answers as sent): LibreOffice keeps both, while it drops content controls.
"""

from __future__ import annotations

import json

from deflect_cli.content import qtypes
from deflect_cli.content.answers import is_empty
from deflect_cli.export import blocks as d
from deflect_cli.plan.packet import NEW_ROW, ROW_ID, Packet

NAMESPACE = "urn:deflect:packet:1"
SPARE_ROWS = 3
INSTRUCTIONS = (
    "Write each answer in the Answer column, or correct the answer already there. Tick a box by replacing "
    "☐ with ☒ (or typing an X in front of the choice). Keep each code (like S8-03) and each row id as it is: "
    "deflect uses them to put your answers back in the plan. Add table rows in the rows marked new; to "
    "remove a row, clear its cells. Please do not use Track Changes (or accept every change before you "
    "send the document back)."
)


def _choice_lines(rule, value) -> str:
    chosen = value if isinstance(value, list) else ([] if is_empty(value) else [value])
    known = {c.value for c in rule.choices}
    lines = [f"{'☒' if c.value in chosen else '☐'} {c.label}" for c in rule.choices]
    if getattr(rule, "other", False):
        extra = [v for v in chosen if v not in known]
        lines.append(f"{'☒' if extra else '☐'} Other: {', '.join(map(str, extra))}".rstrip())
    return "\n".join(lines)


def answer_text(rule, value) -> str:
    """The answer cell's text for a question or a table cell: a box per choice for what is ticked,
    the rest written as its type writes it into a form (read back by plan/packet.parse_value)."""
    kind = qtypes.get(rule.type)
    if kind.input in ("choice", "multi_choice"):
        return _choice_lines(rule, value)
    if kind.input == "yes_no":
        return f"{'☒' if value is True else '☐'} Yes\n{'☒' if value is False else '☐'} No"
    if is_empty(value):
        return ""
    return kind.form_text(rule, value)


def cell_text(column, value) -> str:
    """A table cell: choices as their label, yes/no as the word, the rest as stored."""
    if is_empty(value):
        return ""
    kind = qtypes.get(column.type)
    if kind.input in ("choice", "yes_no"):
        return kind.display(column, value)
    return answer_text(column, value)


def _hint(question) -> str:
    return qtypes.get(question.type).form_hint(question)


def _title(section) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def document(content, packet: Packet) -> d.Document:
    blocks: list = [d.Heading(1, f"Questions for {packet.recipient}" if packet.recipient else "Questions"),
                    d.Paragraph([d.Text(f"From the deflection plan {packet.plan}" if packet.plan else
                                        "From a deflection plan"),
                                 d.Text(f" ({packet.workbook}, version {packet.version}); packet {packet.id}.")]),
                    d.Paragraph([d.Text(INSTRUCTIONS, italic=True)])]
    by_section: dict = {}
    for item in packet.items(content):
        by_section.setdefault(item.question.section_id, []).append(item)
    for section_id in packet.sections:
        section = content.section(section_id)
        items = by_section.get(section_id, [])
        if section is None or not items:
            continue
        blocks.append(d.Heading(2, _title(section)))
        rows, tables = [], []
        for item in items:
            q = item.question
            value = (packet.base.get(q.section_id) or {}).get(q.id)
            words = q.prompt + (" *" if q.required else "")
            hint = _hint(q)
            if q.help:
                words += "\n" + " ".join(q.help.split())
            if hint:
                words += "\n" + hint
            if q.type == "table":
                rows.append([d.Cell(item.code), d.Cell(words), d.Cell(f"See table {item.code} below.")])
                tables.append((item, value))
            else:
                rows.append([d.Cell(item.code), d.Cell(words), d.Cell(answer_text(q, value))])
        blocks.append(d.Table(["Code", "Question", "Answer"], rows))
        for item, value in tables:
            blocks += _table_blocks(item, value)
    return d.Document(blocks, {"title": f"Packet for {packet.recipient}" if packet.recipient else "Packet",
                               "kind": "packet", "subject": "Questions from a deflection plan", "date": packet.made,
                               "author": packet.plan,
                               "content_title": packet.workbook, "content_version": packet.version,
                               "custom_xml": custom_xml(packet)}, {})


def _table_blocks(item, value) -> list:
    q = item.question
    header = [item.code, "Row id"] + [c.label + (" *" if c.required else "") for c in q.columns]
    rows = []
    for number, row in enumerate(value or [], 1):
        rows.append([d.Cell(str(number)), d.Cell(str(row.get(ROW_ID, "")))] +
                    [d.Cell(cell_text(c, row.get(c.id))) for c in q.columns])
    start = len(rows)
    for extra in range(SPARE_ROWS):
        rows.append([d.Cell(str(start + extra + 1)), d.Cell(NEW_ROW)] + [d.Cell("") for _ in q.columns])
    notes = [f"{c.label}: one of " + ", ".join(ch.label for ch in c.choices) for c in q.columns if c.choices]
    out = [d.Heading(3, f"{item.code} {q.prompt}"), d.Table(header, rows)]
    if notes:
        out.append(d.Paragraph([d.Text("; ".join(notes) + ".", italic=True)]))
    return out


def custom_xml(packet: Packet) -> bytes:
    """The hidden part: the packet header as JSON inside one element (escaped by ElementTree)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("packet", {"xmlns": NAMESPACE})
    root.text = json.dumps(packet.header(), ensure_ascii=True, sort_keys=True)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root)


# --------------------------------------------------------------------------- Markdown


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _md_cell(text: str) -> str:
    from deflect_cli.mdtext import md_inline

    return md_inline(text).replace("\n", "<br>")


def markdown(content, packet: Packet) -> str:
    from deflect_cli.mdtext import md_inline

    out = [f"# Questions for {md_inline(packet.recipient)}" if packet.recipient else "# Questions", "",
           md_inline(f"From the deflection plan {packet.plan} ({packet.workbook}, version {packet.version}); "
                     f"packet {packet.id}."), "",
           md_inline("Write each answer inside its box of backticks, or correct the answer already there. Tick a "
                     "choice by writing x between its brackets: [x]. Keep each code and row id as it is."), ""]
    items = {i.code: i for i in packet.items(content)}
    for section_id in packet.sections:
        section = content.section(section_id)
        codes = [c for c, i in items.items() if i.question.section_id == section_id]
        if section is None or not codes:
            continue
        out += [f"## {md_inline(_title(section))}", ""]
        for code in codes:
            q = items[code].question
            value = (packet.base.get(q.section_id) or {}).get(q.id)
            out += [f"### {code} {md_inline(q.prompt)}", ""]
            if q.help:
                out += ["> " + md_inline(" ".join(q.help.split())), ""]
            if q.type == "table":
                out += [f"Table {code}:", ""]
                header = ["#", "Row id"] + [c.label for c in q.columns]
                out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
                out.append("|" + "---|" * len(header))
                rows = list(value or [])
                for number, row in enumerate(rows, 1):
                    cells = [str(number), str(row.get(ROW_ID, ""))] + [cell_text(c, row.get(c.id)) for c in q.columns]
                    out.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
                for extra in range(SPARE_ROWS):
                    out.append("| " + " | ".join([str(len(rows) + extra + 1), NEW_ROW] + [""] * len(q.columns)) + " |")
                out.append("")
            elif qtypes.get(q.type).input in ("choice", "multi_choice", "yes_no"):
                hint = _hint(q)
                out += [f"Answer {code}: {hint}", ""]
                for line in answer_text(q, value).splitlines():
                    mark, _, label = line.partition(" ")
                    out.append(f"- [{'x' if mark == '☒' else ' '}] {label}")
                out.append("")
            else:
                text = answer_text(q, value)
                fence = _fence(text)
                out += [f"Answer {code}: {_hint(q)}".rstrip(), "", fence, text, fence, ""]
    header = json.dumps(packet.header(), ensure_ascii=True, sort_keys=True).replace(">", "\\u003e")
    out += [f"<!-- deflect-packet {header} -->", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- answers file


def answers_file(content, packet: Packet) -> str:
    from deflect_cli import yamlio

    answers: dict = {}
    for item in packet.items(content):
        q = item.question
        value = (packet.base.get(q.section_id) or {}).get(q.id)
        answers.setdefault(q.section_id, {})[q.id] = value
    intro = (f"# deflect packet {packet.id} for {packet.recipient or 'a partner'}: change the answers below and "
             "send the file back.\n# Keep `deflect_packet` and every table row's `_id` as they are.\n")
    # One line of JSON, so that a find-and-replace over the answers cannot change the answers as sent.
    header = {"deflect_packet": json.dumps(packet.header(), ensure_ascii=True, sort_keys=True)}
    return intro + yamlio.dump(answers) + yamlio.dump(header)
