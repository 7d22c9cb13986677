"""Content changes between sessions: no answer is dropped or silently altered.

When a plan meets content other than the one it was answered against, `reconcile` brings it in line:
- an answer follows its question's rename (`renamed_from`);
- an answer whose question left the workbook is set aside in `plan.orphaned`, kept and shown;
- an answer whose question changed type, or that no longer fits it (a choice was removed, a bound
  tightened), is set aside the same way and the question is open again, so it is asked again;
- a set-aside answer whose question comes back unchanged (say the plan was opened once with the
  wrong `--content`) returns to its place.
It only changes the Plan object: reading commands see the reconciled plan and never write it; a
writing session saves it (and the first save keeps the file as it was as a snapshot).
`compare_content` is the authors' side: what `deflect lint --against OLD_DIR` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deflect_cli.content import qtypes
from deflect_cli.content.answers import is_empty, validate

# Whether a stored answer keeps its meaning when its question changes type (short and long text do),
# and a type in words: each type says so itself (content/qtypes/).
compatible_types = qtypes.compatible
_type_name = qtypes.title


@dataclass
class Change:
    kind: str  # renamed | carried | reshaped | removed | changed | restored
    key: str
    detail: str = ""
    answer: Any = None
    old_key: str = ""


@dataclass
class Changes:
    """What `reconcile` did, for the notice at the start of a session."""

    old_version: str = ""
    new_version: str = ""
    items: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def of(self, kind: str) -> list:
        return [c for c in self.items if c.kind == kind]

    def lines(self) -> list:
        """A short, plain explanation; answers are shown only where the user must act on them."""
        if not self.items:
            return []
        versions = ""
        if self.old_version and self.old_version != self.new_version:
            versions = f" (version {self.old_version}, now {self.new_version})"
        out = [f"The workbook changed since this plan was last saved{versions}:"]
        for change in self.items:
            if change.kind == "renamed":
                out.append(f"- {change.old_key} is now {change.key}; your answer moved with it.")
            elif change.kind == "removed":
                out.append(f"- {change.key} is no longer in the workbook; your answer is set aside "
                           "(`deflect status` lists it, the exported plan has it in an appendix).")
            elif change.kind == "changed":
                out.append(f"- {change.key} changed ({change.detail}) and will be asked again; "
                           f"your earlier answer: {preview(change.answer)}")
            elif change.kind == "reshaped":
                out.append(f"- {change.key} changed shape; what of your earlier answer could not be carried is "
                           "set aside with its text (`deflect status` lists it).")
            elif change.kind == "carried":
                out.append(f"- {change.old_key} is now part of {change.key}{change.detail}.")
            elif change.kind == "restored":
                out.append(f"- {change.key} is back in the workbook; your earlier answer is back in place.")
        return out


def describe_value(value) -> str:
    """Any stored answer as one line of text (for set-aside answers, whose question may be gone)."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(", ".join(f"{k}: {describe_value(v)}" for k, v in item.items() if not is_empty(v)))
            else:
                parts.append(describe_value(item))
        return "; ".join(parts)
    if value is None:
        return ""
    return str(value)


def preview(value, limit: int = 80) -> str:
    import json  # not at import: a plan in line with its content needs none (see _unchanged)

    text = " ".join(describe_value(value).split())
    return json.dumps(text[: limit - 1] + "…" if len(text) > limit else text, ensure_ascii=False)


def _same(a, b) -> bool:
    import json

    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _set_aside(plan, key: str, value, reason: str, old_type, version: str) -> None:
    from deflect_cli.plan.model import now

    if any(e.get("question") == key and _same(e.get("answer"), value) for e in plan.orphaned):
        return
    entry = {"question": key}
    if old_type:
        entry["type"] = old_type
    entry.update({"answer": value, "reason": reason, "content_version": version, "set_aside": now()})
    plan.orphaned.append(entry)


def _present(plan, key: str) -> bool:
    section_id, question_id = key.split(".", 1)
    return question_id in (plan.answers.get(section_id) or {})


def _answered(plan, key: str) -> bool:
    section_id, question_id = key.split(".", 1)
    return not is_empty(plan.answer(section_id, question_id))


