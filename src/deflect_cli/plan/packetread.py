"""Reading a returned partner packet (Word, Markdown or answers file) into packet.Returned.

A returned document is hostile until proven otherwise. The Word file is read as a zip of XML by
hand (python-docx leaves out text inside content controls and tracked insertions): the file and
every part are size-capped, a part that expands far more than text does (a zip bomb) is refused,
as are DTDs and entity declarations (no entity is ever expanded), macro parts and .docm files. A
document with unaccepted tracked changes is refused: which version did the partner mean?
Every refusal is one PacketError line; nothing is changed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from deflect_cli.plan.packet import NEW_ROW, ROW_ID, PacketError, Returned, from_header

MAX_FILE = 20 * 1024 * 1024
MAX_PART = 30 * 1024 * 1024
MAX_TOTAL = 60 * 1024 * 1024
MAX_RATIO = 100  # deflated XML runs 5-20x; a bomb runs thousands
MAX_PARTS = 2000
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CODE = re.compile(r"^(P|S\d{1,3})-\d{2,3}$")
_TRACKED = ("ins", "del", "moveFrom", "moveTo")


def read(path: Path) -> Returned:
    path = Path(path)
    raw = _read_capped(path)
    suffix = path.suffix.lower()
    if suffix in (".docm", ".dotm"):
        raise PacketError(f"{path}: a macro-enabled Word file (.docm); deflect reads only .docx packets")
    if raw[:2] == b"PK":
        return read_docx(raw, str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PacketError(f"{path}: not a packet (neither a Word file nor UTF-8 text)") from None
    if "<!-- deflect-packet " in text or suffix in (".md", ".markdown"):
        return read_markdown(text, str(path))
    return read_yaml(text, str(path))


def _read_capped(path: Path) -> bytes:
    """The file's bytes through safeio (regular files only, never a pipe or device, size-capped)."""
    from deflect_cli.safeio import FileProblem, read_regular

    try:
        return read_regular(path, MAX_FILE)
    except FileProblem as problem:
        more = "; it is not a packet deflect wrote" if "larger than" in str(problem) else ""
        raise PacketError(f"{path}: the file {problem}{more}") from None
    except FileNotFoundError:
        raise PacketError(f"{path}: no such file") from None
    except OSError as exc:
        raise PacketError(f"{path}: cannot read it: {(exc.strerror or str(exc)).lower()}") from None


# --------------------------------------------------------------------------- Word


