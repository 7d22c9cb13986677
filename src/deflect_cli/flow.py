"""Which questions apply, which comes next, how far along a plan is. Pure: no I/O, no terminal.

Conditions only look backwards (lint enforces it), so one pass in workbook order decides what
applies. A question that does not apply contributes an empty value to later conditions, so an answer
hidden by a changed condition lies dormant instead of steering the rest of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from deflect_cli import conditions
from deflect_cli.answers import is_empty
from deflect_cli.content import LIST_TYPES, Content, Question, Section

ANSWERED, SKIPPED, OPEN = "answered", "skipped", "open"


def empty_value(question: Question):
    return [] if question.type in LIST_TYPES else None


@dataclass
class Evaluation:
    """The applicable questions for one set of answers, and the context conditions see."""

    applicable: list
    context: dict

    def applies(self, question: Question) -> bool:
        return question.key in self._keys

    def __post_init__(self):
        self._keys = {q.key for q in self.applicable}


def evaluate(content: Content, answers: dict) -> Evaluation:
    context: dict = {}
    applicable = []
    for section in content.all_sections:
        values = context.setdefault(section.id, {})
        given = answers.get(section.id) or {}
        for question in section.questions:
            values[question.id] = empty_value(question)
            if question.when and not conditions.evaluate(question.when, context):
                continue
            applicable.append(question)
            if not is_empty(given.get(question.id)):
                values[question.id] = given[question.id]
    return Evaluation(applicable, context)


def answer_of(answers: dict, question: Question):
    return (answers.get(question.section_id) or {}).get(question.id)


def status(question: Question, answers: dict, skipped) -> str:
    if not is_empty(answer_of(answers, question)):
        return ANSWERED
    return SKIPPED if question.key in skipped else OPEN


def first_open(evaluation: Evaluation, answers: dict, skipped) -> Optional[Question]:
    """Where `resume` lands: the first applicable question neither answered nor skipped."""
    for question in evaluation.applicable:
        if status(question, answers, skipped) == OPEN:
            return question
    return None


def step(evaluation: Evaluation, current: Optional[Question], offset: int) -> Optional[Question]:
    """The applicable question `offset` places from `current` (which may itself no longer apply)."""
    order = evaluation.applicable
    if current is None:
        return order[0] if order and offset > 0 else None
    if current.key in evaluation._keys:
        index = next(i for i, q in enumerate(order) if q.key == current.key)
        target = index + offset
        return order[target] if 0 <= target < len(order) else None
    # The current question was hidden by an answer: find its neighbours by workbook position.
    positions = _positions(evaluation)
    here = positions.get(current.key)
    if offset > 0:
        return next((q for q in order if positions[q.key] > here), None)
    return next((q for q in reversed(order) if positions[q.key] < here), None)


def _positions(evaluation: Evaluation) -> dict:
    return {key: i for i, key in enumerate(
        f"{s}.{q}" for s, qs in evaluation.context.items() for q in qs
    )}


@dataclass(frozen=True)
class Progress:
    section: Section
    answered: int
    skipped: int
    open: int

    @property
    def total(self) -> int:
        return self.answered + self.skipped + self.open


def progress(content: Content, evaluation: Evaluation, answers: dict, skipped) -> list:
    """Answered / skipped / open counts per section, over the questions that currently apply."""
    result = []
    for section in content.all_sections:
        counts = {ANSWERED: 0, SKIPPED: 0, OPEN: 0}
        for question in section.questions:
            if evaluation.applies(question):
                counts[status(question, answers, skipped)] += 1
        result.append(Progress(section, counts[ANSWERED], counts[SKIPPED], counts[OPEN]))
    return result


def still_to_decide(evaluation: Evaluation, answers: dict, skipped) -> list:
    return [q for q in evaluation.applicable if status(q, answers, skipped) != ANSWERED]


def missing_required(evaluation: Evaluation, answers: dict) -> list:
    return [q for q in evaluation.applicable if q.required and is_empty(answer_of(answers, q))]


def firing_checks(content: Content, evaluation: Evaluation) -> list:
    return [c for c in content.all_checks() if conditions.evaluate(c.when, evaluation.context)]


def visible_answers(evaluation: Evaluation, answers: dict) -> dict:
    """Only the answers to questions that apply: what exports and checks should see."""
    out: dict = {}
    for question in evaluation.applicable:
        value = answer_of(answers, question)
        if not is_empty(value):
            out.setdefault(question.section_id, {})[question.id] = value
    return out
