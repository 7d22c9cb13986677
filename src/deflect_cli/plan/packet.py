"""Partner packets: some sections of the plan sent to a partner who fills them offline, and read back.

A packet names each question by a short visible code (`S8-03`: section 8, question 3; `P-01` for the
plan profile) and each table row by its row id, because identity has to survive the editors people
really use: Word content controls lose their tags in LibreOffice, but visible text and a custom-XML
part survive. The packet also carries the answers as sent (`base`), so the import can compare three
ways: sent, returned and the plan as it is now. An answer the plan changed since the packet was made,
and the partner changed too, is a conflict: never silently overwritten.

This module is the pure core (no terminal, no file formats): `build` makes the packet's facts,
`compare` judges returned values. export/packet.py writes the formats; packetread.py reads them back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Optional

from deflect_cli.content import qtypes
from deflect_cli.content.answers import is_empty, parse_text, validate
from deflect_cli.errors import DeflectError

FORMAT = 1  # the packet's own format, in its header
ROW_ID = "_id"
NEW_ROW = "new"  # the row id printed on empty rows left for the partner to add
TICKED = ("☒", "☑", "✔", "✓", "[x]", "[X]", "(x)", "(X)", "x ", "X ")
UNTICKED = ("☐", "[ ]", "( )")
OTHER = "Other:"


class PacketError(DeflectError):
    """A returned packet that cannot be read or trusted: one line, nothing changed."""


def ensure_row_ids(rows: list) -> list:
    """Give every row dict of a table answer that lacks one a new id; returns the same list."""
    from deflect_cli.plan.upgrades import new_row_id

    if not isinstance(rows, list):
        return rows
    seen: set = set()
    for row in rows:
        if isinstance(row, dict):
            rid = row.get(ROW_ID)
            if not isinstance(rid, str) or not rid or rid in seen:
                row[ROW_ID] = rid = new_row_id(seen | {r.get(ROW_ID) for r in rows if isinstance(r, dict)})
            seen.add(rid)
    return rows


def code_for(section, index: int) -> str:
    return f"P-{index:02d}" if not section.number else f"S{section.number}-{index:02d}"


def all_codes(content) -> dict:
    """Every question's code -> SECTION.QUESTION."""
    return {code_for(s, i): q.key for s in content.all_sections for i, q in enumerate(s.questions, 1)}


@dataclass
class Item:
    code: str
    key: str
    question: object


@dataclass
class Packet:
    id: str
    recipient: str
    workbook: str  # the content's title
    version: str   # the content's version
    sections: list  # section ids
    codes: dict     # code -> SECTION.QUESTION
    base: dict      # section id -> {question id: value}: the answers as sent
    plan: str = ""  # the program's name, for the cover
    made: str = ""

    def header(self) -> dict:
        return {"format": FORMAT, "id": self.id, "recipient": self.recipient, "workbook": self.workbook,
                "version": self.version, "sections": list(self.sections), "codes": dict(self.codes),
                "base": self.base, "plan": self.plan, "made": self.made}

    def items(self, content) -> list:
        out = []
        for code, key in self.codes.items():
            question = content.question(key)
            if question is not None:
                out.append(Item(code, key, question))
        return out


