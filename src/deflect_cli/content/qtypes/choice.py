"""`choice`: one of the listed choices (or, with `other: true`, a short description)."""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.qtypes.base import QuestionType


def choice_error(rule, value) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return "expected one of the listed choices"
    if value in {c.value for c in rule.choices}:
        return None
    if rule.other:
        return None
    return f"{value!r} is not one of: {', '.join(c.value for c in rule.choices)}"


def label(rule, value) -> str:
    for choice in rule.choices:
        if choice.value == value:
            return choice.label
    return str(value)


class Choice(QuestionType):
    name, title, input = "choice", "single choice", "choice"
    needs_choices = True
    fields = frozenset({"choices", "other", "choices_from"})

    def validate(self, rule, value):
        return value, choice_error(rule, value)

    def display(self, rule, value):
        return label(rule, value)

    def form_hint(self, rule):
        return "Tick one."

    def prefill_problem(self, rule, value):
        return "" if value in {c.value for c in rule.choices} else f"{value!r} is not one of its choices"


TYPE = Choice()
