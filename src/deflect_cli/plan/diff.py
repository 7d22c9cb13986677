"""What changed between two versions of a plan's answers, section by section, for a meeting's minutes.

Pure: two answer mappings in, a list of sections with their added / changed / removed answers out;
`text` and `markdown` say them. Tables are compared row by row: by row id (`_id`, plan format 3)
where both versions have one, else by position, so a row edited in place reads as one changed row
and not as one removed and one added. Row ids are never shown; rows are named by their number.
`versions` alone reads files: the two versions `deflect diff` was asked to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from deflect_cli.content.answers import display, is_empty
from deflect_cli.controlchars import visible
from deflect_cli.errors import DeflectError
from deflect_cli.mdtext import md_inline as esc

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
ROW_ID = "_id"


@dataclass
class RowChange:
    kind: str  # added / changed / removed
    number: int  # the row's number (in the new version; in the old one for a removed row)
    old: Optional[dict] = None
    new: Optional[dict] = None


@dataclass
class AnswerChange:
    kind: str
    key: str
    label: str  # the question's prompt, or its key when the workbook no longer has it
    old: object = None
    new: object = None
    rows: list = field(default_factory=list)  # RowChange, for tables
    question: object = None


@dataclass
class SectionChanges:
    id: str
    title: str
    changes: list


def _rows_by_id(rows: list) -> dict:
    return {row[ROW_ID]: (n, row) for n, row in enumerate(rows, 1) if isinstance(row, dict) and row.get(ROW_ID)}


def _visible_row(row) -> dict:
    return {k: v for k, v in row.items() if k != ROW_ID} if isinstance(row, dict) else row


def table_rows(old: list, new: list) -> list:
    """Row changes from `old` to `new`: matched by row id where both have ids, else by position."""
    old, new = list(old or []), list(new or [])
    old_ids, new_ids = _rows_by_id(old), _rows_by_id(new)
    out = []
    if old_ids and new_ids and len(old_ids) == len(old) and len(new_ids) == len(new):
        for row_id, (number, row) in new_ids.items():
            if row_id not in old_ids:
                out.append(RowChange(ADDED, number, new=row))
            elif _visible_row(old_ids[row_id][1]) != _visible_row(row):
                out.append(RowChange(CHANGED, number, old=old_ids[row_id][1], new=row))
        for row_id, (number, row) in old_ids.items():
            if row_id not in new_ids:
                out.append(RowChange(REMOVED, number, old=row))
        return out
    for number in range(1, max(len(old), len(new)) + 1):
        before = old[number - 1] if number <= len(old) else None
        after = new[number - 1] if number <= len(new) else None
        if before is None:
            out.append(RowChange(ADDED, number, new=after))
        elif after is None:
            out.append(RowChange(REMOVED, number, old=before))
        elif _visible_row(before) != _visible_row(after):
            out.append(RowChange(CHANGED, number, old=before, new=after))
    return out


def diff(content, old: dict, new: dict) -> list:
    """Every answer that differs between the answer mappings `old` and `new`, by section in workbook
    order (answers to questions the workbook no longer has come last, under their section id)."""
    old, new = old or {}, new or {}
    sections = []
    seen = set()
    for section in content.all_sections:
        keys = [q.key for q in section.questions]
        given = {f"{section.id}.{q}" for source in (old, new) for q in (source.get(section.id) or {})}
        extra = sorted(given - set(keys))
        changes = [c for c in (_one(content, k, old, new) for k in keys + extra) if c]
        seen.add(section.id)
        if changes:
            sections.append(SectionChanges(section.id, _title(section), changes))
    for section_id in sorted({*old, *new} - seen):
        keys = sorted({f"{section_id}.{q}" for source in (old, new) for q in (source.get(section_id) or {})})
        changes = [c for c in (_one(content, k, old, new) for k in keys) if c]
        if changes:
            sections.append(SectionChanges(section_id, section_id, changes))
    return sections


def _title(section) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def _get(answers: dict, key: str):
    section_id, question_id = key.split(".", 1)
    return (answers.get(section_id) or {}).get(question_id)


def _one(content, key: str, old: dict, new: dict) -> Optional[AnswerChange]:
    before, after = _get(old, key), _get(new, key)
    if is_empty(before) and is_empty(after):
        return None
    question = content.question(key)
    label = question.prompt if question is not None else key
    if is_empty(before):
        kind = ADDED
    elif is_empty(after):
        kind = REMOVED
    elif _strip_ids(before) == _strip_ids(after):
        return None
    else:
        kind = CHANGED
    change = AnswerChange(kind, key, label, before, after, question=question)
    if question is not None and question.type == "table" and kind == CHANGED \
            and isinstance(before, list) and isinstance(after, list):
        change.rows = table_rows(before, after)
    return change


def _strip_ids(value):
    if isinstance(value, list):
        return [_visible_row(v) for v in value]
    return value


def say(question, value) -> str:
    """A stored value in words, on one line (control characters shown visibly)."""
    if is_empty(value):
        return ""
    if question is None or question.type == "table":
        from deflect_cli.plan.migrate import describe_value

        if isinstance(value, list):
            value = [_visible_row(v) for v in value]
        return visible(" ".join(describe_value(value).split()))
    return visible(" ".join(str(display(question, value)).split()))


def say_row(question, row) -> str:
    """`Partner: Lane County Health; Role: referrals`: a table row by its column labels."""
    if not isinstance(row, dict):
        return say(None, row)
    labels = {c.id: c for c in (question.columns if question is not None else ())}
    parts = []
    for key, value in row.items():
        if key == ROW_ID or is_empty(value):
            continue
        column = labels.get(key)
        shown = say(column, value) if column is not None else say(None, value)
        parts.append(f"{column.label if column is not None else key}: {shown}")
    return "; ".join(parts)


def _cells_changed(question, old: dict, new: dict) -> str:
    """`Date: 2027-04-12 → 2027-05-01`: only the cells of a row that differ."""
    parts = []
    for key in dict.fromkeys([*old, *new]):
        if key == ROW_ID or old.get(key) == new.get(key):
            continue
        column = next((c for c in (question.columns if question is not None else ()) if c.id == key), None)
        name = column.label if column is not None else key
        parts.append(f"{name}: {say(column, old.get(key)) or '(blank)'} → {say(column, new.get(key)) or '(blank)'}")
    return "; ".join(parts)


def _lines(change: AnswerChange, md: bool) -> list:
    q = change.question
    if md:
        out = [f"- {change.kind}: `{change.key}` {esc(visible(change.label))}"]
        item = lambda words: f"  - {esc(words)}"  # noqa: E731
    else:
        out = [f"  {change.kind:<8} {change.key}: {visible(change.label)}"]
        item = lambda words: f"             {words}"  # noqa: E731
    if change.rows:
        for row in change.rows:
            if row.kind == CHANGED:
                out.append(item(f"row {row.number} changed: {_cells_changed(q, row.old, row.new)}"))
            else:
                out.append(item(f"row {row.number} {row.kind}: "
                                f"{say_row(q, row.new if row.kind == ADDED else row.old)}"))
        return out
    if change.kind in (CHANGED, REMOVED):
        out.append(item(f"was: {say(q, change.old)}"))
    if change.kind in (CHANGED, ADDED):
        out.append(item(f"now: {say(q, change.new)}"))
    return out


def text(sections: list, old_name: str, new_name: str) -> str:
    if not sections:
        return f"No answers differ between {old_name} and {new_name}."
    count = sum(len(s.changes) for s in sections)
    out = [f"{count} answer{'s' if count != 1 else ''} differ from {old_name} to {new_name}:"]
    for section in sections:
        out += ["", section.title]
        for change in section.changes:
            out += _lines(change, md=False)
    return "\n".join(out)


def markdown(sections: list, old_name: str, new_name: str) -> str:
    if not sections:
        return f"No answers differ between {esc(old_name)} and {esc(new_name)}.\n"
    out = [f"## Changes from {esc(old_name)} to {esc(new_name)}"]
    for section in sections:
        out += ["", f"### {esc(section.title)}", ""]
        for change in section.changes:
            out += _lines(change, md=True)
    return "\n".join(out) + "\n"


def versions(old, new, snapshot: Optional[int], plan_path: Path) -> tuple:
    """(before, after, (before's name, after's name)): the plan at `plan_path` and its snapshot
    number `snapshot` (as `deflect restore --list` numbers them), or the plan files `old` and `new`
    (default: the plan). Neither file is changed."""
    from deflect_cli.plan.model import plan_flag
    from deflect_cli.plan.store import load_plan, restorable

    if snapshot is not None:
        if old is not None:
            raise DeflectError("give either --snapshot N or two plan files, not both.")
        copies = restorable(plan_path)
        if not 1 <= snapshot <= len(copies):
            raise DeflectError(f"there is no copy {snapshot} of {plan_path} (there are {len(copies)}); "
                               f"`deflect restore --list{plan_flag(plan_path)}` lists them.")
        copy = copies[snapshot - 1]
        if copy.plan is None:
            raise DeflectError(f"copy {snapshot} ({copy.name}) cannot be read: {copy.problem}.")
        return copy.plan, load_plan(plan_path), (f"snapshot {snapshot} ({copy.describe()})", str(plan_path))
    if old is None:
        raise DeflectError("name two plan files to compare (OLD NEW), or use --snapshot N.")
    new_path = new if new is not None else plan_path
    return load_plan(old, hint_backup=False), load_plan(new_path, hint_backup=False), (str(old), str(new_path))
