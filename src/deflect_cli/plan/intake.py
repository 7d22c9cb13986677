"""Answers from a file (`--answers FILE`): the non-interactive way to fill a plan.

Every problem in the file is reported at once, so a script or a colleague preparing the file can fix
it in one pass. Valid answers are applied even when others are not.
"""

from __future__ import annotations

from pathlib import Path

from deflect_cli import yamlio
from deflect_cli.content.answers import validate
from deflect_cli.controlchars import find_control
from deflect_cli.errors import DeflectError


def read_answers_file(path: Path) -> dict:
    """A mapping of section id to {question id: value}; a whole plan file is accepted too."""
    from deflect_cli.safeio import read_file

    path = Path(path)
    # type and size checked before reading: a FIFO or /dev/zero never hangs or fills memory
    text = read_file(path, yamlio.MAX_BYTES, "answers file", DeflectError)
    try:
        data = yamlio.parse(text) if text.strip() else {}
    except yamlio.YAMLProblem as problem:
        where = f":{problem.line}" if problem.line else ""
        raise DeflectError(f"{path}{where}: {problem.message}") from None
    if isinstance(data, dict) and "deflect_plan" in data:
        data = data.get("answers") or {}
    if not isinstance(data, dict):
        raise DeflectError(f"{path}: expected a mapping of section ids to answers (see README, 'Answers files').")
    return data


def _crlf_to_lf(value):
    """Text written on Windows keeps its line ends as "\\r\\n" inside quoted YAML: those are new lines."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, list):
        return [_crlf_to_lf(item) for item in value]
    if isinstance(value, dict):
        return {key: _crlf_to_lf(item) for key, item in value.items()}
    return value


def _control_in(value):
    """The name of the first control character (other than newline and tab) in any text of an
    answer, or None: YAML's "\\e" or "\\x1b" escapes would otherwise carry ESC into the plan and, from
    there, to every terminal and document that shows the answer."""
    if isinstance(value, str):
        found = find_control(value)
        return found[1] if found else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((name for name in map(_control_in, items) if name), None)


def _at(source: str, node, key) -> str:
    """`FILE:LINE` of `key` in a parsed mapping (just FILE when the line is unknown)."""
    line = getattr(node, "key_lines", {}).get(key) if isinstance(node, dict) else None
    return f"{source}:{line}" if line else source


def apply_answers(content, plan, data: dict, source: str) -> list:
    """Store every valid answer in `plan`; return one `FILE:LINE: message` per problem, all at once.

    An answer to a question the workbook's `carry:` moved (a file written for an older workbook) is
    carried into its new table as the plan would be; what does not fit is named as a problem."""
    problems, carried = [], []
    moves = {c.source for c in getattr(content, "carry", ())}
    for section_id, answers in data.items():
        where = _at(source, data, section_id)
        section = content.section(str(section_id))
        if section is None or section.id != section_id:
            problems.append(f"{where}: unknown section {section_id!r}")
            continue
        if not isinstance(answers, dict):
            problems.append(f"{where}: {section_id}: expected a mapping of question ids to answers")
            continue
        for question_id, value in answers.items():
            where = _at(source, answers, question_id)
            question = content.question(f"{section_id}.{question_id}")
            if question is None and f"{section_id}.{question_id}" in moves and value is not None:
                carried.append((where, f"{section_id}.{question_id}", _crlf_to_lf(value)))
                continue
            if question is None:
                problems.append(f"{where}: unknown question {section_id}.{question_id}")
                continue
            if value is None:
                continue
            value = _crlf_to_lf(value)
            control = _control_in(value)
            if control:
                problems.append(f"{where}: {question.key}: the answer contains a control character, {control}; "
                                "only text, new lines and tabs can be in an answer")
                continue
            clean, error = validate(question, value)
            if error:
                problems.append(f"{where}: {question.key}: {error}")
            else:
                plan.set_answer(question.key, clean)
    return problems + _carry(content, plan, carried)


def _carry(content, plan, carried: list) -> list:
    from deflect_cli.plan.migrate import carry_rows

    problems = []
    for where, key, value in carried:
        control = _control_in(value)
        if control:
            problems.append(f"{where}: {key}: the answer contains a control character, {control}; "
                            "only text, new lines and tabs can be in an answer")
            continue
        for carry in (c for c in content.carry if c.source == key):
            target = content.question(carry.target)
            rows, unfit = carry_rows(carry, target, value)
            existing = plan.answer(target.section_id, target.id)
            existing = list(existing) if isinstance(existing, list) else []
            plain = [{k: v for k, v in r.items() if k != "_id"} if isinstance(r, dict) else r for r in existing]
            new = [row for row in rows if row not in plain]
            clean, error = validate(target, existing + new) if new else (existing, None)
            if error:
                unfit = [error]
            elif new:
                plan.set_answer(target.key, clean)
            problems += [f"{where}: {key}: carried into {target.key}, except {what}" for what in unfit]
    return problems
