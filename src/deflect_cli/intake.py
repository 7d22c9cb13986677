"""Answers from a file (`--answers FILE`): the non-interactive way to fill a plan.

Every problem in the file is reported at once, so a script or a colleague preparing the file can fix
it in one pass. Valid answers are applied even when others are not.
"""

from __future__ import annotations

from pathlib import Path

from deflect_cli import yamlio
from deflect_cli.answers import validate
from deflect_cli.errors import DeflectError


def read_answers_file(path: Path) -> dict:
    """A mapping of section id to {question id: value}; a whole plan file is accepted too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeflectError(f"{path}: answers file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeflectError(f"{path}: cannot read the answers file: {getattr(exc, 'strerror', None) or exc}.") from None
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


def apply_answers(content, plan, data: dict, source: str) -> list:
    """Store every valid answer in `plan`; return one message per problem."""
    problems = []
    for section_id, answers in data.items():
        section = content.section(str(section_id))
        if section is None or section.id != section_id:
            problems.append(f"{source}: unknown section {section_id!r}")
            continue
        if not isinstance(answers, dict):
            problems.append(f"{source}: {section_id}: expected a mapping of question ids to answers")
            continue
        for question_id, value in answers.items():
            question = content.question(f"{section_id}.{question_id}")
            if question is None:
                problems.append(f"{source}: unknown question {section_id}.{question_id}")
                continue
            if value is None:
                continue
            clean, error = validate(question, value)
            if error:
                problems.append(f"{source}: {question.key}: {error}")
            else:
                plan.set_answer(question.key, clean)
    return problems