def reconcile(content, plan) -> Changes:
    """Bring `plan` in line with `content` (see the module docstring); returns what changed. A plan
    already in line (see _in_line: what every reading command meets) is only told the content's
    fingerprints, not taken apart and put back together."""
    index = {q.key: q for q in content.questions()}
    changes = Changes(old_version=plan.content_version, new_version=content.version)
    renames = {old: q for q in index.values() for old in q.renamed_from if old not in index}
    if not _in_line(content, plan, index, renames):
        _bring_in_line(content, plan, index, renames, changes)
    plan.question_fingerprints = {key: q.fingerprint for key, q in index.items()}
    plan.content_title, plan.content_version = content.title, content.version
    return changes


def _in_line(content, plan, index: dict, renames: dict) -> bool:
    """Whether _bring_in_line would find nothing to do, so the plan can be used as it is.

    True only when the plan was last saved against this content's version and:
    - no answer, skip or saved position is under an id a question was renamed from;
    - every answer's question is here (so no carry source left the workbook), with its own
      fingerprint (if one was recorded), and the answer validates to itself unchanged; an empty
      answer to a carry source counts as a change (carry would move it);
    - no set-aside answer's question is here and still open (answered or skipped questions keep theirs).
    A fingerprint alone is not enough: it records the type and choices, not bounds or patterns,
    and a hand-edited plan keeps the fingerprint of the answer it replaced."""
    if plan.content_version != content.version or plan.position in renames \
            or any(key in renames for key in plan.skipped):
        return False
    sources = {carry.source for carry in getattr(content, "carry", ())}
    for section_id, values in plan.answers.items():
        for question_id, value in values.items():
            question = index.get(f"{section_id}.{question_id}")
            if question is None:
                return False
            stamp = plan.fingerprints.get(question.key)
            if stamp is not None and stamp != question.fingerprint:
                return False
            if is_empty(value):
                if question.key in sources:
                    return False
                continue
            clean, error = validate(question, value)
            if error or not _unchanged(clean, value):
                return False
    for entry in plan.orphaned:
        question = index.get(entry["question"]) or renames.get(entry["question"])
        if question is not None and not _answered(plan, question.key) and question.key not in plan.skipped:
            return False
    return True


def _unchanged(clean, value) -> bool:
    """Whether validation gave `value` back as it was: the same object, or the same types holding
    equal values throughout, so that _same would say so too (anything less certain is a change)."""
    if clean is value:
        return True
    if type(clean) is not type(value):
        return False
    if isinstance(clean, dict):
        return clean.keys() == value.keys() and all(_unchanged(clean[k], value[k]) for k in clean)
    if isinstance(clean, list):
        return len(clean) == len(value) and all(_unchanged(a, b) for a, b in zip(clean, value))
    return clean == value and (not isinstance(clean, float) or repr(clean) == repr(value))  # not -0.0 for 0.0


def _bring_in_line(content, plan, index: dict, renames: dict, changes: Changes) -> None:
    """reconcile's walk: every step that moves an answer, in this order (each reads what the one
    before it left), each adding what it did to `changes`."""
    _follow_renames(plan, renames, changes)
    _carry(content, plan, index, changes)
    _restore_set_aside(plan, index, renames, changes)
    _set_aside_removed(plan, index, content.version, changes)
    _set_aside_changed(plan, index, content.version, changes)


def _follow_renames(plan, renames: dict, changes: Changes) -> None:
    """1. Answers follow renamed questions (with their skip and the saved position)."""
    for old, question in renames.items():
        if _present(plan, old) and not _answered(plan, question.key):
            value = plan.remove_answer(old)
            stamp = plan.fingerprints.pop(old, None)
            if not is_empty(value) or value == []:  # [] is a multi-choice's "none of these"
                plan.set_answer(question.key, value)
                if stamp:
                    plan.fingerprints[question.key] = stamp
                changes.items.append(Change("renamed", question.key, old_key=old))
        if old in plan.skipped:
            plan.skipped.remove(old)
            if question.key not in plan.skipped and not _answered(plan, question.key):
                plan.skipped.append(question.key)
        if plan.position == old:
            plan.position = question.key


def _restore_set_aside(plan, index: dict, renames: dict, changes: Changes) -> None:
    """3. Set-aside answers whose question is back (under its id or a new one), still open, and
    which still fit it. (2, between renames and this, is _carry: answers to questions that left
    become rows of the tables the content carries them into.)"""
    for entry in list(plan.orphaned):
        key = entry["question"]
        question = index.get(key) or renames.get(key)
        if question is None or _answered(plan, question.key) or question.key in plan.skipped:
            continue
        if entry.get("type") and not compatible_types(entry["type"], question.type):
            continue
        clean, error = validate(question, entry["answer"])
        if error:
            continue
        plan.orphaned.remove(entry)
        plan.set_answer(question.key, clean)
        changes.items.append(Change("restored", question.key, answer=clean))


