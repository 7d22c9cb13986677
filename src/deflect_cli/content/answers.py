"""What counts as a valid answer, shared by prompts, answers files and plans: the public face of the
question types (content/qtypes/), so callers need not know there is one module per type.

`validate` is the single gate every stored answer goes through; `parse_text` turns what a person
typed into a value; `display` shows a value back in words.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from deflect_cli.content import qtypes
from deflect_cli.content.qtypes.base import is_empty
from deflect_cli.content.qtypes.date import is_past, parse_date
from deflect_cli.content.qtypes.multi_choice import choice_limit_error

__all__ = ["cell", "choice_limit_error", "display", "is_answered", "is_empty", "is_past", "parse_date", "parse_text",
           "validate"]


def is_answered(rule, value: Any) -> bool:
    """Whether a stored value answers the question (a multi-choice saved with nothing ticked does)."""
    kind = qtypes.TYPES.get(getattr(rule, "type", None))
    return kind.answered(value) if kind is not None else not is_empty(value)


def validate(rule, value: Any) -> tuple[Any, Optional[str]]:
    """Return (normalized value, None) or (value, message) for a question or table column."""
    if is_empty(value):
        return value, "no answer given"
    kind = qtypes.TYPES.get(rule.type)
    if kind is None:
        return value, f"unknown question type {rule.type!r}"
    return kind.validate(rule, value)


def cell(column, row: dict):
    """A table cell's value: what was typed, or for a `computed` column the arithmetic over the
    row's number cells (never stored, so it always agrees with them)."""
    if not getattr(column, "computed", ""):
        return row.get(column.id)
    from deflect_cli.content import conditions
    numbers = {k: v for k, v in row.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    for name in conditions.referenced_names(column.computed):
        numbers.setdefault(name, None)  # a blank cell is `none`, so the expression can give it a default
    value = conditions.compute(column.computed, numbers)
    if isinstance(value, float):
        value = round(value, 2)
        value = int(value) if value.is_integer() else value
    return value


def parse_text(rule, text: str) -> tuple[Any, Optional[str]]:
    """Turn typed text into a value for text-entered types (text, number, date, yes/no)."""
    return qtypes.get(rule.type).parse_text(rule, text)


def display(rule, value: Any) -> str:
    """A value in words: labels for choices, Yes/No, grouped numbers with unit."""
    kind = qtypes.get(rule.type)
    return kind.display(rule, value) if kind.answered(value) else ""