def _parts(raw: bytes, source: str) -> dict:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PacketError(f"{source}: not a Word document (the file is damaged)") from None
    if len(infos) > MAX_PARTS:
        raise PacketError(f"{source}: the Word file has too many parts ({len(infos)}); refused")
    total = 0
    for info in infos:
        name = info.filename.lower()
        if "vbaproject" in name or "vbadata" in name or name.endswith(".bin") and "vba" in name:
            raise PacketError(f"{source}: the document contains macros ({info.filename}); refused")
        total += info.file_size
        if info.file_size > MAX_PART or total > MAX_TOTAL or (
                info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise PacketError(f"{source}: the Word file expands far beyond its size (a zip bomb?); refused")
    wanted = {}
    for info in infos:
        name = info.filename
        if name in ("[Content_Types].xml", "word/document.xml") or name.startswith("customXml/item") \
                and name.endswith(".xml") and "/" not in name[len("customXml/"):]:
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_PART + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
                raise PacketError(f"{source}: the Word file is damaged ({exc.__class__.__name__})") from None
            if len(data) > MAX_PART:
                raise PacketError(f"{source}: a part of the Word file is too large; refused")
            wanted[name] = data
    types = wanted.get("[Content_Types].xml", b"")
    if b"macroenabled" in types.lower() or b"vbaproject" in types.lower():
        raise PacketError(f"{source}: the document is macro-enabled; deflect reads only .docx packets")
    if "word/document.xml" not in wanted:
        raise PacketError(f"{source}: not a Word document (no word/document.xml)")
    return wanted


def _xml(data: bytes, source: str, part: str):
    import xml.etree.ElementTree as ET

    head = data[:4096].lower()
    if b"<!doctype" in data.lower() or b"<!entity" in head or b"<!entity" in data.lower():
        raise PacketError(f"{source}: {part} declares a DTD or XML entities; refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise PacketError(f"{source}: {part} is not well-formed XML ({exc})") from None


def _cell_text(cell) -> str:
    """A cell's text: every run inside it, content controls and insertions included, paragraphs
    and line breaks as new lines, deleted text left out."""
    lines = []
    for paragraph in cell.iter(W + "p"):
        parts = []
        for node in paragraph.iter():
            tag = node.tag
            if tag == W + "t":
                parts.append(node.text or "")
            elif tag == W + "tab":
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def _children(node, tag: str) -> list:
    """Direct children `tag`, also those wrapped in content controls (w:sdt/w:sdtContent)."""
    out = []
    for child in node:
        if child.tag == W + tag:
            out.append(child)
        elif child.tag == W + "sdt":
            body = child.find(W + "sdtContent")
            if body is not None:
                out += _children(body, tag)
        elif child.tag in (W + "customXml", W + "smartTag"):
            out += _children(child, tag)
    return out


def read_docx(raw: bytes, source: str) -> Returned:
    parts = _parts(raw, source)
    body = _xml(parts["word/document.xml"], source, "word/document.xml")
    for node in body.iter():
        if node.tag in tuple(W + t for t in _TRACKED):
            raise PacketError(f"{source}: the document has tracked changes that are not accepted; accept or "
                              "reject them in Word (Review, Accept All) and save it again")
    header = None
    for name, data in sorted(parts.items()):
        if name.startswith("customXml/"):
            root = _xml(data, source, name)
            if root.tag == "{urn:deflect:packet:1}packet":
                header = _header(root.text or "", source)
    returned = Returned(header, source=source)
    for table in body.iter(W + "tbl"):
        rows = [[_cell_text(c) for c in _children(tr, "tc")] for tr in _children(table, "tr")]
        _take_table(rows, returned, source)
    return returned


def _header(text: str, source: str):
    """A Word or Markdown packet's header (JSON): a damaged one is refused the same way in both."""
    try:
        return from_header(json.loads(text))
    except ValueError:
        raise PacketError(f"{source}: the packet header is damaged") from None


def _take_table(rows: list, returned: Returned, source: str) -> None:
    if not rows:
        return
    first = rows[0]
    if len(first) >= 2 and CODE.match(first[0].strip()) and first[1].strip() == "Row id":
        code = first[0].strip()
        if code in returned.tables:
            raise PacketError(f"{source}: the table {code} appears twice")
        found = []
        for number, row in enumerate(rows[1:], 1):
            if len(row) != len(first):
                raise PacketError(f"{source}: row {number} of table {code} has {len(row)} cells, not {len(first)}; "
                                  "were columns merged or removed?")
            row_id = " ".join(row[1].split()) or NEW_ROW
            found.append((row_id, _number(row[0], number), {"_cells": row[2:]}))
        returned.tables[code] = found
        return
    for row in rows:
        if len(row) >= 3 and CODE.match(row[0].strip()):
            code = row[0].strip()
            if code in returned.answers:
                raise PacketError(f"{source}: the question {code} appears twice")
            returned.answers[code] = row[-1]


def _number(text: str, fallback: int) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 6 else fallback


def columns_by_position(returned: Returned, content) -> None:
    """Word and Markdown tables carry cells by position: name them by the question's columns."""
    from deflect_cli.plan.packet import all_codes

    codes = returned.header.codes if returned.header else all_codes(content)
    for code, rows in returned.tables.items():
        question = content.question(codes.get(code, ""))
        if question is None:
            continue
        ids = [c.id for c in question.columns]
        for index, (row_id, number, cells) in enumerate(rows):
            if "_cells" in cells:
                texts = cells["_cells"]
                if len(texts) != len(ids):
                    raise PacketError(f"{returned.source}: table {code} has {len(texts)} columns, not "
                                      f"{len(ids)}; were columns added or removed?")
                rows[index] = (row_id, number, dict(zip(ids, texts)))


# --------------------------------------------------------------------------- Markdown

_HEADER_MD = re.compile(r"<!-- deflect-packet (\{.*\}) -->")
_ANSWER = re.compile(r"^Answer ((?:P|S\d{1,3})-\d{2,3}):")
_TABLE = re.compile(r"^Table ((?:P|S\d{1,3})-\d{2,3}):\s*$")
_FENCE = re.compile(r"^(`{3,})\s*$")


def _split_md_row(line: str) -> list:
    cells, current, escaped = [], [], False
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    for ch in body:
        if escaped:
            current.append(ch if ch in "\\`*_[]<>|&~" else "\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
    cells.append("".join(current))
    return [c.strip().replace("<br>", "\n") for c in cells]


def read_markdown(text: str, source: str) -> Returned:
    if "\x00" in text:
        raise PacketError(f"{source}: not a text packet")
    match = _HEADER_MD.search(text)
    returned = Returned(_header(match.group(1), source) if match else None, source=source)
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        answer, table = _ANSWER.match(lines[i]), _TABLE.match(lines[i])
        if answer:
            code = answer.group(1)
            if code in returned.answers:
                raise PacketError(f"{source}: the question {code} appears twice")
            returned.answers[code], i = _md_answer(lines, _skip_blank(lines, i + 1))
        elif table:
            code = table.group(1)
            returned.tables[code], i = _md_table(lines, _skip_blank(lines, i + 1), code, source)
        else:
            i += 1
    return returned


def _skip_blank(lines: list, i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _md_answer(lines: list, i: int) -> tuple:
    """(an answer's text, the line after it) from line `i` on: a fenced block, or the lines (list
    items unmarked) up to the next heading, answer or comment."""
    fence = _FENCE.match(lines[i]) if i < len(lines) else None
    body = []
    if fence:
        i += 1
        while i < len(lines) and lines[i].strip() != fence.group(1):
            body.append(lines[i])
            i += 1
        i += 1
    else:
        while i < len(lines) and not lines[i].startswith("#") and not _ANSWER.match(lines[i]) \
                and not lines[i].startswith("<!--"):
            item = lines[i].strip()
            if item.startswith(("- ", "* ")):
                item = item[2:]
            body.append(item)
            i += 1
    return "\n".join(body).strip("\n"), i


def _md_table(lines: list, i: int, code: str, source: str) -> tuple:
    """(a table's rows as (row id, number, cells), the line after it) from line `i` on."""
    rows = []
    while i < len(lines) and lines[i].strip().startswith("|"):
        rows.append(_split_md_row(lines[i]))
        i += 1
    if len(rows) < 2 or rows[0][1:2] != ["Row id"]:
        raise PacketError(f"{source}: the table {code} lost its header row")
    found = []
    for number, row in enumerate(rows[2:], 1):
        if len(row) != len(rows[0]):
            raise PacketError(f"{source}: row {number} of table {code} has {len(row)} cells, not {len(rows[0])}")
        found.append((row[1].strip() or NEW_ROW, _number(row[0], number), {"_cells": row[2:]}))
    return found, i


# --------------------------------------------------------------------------- answers file


def read_yaml(text: str, source: str) -> Returned:
    from deflect_cli import yamlio

    try:
        data = yamlio.parse(text) if text.strip() else {}
    except yamlio.YAMLProblem as problem:
        where = f":{problem.line}" if problem.line else ""
        raise PacketError(f"{source}{where}: {problem.message}") from None
    if not isinstance(data, dict) or "deflect_packet" not in data:
        raise PacketError(f"{source}: not a packet (no deflect_packet header); to add answers from a file use "
                          "`deflect resume --answers FILE`")
    header = data.pop("deflect_packet")
    if isinstance(header, str):
        try:
            header = json.loads(header)
        except ValueError:
            raise PacketError(f"{source}: the packet header is damaged") from None
    header = from_header(_plain(header))
    by_key = {key: code for code, key in header.codes.items()}
    returned = Returned(header, source=source)
    for section_id, answers in data.items():
        if not isinstance(answers, dict):
            raise PacketError(f"{source}: {section_id}: expected a mapping of question ids to answers")
        for question_id, value in answers.items():
            key = f"{section_id}.{question_id}"
            code = by_key.get(key)
            if code is None:
                raise PacketError(f"{source}: {key} is not a question of this packet; nothing was changed")
            value = _plain(value)
            if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                rows = []
                for number, row in enumerate(value, 1):
                    row_id = row.get(ROW_ID) or NEW_ROW
                    rows.append((str(row_id), number, {k: v for k, v in row.items() if k != ROW_ID}))
                returned.tables[code] = rows
            elif isinstance(value, list) and not value:
                returned.tables[code] = []
                returned.answers[code] = value
            else:
                returned.answers[code] = value
    return returned


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