def _set_aside_removed(plan, index: dict, version: str, changes: Changes) -> None:
    """4. Answers to questions that left the workbook are set aside."""
    for section_id in list(plan.answers):
        for question_id in list(plan.answers.get(section_id) or {}):
            key = f"{section_id}.{question_id}"
            if key in index:
                continue
            value = plan.remove_answer(key)
            stamp = plan.fingerprints.pop(key, None)
            if is_empty(value):
                continue
            _set_aside(plan, key, value, f"its question is no longer in the workbook (version {version})",
                       stamp.split("/")[0] if stamp else None, version)
            changes.items.append(Change("removed", key, answer=value))


def _set_aside_changed(plan, index: dict, version: str, changes: Changes) -> None:
    """5. Answers that no longer fit their (changed) question are set aside; the question is open
    again. An answer that still fits is stored as validation gives it back."""
    for key, question in index.items():
        if not _answered(plan, key):
            continue
        value = plan.answer(question.section_id, question.id)
        stamp = plan.fingerprints.get(key)
        old_type = stamp.split("/")[0] if stamp else None
        if old_type and not compatible_types(old_type, question.type):
            detail = f"from {_type_name(old_type)} to {_type_name(question.type)}"
        else:
            clean, error = validate(question, value)
            if not error:
                if not _same(clean, value):
                    plan.set_answer(key, clean)
                continue
            detail = f"the earlier answer no longer fits: {error}"
        plan.remove_answer(key)
        plan.fingerprints.pop(key, None)
        _set_aside(plan, key, value, f"the question changed in version {version}: {detail}", old_type, version)
        changes.items.append(Change("changed", key, detail=detail, answer=value))


def carry_rows(carry, target, value, elsewhere: frozenset = frozenset()) -> tuple:
    """The rows an old answer becomes under one `carry`, and what of it does not fit (as text).

    A cell that does not fit its new column (a choice the column lacks, text where a number goes)
    is left out of the row and named in the second result; a row that would lack a required cell
    is not carried at all. Pure: reconcile and `lint --against` both use it."""
    columns = {c.id: c for c in target.columns}
    if carry.columns:
        items = value if isinstance(value, list) else [value]
        old_rows = [item for item in items if isinstance(item, dict)]
        if len(old_rows) != len(items):
            return [], [f"{describe_value(value)} is not a table"]
        mapping = dict(carry.columns)
        raw_rows = [{mapping[k]: v for k, v in row.items() if k in mapping and not is_empty(v)} for row in old_rows]
        # `elsewhere`: old columns another carry of the same answer moves, so not lost here.
        dropped = [f"{k}: {describe_value(v)}" for row in old_rows for k, v in row.items()
                   # a row id (_id) is the old row's own, not an answer
                   if k not in mapping and k not in elsewhere and k != "_id" and not is_empty(v)]
    else:
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, (dict, list)) for item in items):
            return [], [f"{describe_value(value)} is a table"]
        raw_rows = [{carry.column: item} for item in items if not is_empty(item)]
        dropped = []
    renames = {column_id: dict(pairs) for column_id, pairs in getattr(carry, "values", ())}
    rows, unfit = [], list(dropped)
    for number, raw in enumerate(raw_rows, 1):
        raw = {k: renames.get(k, {}).get(v, v) if isinstance(v, str) else v for k, v in raw.items()}
        row = {}
        for column_id, cell in raw.items():
            clean, error = validate(columns[column_id], cell)
            if error:
                unfit.append(f"{columns[column_id].label}: {describe_value(cell)} ({error})")
            else:
                row[column_id] = clean
        if not row:
            continue
        for column_id, cell in carry.set:
            # "{n}" in a text value numbers the row by its place in the old answer, so two carries of
            # the same old table (goals and their objectives) can link their rows: G1 -> O1.
            row.setdefault(column_id, cell.replace("{n}", str(number)) if isinstance(cell, str) else cell)
        missing = [c.label for c in target.columns if c.required and is_empty(row.get(c.id))]
        if missing:
            unfit.append(f"a row without {', '.join(missing)}: {describe_value([row])}")
            continue
        rows.append(row)
    return rows, unfit


def _without_row_id(row):
    return {k: v for k, v in row.items() if k != "_id"} if isinstance(row, dict) else row