def from_header(data) -> Packet:
    """A packet header read back from a returned file; anything malformed is a PacketError."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PacketError("the packet header is not one deflect wrote (or was written by a newer deflect)")
    text_fields = ("id", "recipient", "workbook", "version", "plan", "made")
    if not all(isinstance(data.get(k, ""), str) for k in text_fields):
        raise PacketError("the packet header is damaged")
    codes, base, sections = data.get("codes"), data.get("base"), data.get("sections")
    if not isinstance(codes, dict) or not all(isinstance(k, str) and isinstance(v, str) and "." in v
                                              for k, v in codes.items()):
        raise PacketError("the packet header's question codes are damaged")
    if not isinstance(base, dict) or not all(isinstance(v, dict) for v in base.values()):
        raise PacketError("the packet header's answers as sent are damaged")
    if not isinstance(sections, list):
        raise PacketError("the packet header's sections are damaged")
    return Packet(data["id"], data.get("recipient", ""), data.get("workbook", ""), data.get("version", ""),
                  [str(s) for s in sections], dict(codes), base, data.get("plan", ""), data.get("made", ""))


def resolve_sections(content, refs: list) -> list:
    """`8,9` or ids -> the sections, in workbook order; an unknown one is a DeflectError."""
    chosen = []
    for ref in refs:
        section = content.section(ref.strip())
        if section is None:
            raise DeflectError(f"unknown section {ref.strip()!r}; `deflect sections` lists them.")
        if section not in chosen:
            chosen.append(section)
    order = {s.id: n for n, s in enumerate(content.all_sections)}
    return sorted(chosen, key=lambda s: order[s.id])


def build(content, plan, sections: list, recipient: str) -> Packet:
    """The facts of a packet for `sections`: codes and the plan's current answers of those sections
    only (nothing from any other section leaves the plan)."""
    from deflect_cli.plan.model import now

    codes, base = {}, {}
    for section in sections:
        for index, question in enumerate(section.questions, 1):
            codes[code_for(section, index)] = question.key
            value = plan.answer(section.id, question.id)
            if not is_empty(value):
                if question.type == "table":
                    value = ensure_row_ids([dict(r) for r in value if isinstance(r, dict)])
                base.setdefault(section.id, {})[question.id] = json.loads(json.dumps(value))
    program = plan.answer("profile", "program_name") or plan.answer("profile", "agency") or ""
    return Packet(os.urandom(6).hex(), recipient, content.title, content.version, [s.id for s in sections],
                  codes, base, str(program), now())


# --------------------------------------------------------------------------- reading values back


def _choice_by_label(rule, text: str) -> Optional[str]:
    folded = " ".join(text.split()).casefold()
    for choice in rule.choices:
        if folded in (choice.label.casefold(), choice.value.casefold()):
            return choice.value
    return None


def ticked_lines(text: str) -> tuple:
    """(labels ticked, whether any box was seen) from lines like `☒ Label` / `☐ Label`."""
    ticked, boxes = [], False
    for line in text.splitlines():
        line = line.strip()
        mark = next((m for m in TICKED if line.startswith(m)), None)
        if mark is not None:
            boxes = True
            ticked.append(line[len(mark):].strip())
        elif any(line.startswith(m) for m in UNTICKED):
            boxes = True
    return ticked, boxes


def parse_value(rule, text: str):
    """A returned answer's text -> (value, error), with the wizard's own rules (each question type's
    `parse_returned`); boxes are read here, for the types asked by ticking. Empty text is (None, None):
    no answer."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kind = qtypes.get(rule.type)
    if kind.input == "yes_no" or (kind.input in ("choice", "multi_choice") and rule.choices):
        return _parse_ticked(rule, kind, text)
    return kind.parse_returned(rule, text)


def _parse_ticked(rule, kind, text: str):
    labels, boxes = ticked_lines(text)
    if not boxes:  # a plain typed answer instead of ticks
        labels = [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]
        if kind.input == "multi_choice" and len(labels) == 1 and "," in labels[0]:
            labels = [part.strip() for part in labels[0].split(",") if part.strip()]
    if not labels:
        return None, None
    if kind.input == "yes_no":
        if len(labels) > 1:
            return text, "tick only one of Yes and No"
        return parse_text(rule, labels[0])
    values = []
    for label in labels:
        if label.startswith(OTHER):
            label = label[len(OTHER):].strip().strip("_").strip()
            if not label:
                continue
        value = _choice_by_label(rule, label)
        values.append(value if value is not None else label)
    if not values:
        return None, None
    if kind.input == "choice":
        if len(values) > 1:
            return text, "tick only one choice"
        return validate(rule, values[0])
    return validate(rule, values)


def parse_any(rule, value, typed: bool = False):
    """Text from a document is parsed; a typed value from an answers file or a plan is validated."""
    if value is None:
        return None, None
    if isinstance(value, str) and not typed:
        return parse_value(rule, value)
    if is_empty(value):
        return None, None
    return validate(rule, value)


def parse_row(question, cells: dict, typed: bool = False) -> tuple:
    """{column id: text} -> (row dict, error) with each cell parsed as the wizard would."""
    row = {}
    unknown = [k for k in cells if k not in {c.id for c in question.columns}]
    if unknown:
        return None, f"unknown column {unknown[0]!r}"
    for column in question.columns:
        text = cells.get(column.id, "")
        if typed or not isinstance(text, str):
            value, error = parse_any(column, text, typed)
        elif qtypes.get(column.type).input == "choice" and text.strip():
            value = _choice_by_label(column, text)
            value, error = validate(column, value if value is not None else " ".join(text.split()))
        else:
            value, error = parse_value(column, text)
        if error:
            return None, f"{column.label}: {error}"
        if not is_empty(value):
            row[column.id] = value
    return row, None


