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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deflect_cli.answers import is_empty, validate

TYPE_NAMES = {
    "text": "text", "long_text": "long text", "choice": "single choice", "multi_choice": "multiple choice",
    "yes_no": "yes/no", "number": "number", "date": "date", "table": "table",
}
_TEXT_TYPES = {"text", "long_text"}


def compatible_types(old: str, new: str) -> bool:
    """A stored answer keeps its meaning across these type changes (short and long text)."""
    return old == new or {old, new} <= _TEXT_TYPES


def _type_name(kind: str) -> str:
    return TYPE_NAMES.get(kind, kind)


@dataclass
class Change:
    kind: str  # renamed | removed | changed | restored
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
    text = " ".join(describe_value(value).split())
    return json.dumps(text[: limit - 1] + "…" if len(text) > limit else text, ensure_ascii=False)


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _set_aside(plan, key: str, value, reason: str, old_type, version: str) -> None:
    from deflect_cli.plan import now

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
    """Bring `plan` in line with `content` (see the module docstring); returns what changed."""
    index = {q.key: q for q in content.questions()}
    version = content.version
    changes = Changes(old_version=plan.content_version, new_version=version)
    renames = {old: q for q in index.values() for old in q.renamed_from if old not in index}

    # 1. Answers follow renamed questions (with their skip and the saved position).
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

    # 2. Set-aside answers whose question is back (under its id or a new one) and still fits.
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

    # 3. Answers to questions that left the workbook are set aside.
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

    # 4. Answers that no longer fit their (changed) question are set aside; the question is open again.
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

    plan.question_fingerprints = {key: q.fingerprint for key, q in index.items()}
    plan.content_title, plan.content_version = content.title, version
    return changes


def open_plan(content, path):
    """Load the plan at `path` and reconcile it with `content`: (plan, changes). Reading commands
    use it as is; writing commands call it with the plan's lock held and save when `changes`."""
    from deflect_cli.plan import load_plan

    plan = load_plan(Path(path))
    return plan, reconcile(content, plan)


# --------------------------------------------------------------------------- for content authors


def compare_content(old, new) -> list:
    """Changes from content `old` to `new` that would set saved answers aside, as FILE:LINE: message."""
    problems = []
    new_index = {q.key: q for q in new.questions()}
    renamed_to = {old_key: q for q in new_index.values() for old_key in q.renamed_from}
    for question in old.questions():
        target = new_index.get(question.key) or renamed_to.get(question.key)
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


def _rule_changes(old, new) -> list:
    """Rule changes that can make a stored value invalid (for a question or a table column)."""
    issues = []
    removed = [c.value for c in old.choices if c.value not in {n.value for n in new.choices}]
    if removed:
        issues.append(f"choice(s) {', '.join(repr(v) for v in removed)} removed")
    if old.other and not new.other and new.type in ("choice", "multi_choice"):
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