def _carry(content, plan, index: dict, changes: Changes) -> None:
    """Apply the content's `carry:` moves to answers whose question left the workbook. Nothing is lost:
    an answer that did not carry whole is also set aside, with its text and what did not fit."""
    moved: dict = {}
    # A question that stays but changed shape (old goals rows into the new goals table) carries the
    # answer it had before: taken out first, so carrying into the same question cannot read new rows.
    reshaped = {}
    for carry in getattr(content, "carry", ()):
        question = index.get(carry.source)
        if question is not None and carry.source not in reshaped and _present(plan, carry.source) \
                and _changed_shape(plan, question):
            reshaped[carry.source] = (plan.remove_answer(carry.source), plan.fingerprints.pop(carry.source, None))
    for carry in getattr(content, "carry", ()):
        target = index.get(carry.target)
        if target is None or (carry.source in index and carry.source not in reshaped) \
                or not (carry.source in reshaped or _present(plan, carry.source)):
            continue
        section_id, question_id = carry.source.split(".", 1)
        value = reshaped[carry.source][0] if carry.source in reshaped else plan.answers[section_id][question_id]
        if is_empty(value):
            continue
        elsewhere = frozenset(old for other in content.carry if other.source == carry.source
                              and index.get(other.target) is not None for old, _ in other.columns)
        rows, unfit = carry_rows(carry, target, value, elsewhere)
        existing = plan.answer(target.section_id, target.id)
        existing = list(existing) if isinstance(existing, list) else []
        new = [row for row in rows if not any(_same(row, _without_row_id(old)) for old in existing)]
        if new:
            table, error = validate(target, existing + new)
            if error:
                unfit.append(f"the rows do not fit {target.key}: {error}")
            else:
                plan.set_answer(target.key, table)
                rows_said = f"{len(new)} row{'s' if len(new) != 1 else ''}"
                changes.items.append(Change("carried", target.key, detail=f" ({rows_said})", answer=new,
                                            old_key=carry.source))
        moved.setdefault(carry.source, []).extend(unfit)
    for source, (value, stamp) in list(reshaped.items()):
        if source not in moved:  # nothing carried after all: back in place, reconciled like any answer
            del reshaped[source]
            plan.set_answer(source, value)
            if stamp:
                plan.fingerprints[source] = stamp
    version = content.version
    for source, unfit in moved.items():
        if source in reshaped:
            value, stamp = reshaped.pop(source)
        else:
            value = plan.remove_answer(source)
            stamp = plan.fingerprints.pop(source, None)
        if source in plan.skipped:
            plan.skipped.remove(source)
        if unfit:
            _set_aside(plan, source, value, f"part of it could not be carried into workbook {version}: "
                       + "; ".join(unfit), stamp.split("/")[0] if stamp else None, version)
            changes.items.append(Change("reshaped" if source in index else "removed", source, answer=value))


def _changed_shape(plan, question) -> bool:
    """The stored answer was given to an older shape of `question`: its fingerprint differs, or it no
    longer validates."""
    stamp = plan.fingerprints.get(question.key)
    if stamp and stamp != question.fingerprint:
        return True
    return bool(validate(question, plan.answer(question.section_id, question.id))[1])


def open_plan(content, path):
    """Load the plan at `path` and reconcile it with `content`: (plan, changes). Reading commands
    use it as is; writing commands call it with the plan's lock held and save when `changes`."""
    from deflect_cli.plan.store import load_plan

    plan = load_plan(Path(path))
    return plan, reconcile(content, plan)


# --------------------------------------------------------------------------- for content authors