# --------------------------------------------------------------------------- three-way comparison

NEW, CHANGED, UNCHANGED, INVALID, MISSING, CONFLICT, REMOVED = (
    "new", "changed", "unchanged", "invalid", "missing", "conflict", "removed")


@dataclass
class Outcome:
    """What the import would do with one answer (or one table row)."""
    kind: str
    key: str
    code: str
    question: object
    sent: object = None
    returned: object = None
    current: object = None
    reason: str = ""
    row: str = ""  # the row id, for a table row
    number: int = 0  # the row's number as printed in the packet


def _norm(value):
    """What counts when comparing: not row ids, not the order of ticked choices, not how text was
    wrapped or spaced (Word and editors re-flow it)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if k != ROW_ID and not is_empty(v)}
    if isinstance(value, list):
        items = [_norm(v) for v in value]
        if all(not isinstance(v, (dict, list)) for v in items):
            return sorted(items, key=lambda v: json.dumps(v, default=str))
        return items
    return value


def same(a, b) -> bool:
    if is_empty(a) and is_empty(b):
        return True
    return json.dumps(_norm(a), sort_keys=True, default=str) == json.dumps(_norm(b), sort_keys=True, default=str)


def _judge(sent, returned, current, has_base: bool) -> str:
    if same(returned, current):
        return UNCHANGED
    if has_base and same(returned, sent):
        return UNCHANGED  # the partner left it as sent: the plan's newer answer stands
    if has_base and same(current, sent):
        return NEW if is_empty(current) else CHANGED
    return CONFLICT


@dataclass
class Returned:
    """What a reader found in a returned packet: the header (None when it was lost), text answers by
    code, and for tables a list of (row id, number, {column id: text}) by code."""
    header: Optional[Packet]
    answers: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    source: str = ""
    typed: bool = False  # values as stored in a plan (merge), not text from a document
    merge: bool = False  # rows unknown to the plan and the base are the other copy's new rows


def compare(content, plan, returned: Returned) -> list:
    """Every answer of the packet judged three ways (sent, returned, current): a list of Outcome."""
    packet = returned.header
    has_base = packet is not None
    codes = packet.codes if packet else all_codes(content)  # a lost header: the codes are still visible
    base = packet.base if packet else {}
    outcomes = []
    for code in list(returned.answers) + [c for c in returned.tables if c not in returned.answers]:
        if code not in codes:
            raise PacketError(f"the code {code} is not a question of this packet; was the document "
                              "edited by hand? Nothing was changed")
    for code, key in codes.items():
        question = content.question(key)
        if question is None or (packet is None and code not in returned.answers and code not in returned.tables):
            continue
        section_id, question_id = key.split(".", 1)
        sent = (base.get(section_id) or {}).get(question_id)
        current = plan.answer(section_id, question_id)
        if question.type == "table":
            rows = returned.tables.get(code)
            if rows is None and code in returned.answers and is_empty(returned.answers[code]):
                rows = []
            outcomes += _compare_table(code, question, sent, current, rows, has_base, returned)
            continue
        if code not in returned.answers:
            if returned.merge:  # unanswered in the other copy: this plan's answer stands, nothing to list
                if not is_empty(current) and has_base and not is_empty(sent) and same(sent, current):
                    outcomes.append(Outcome(MISSING, key, code, question, sent, None, current,
                                            "not answered in the other copy; this plan's answer is kept"))
                continue
            outcomes.append(Outcome(MISSING, key, code, question, sent, None, current,
                                    "the question is not in the returned document"))
            continue
        value, error = parse_any(question, returned.answers[code], returned.typed)
        if error:
            outcomes.append(Outcome(INVALID, key, code, question, sent, returned.answers[code], current, error))
            continue
        if is_empty(value) and not is_empty(sent):
            outcomes.append(Outcome(MISSING, key, code, question, sent, None, current,
                                    "left blank in the returned document; the plan's answer is kept"))
            continue
        kind = _judge(sent, value, current, has_base)
        outcomes.append(Outcome(kind, key, code, question, sent, value, current))
    return outcomes


def _compare_table(code, question, sent, current, rows, has_base, returned: Returned) -> list:
    key = question.key
    if rows is None:
        return [Outcome(MISSING, key, code, question, sent, None, current, "its table is not in the returned document")]
    sent_rows = {r.get(ROW_ID): r for r in (sent or []) if isinstance(r, dict) and r.get(ROW_ID)}
    current_rows = {r.get(ROW_ID): r for r in (current or []) if isinstance(r, dict) and r.get(ROW_ID)}
    out, seen = [], set()
    for row_id, number, cells in rows:
        if row_id != NEW and row_id in seen:
            raise PacketError(f"{code}: row id {row_id} appears twice; was a row copied? Nothing was changed")
        other_new = returned.merge and row_id not in sent_rows and row_id not in current_rows
        if row_id != NEW and row_id not in sent_rows and row_id not in current_rows and not returned.merge:
            raise PacketError(f"{code}: row {number} has the id {row_id}, which is not a row of this table "
                              "(a row moved from another table?). Nothing was changed")
        seen.add(row_id)
        if not any(not is_empty(v) and (not isinstance(v, str) or v.strip()) for v in cells.values()):
            if row_id == NEW:
                continue  # a spare row left empty
            row, error = {}, None  # a row whose cells were all cleared: removed
        else:
            row, error = parse_row(question, cells, returned.typed)
        if error:
            out.append(Outcome(INVALID, key, code, question, sent_rows.get(row_id), cells,
                               current_rows.get(row_id), f"row {number}, {error}", row=row_id, number=number))
            continue
        if row:
            clean, problem = validate(question, [row])
            if problem:
                out.append(Outcome(INVALID, key, code, question, sent_rows.get(row_id), cells,
                                   current_rows.get(row_id), f"row {number}: {problem.split(': ', 1)[-1]}",
                                   row=row_id, number=number))
                continue
            row = clean[0]
        if row_id == NEW or (other_new and has_base):
            out.append(Outcome(NEW, key, code, question, None, row, None, row=row_id, number=number))
            continue
        kind = _judge(sent_rows.get(row_id), row or None, current_rows.get(row_id), has_base)
        if kind == CHANGED and not row:
            kind = REMOVED
        out.append(Outcome(kind, key, code, question, sent_rows.get(row_id), row or None,
                           current_rows.get(row_id), row=row_id, number=number))
    for row_id, row in sent_rows.items():
        if row_id in seen:
            continue
        now = current_rows.get(row_id)
        kind = REMOVED if same(now, row) else CONFLICT if now is not None else UNCHANGED
        out.append(Outcome(MISSING if kind == REMOVED else kind, key, code, question, row, None, now,
                           "the row is not in the returned document", row=row_id))
    if not out:
        out.append(Outcome(UNCHANGED, key, code, question, sent, sent, current))
    return out



def apply(plan, outcomes: list, who: str, packet_id: str, choices: Optional[dict] = None,
          attribution: Optional[dict] = None) -> dict:
    """Apply the outcomes that change the plan; `choices` maps id(outcome) -> "returned" for the
    conflicts a person resolved in favor of the returned value. Every value replaced or left out
    (a conflict not taken, a row removed) is kept among the set-aside answers. Returns counts."""
    from deflect_cli.plan.migrate import _set_aside

    choices = choices or {}
    counts = {"applied": 0, "conflicts left": 0}
    reason = f"packet {packet_id}"
    for o in outcomes:
        take = o.kind in (NEW, CHANGED, REMOVED) or (o.kind == MISSING and o.row) \
            or (o.kind == CONFLICT and choices.get(id(o)) == "returned")
        if o.kind == CONFLICT and not take:
            if not is_empty(o.returned):
                _set_aside(plan, o.key, _as_answer(o), f"conflict: answer from {who or 'a partner'} ({reason}) "
                           "not applied; the plan's answer was changed since the packet was sent",
                           o.question.type, "")
            counts["conflicts left"] += 1
            continue
        if not take:
            continue
        section_id, question_id = o.key.split(".", 1)
        if o.question.type == "table":
            rows = [dict(r) for r in (plan.answer(section_id, question_id) or [])]
            index = next((i for i, r in enumerate(rows) if r.get(ROW_ID) == o.row), None)
            if o.row == NEW:
                rows.append(dict(o.returned))
            elif index is None:
                if o.returned:
                    rows.append(dict(o.returned, **{ROW_ID: o.row}))
            elif not o.returned:
                _set_aside(plan, o.key, [rows[index]], f"row removed by {who or 'a partner'} ({reason})", "table", "")
                del rows[index]
            else:
                if not same(rows[index], o.returned) and o.kind == CONFLICT:
                    _set_aside(plan, o.key, [rows[index]], f"replaced by {who or 'a partner'}'s answer ({reason})",
                               "table", "")
                rows[index] = dict(o.returned, **{ROW_ID: o.row})
            ensure_row_ids(rows)
            if rows:
                plan.set_answer(o.key, rows, by=who or None)
            else:
                plan.remove_answer(o.key)
        else:
            if is_empty(o.returned):
                continue
            if o.kind == CONFLICT and not is_empty(o.current):
                _set_aside(plan, o.key, o.current, f"replaced by {who or 'a partner'}'s answer ({reason})",
                           o.question.type, "")
            plan.set_answer(o.key, o.returned, by=who or None)
        if attribution and o.key in attribution and not who:  # a merge keeps who gave the other copy's answer
            plan.attribution[o.key] = dict(attribution[o.key])
        counts["applied"] += 1
    return counts


def _as_answer(o: Outcome):
    if o.question.type == "table":
        return [dict(o.returned, **({ROW_ID: o.row} if o.row and o.row != NEW else {}))]
    return o.returned


# --------------------------------------------------------------------------- saying it

_ORDER = (CONFLICT, INVALID, NEW, CHANGED, REMOVED, MISSING, UNCHANGED)
_WORDS = {NEW: "new", CHANGED: "changed", UNCHANGED: "unchanged", INVALID: "invalid", MISSING: "missing",
          CONFLICT: "conflict", REMOVED: "removed"}


def say(question, value, limit: int = 160) -> str:
    from deflect_cli.controlchars import visible
    from deflect_cli.plan.diff import say as say_value
    from deflect_cli.plan.diff import say_row

    if question.type == "table" and isinstance(value, dict):
        text = say_row(question, value) or "(empty row)"
    elif isinstance(value, dict):  # cells of an invalid row, as typed
        text = visible("; ".join(f"{k}: {' '.join(str(v).split())}" for k, v in value.items() if v))
    else:
        text = say_value(question, value) or "(blank)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def report(outcomes: list, verbose: bool = False, theirs: str = "returned") -> list:
    """One line per answer (or table row) that matters, question by question, then the counts."""
    from deflect_cli.controlchars import visible

    lines = []
    for o in outcomes:
        if o.kind == UNCHANGED and not verbose:
            continue
        where = f"{o.code} {o.key}" + (f" row {o.number}" if o.number else "") + \
            (f" ({o.row})" if o.row and o.row != NEW else "")
        if o.kind == CONFLICT:
            lines.append(f"  conflict   {where}: {visible(o.question.prompt)}")
            lines.append(f"               sent:     {say(o.question, o.sent)}")
            lines.append(f"               {theirs + ':':<9} {say(o.question, o.returned)}")
            lines.append(f"               plan now: {say(o.question, o.current)}")
        elif o.kind == INVALID:
            lines.append(f"  invalid    {where}: {visible(o.reason)} (not saved)")
        elif o.kind == MISSING:
            lines.append(f"  missing    {where}: {o.reason}" + ("; it will be removed (kept among the set-aside "
                                                               "answers)" if o.row else ""))
        elif o.kind == REMOVED:
            lines.append(f"  removed    {where}: {say(o.question, o.sent)}")
        elif o.kind in (NEW, CHANGED):
            before = f"{say(o.question, o.current)} -> " if o.kind == CHANGED else ""
            lines.append(f"  {_WORDS[o.kind]:<10} {where}: {before}{say(o.question, o.returned)}")
        else:
            lines.append(f"  unchanged  {where}")
    counts = {k: sum(1 for o in outcomes if o.kind == k) for k in _ORDER}
    lines.append(", ".join(f"{n} {_WORDS[k]}" for k, n in counts.items() if n) or "nothing in the packet")
    return lines


def changes(outcomes: list) -> int:
    return sum(1 for o in outcomes if o.kind in (NEW, CHANGED, REMOVED) or (o.kind == MISSING and o.row))
