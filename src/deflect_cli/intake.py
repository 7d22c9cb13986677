"""Answers from a file (`--answers FILE`): the non-interactive way to fill a plan.

Every problem in the file is reported at once, so a script or a colleague preparing the file can fix
it in one pass. Valid answers are applied even when others are not.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from deflect_cli import yamlio
from deflect_cli.answers import validate
from deflect_cli.errors import DeflectError


def read_answers_file(path: Path) -> dict:
    """A mapping of section id to {question id: value}; a whole plan file is accepted too."""
    from deflect_cli.safeio import FileProblem, read_regular

    path = Path(path)
    try:  # type and size checked before reading: a FIFO or /dev/zero never hangs or fills memory
        text = read_regular(path, yamlio.MAX_BYTES).decode("utf-8")
    except FileProblem as problem:
        raise DeflectError(f"{path}: cannot read the answers file: it {problem}.") from None
    except FileNotFoundError:
        raise DeflectError(f"{path}: answers file not found.") from None
    except UnicodeDecodeError:
        raise DeflectError(f"{path}: cannot read the answers file: it is not UTF-8 text.") from None
    except OSError as exc:
        raise DeflectError(f"{path}: cannot read the answers file: {(exc.strerror or str(exc)).lower()}.") from None
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


def _as_written(value):
    """YAML reads an unquoted 2027-03-01 as a date; the person wrote text, so give them the text."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_written(v) for k, v in value.items()}
    return value


def _at(source: str, node, key) -> str:
    """`FILE:LINE` of `key` in a parsed mapping (just FILE when the line is unknown)."""
    line = getattr(node, "key_lines", {}).get(key) if isinstance(node, dict) else None
    return f"{source}:{line}" if line else source


def apply_answers(content, plan, data: dict, source: str) -> list:
    """Store every valid answer in `plan`; return one `FILE:LINE: message` per problem, all at once."""
    problems = []
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
            if question is None:
                problems.append(f"{where}: unknown question {section_id}.{question_id}")
                continue
            if value is None:
                continue
            clean, error = validate(question, _as_written(value))
            if error:
                problems.append(f"{where}: {question.key}: {error}")
            else:
                plan.set_answer(question.key, clean)
    return problems