def compare_content(old, new) -> list:
    """Changes from content `old` to `new` that would set saved answers aside, as FILE:LINE: message."""
    problems = []
    new_index = {q.key: q for q in new.questions()}
    renamed_to = {old_key: q for q in new_index.values() for old_key in q.renamed_from}
    carries: dict = {}
    for carry in getattr(new, "carry", ()):
        carries.setdefault(carry.source, []).append(carry)
    for question in old.questions():
        target = new_index.get(question.key) or renamed_to.get(question.key)
        if target is None and question.key in carries:
            for carry in carries[question.key]:
                into = new_index.get(carry.target)
                where = f"{carry.file}:{carry.line}"
                problems.extend(f"{where}: carry {question.key} -> {carry.target}: {issue}; saved values that "
                                "cannot be carried will be set aside with their text"
                                for issue in (_carry_problems(question, carry, into) if into else []))
            continue
        if target is None:
            problems.append(f"{question.file}:{question.line}: question {question.key} was removed and no question "
                            "in the new content has it in 'renamed_from'; saved answers to it will be set aside")
            continue
        what = f"question {target.key}" + (f" (renamed from {question.key})" if target.key != question.key else "")
        where = f"{target.file}:{target.line}"
        if not compatible_types(question.type, target.type):
            problems.append(f"{where}: {what}: type changed from {question.type} to {target.type}; "
                            "saved answers will be set aside and the question asked again")
            continue
        problems.extend(f"{where}: {what}: {issue}; saved answers that depend on it will be asked again"
                        for issue in _rule_changes(question, target))
        if question.type == "table":
            old_columns = {c.id: c for c in question.columns}
            for column in target.columns:
                previous = old_columns.pop(column.id, None)
                if previous is None:
                    if column.required:
                        problems.append(f"{where}: {what}: new required column {column.id!r}; "
                                        "saved tables will be asked again")
                    continue
                if not compatible_types(previous.type, column.type):
                    problems.append(f"{where}: {what}: column {column.id!r} changed from {previous.type} to "
                                    f"{column.type}; saved tables will be asked again")
                    continue
                problems.extend(f"{where}: {what}: column {column.id!r}: {issue}; saved tables will be asked again"
                                for issue in _rule_changes(previous, column))
            for column_id in old_columns:
                problems.append(f"{where}: {what}: column {column_id!r} was removed; saved tables will be asked again")
    if problems and old.version == new.version:
        workbook = str(Path(new.profile.file)) if new.profile.file else "workbook.yaml"
        problems.append(f"{workbook}:0: version is still {new.version!r}; raise it so plans record "
                        "which workbook their answers were given against")
    return problems


def _cell_fits(old, new, renames: dict = None) -> str:
    """Why values of question/column `old` may not fit column `new` (after `renames`), or ""."""
    misfit = qtypes.get(new.type).misfit(qtypes.get(old.type))
    if misfit:
        return misfit
    if renames:
        from dataclasses import replace

        old = replace(old, choices=tuple(replace(c, value=renames.get(c.value, c.value)) for c in old.choices))
    issues = _rule_changes(old, new)
    return "; ".join(issues)


def _carry_problems(old, carry, target) -> list:
    """What one declared carry cannot move, judged from the two contents (no plan needed)."""
    columns = {c.id: c for c in target.columns}
    issues = []
    if carry.columns:
        if old.type != "table":
            return [f"{old.key} is a {_type_name(old.type)}, not a table, so 'columns' does not apply"]
        mapping = dict(carry.columns)
        for column in old.columns:
            if column.id not in mapping:
                issues.append(f"column {column.id!r} is carried nowhere")
                continue
            new_id = mapping[column.id]
            why = _cell_fits(column, columns[new_id], dict(dict(carry.values).get(new_id, ())))
            if why:
                issues.append(f"column {column.id!r} -> {mapping[column.id]!r}: {why}")
        for old_id in mapping:
            if old_id not in {c.id for c in old.columns}:
                issues.append(f"the old table has no column {old_id!r}")
        given = set(mapping.values()) | {k for k, _ in carry.set}
    else:
        if old.type == "table":
            return [f"{old.key} is a table; give 'columns' to carry it"]
        why = _cell_fits(old, columns[carry.column], dict(dict(carry.values).get(carry.column, ())))
        if why:
            issues.append(f"-> {carry.column!r}: {why}")
        given = {carry.column} | {k for k, _ in carry.set}
    for column in target.columns:
        if column.required and column.id not in given:
            issues.append(f"carried rows have no {column.id!r}, which {target.key} requires")
    return issues


def _rule_changes(old, new) -> list:
    """Rule changes that can make a stored value invalid (for a question or a table column)."""
    issues = []
    removed = [c.value for c in old.choices if c.value not in {n.value for n in new.choices}]
    if removed:
        issues.append(f"choice(s) {', '.join(repr(v) for v in removed)} removed")
    if old.other and not new.other and qtypes.takes(new.type, "other"):
        issues.append("'other' was turned off, so free-text answers no longer fit")
    if new.min is not None and (old.min is None or new.min > old.min):
        issues.append(f"'min' raised to {new.min}")
    if new.max is not None and (old.max is None or new.max < old.max):
        issues.append(f"'max' lowered to {new.max}")
    if new.integer and not old.integer:
        issues.append("now whole numbers only")
    if new.pattern and new.pattern != old.pattern:
        issues.append("'pattern' changed")
    return issues
