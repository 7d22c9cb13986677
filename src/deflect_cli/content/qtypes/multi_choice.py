"""`multi_choice`: any number of the listed choices; nothing ticked is the answer "None of these"."""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.qtypes.base import NONE_OF_THESE, QuestionType, is_empty
from deflect_cli.content.qtypes.choice import choice_error, label

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _say_count(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def choice_limit_error(rule, count: int) -> Optional[str]:
    """"choose up to four": the `min_choices`/`max_choices` of a multi_choice, said in words."""
    low, high = getattr(rule, "min_choices", None), getattr(rule, "max_choices", None)
    if high is not None and count > high:
        return f"choose up to {_say_count(high)} (you chose {_say_count(count)})"
    if low is not None and count < low:
        return f"choose at least {_say_count(low)} (you chose {_say_count(count)})"
    return None


class MultiChoice(QuestionType):
    name, title, input = "multi_choice", "multiple choice", "multi_choice"
    column, short, list_value, needs_choices = False, False, True, True
    fields = frozenset({"choices", "other", "choices_from", "min_choices", "max_choices"})
    item = "choice"  # carried into a table, each ticked value is one row's choice

    def validate(self, rule, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value, "expected a list of choices"
        for entry in value:
            error = choice_error(rule, entry)
            if error:
                return value, error
        value = list(dict.fromkeys(value))
        return value, choice_limit_error(rule, len(value))

    def answered(self, value):
        """Saved with nothing ticked (Enter pressed on purpose) is the answer "none of these", not a
        question left open."""
        return value == [] or not is_empty(value)

    def display(self, rule, value):
        return ", ".join(label(rule, v) for v in value) if value else NONE_OF_THESE

    def form_hint(self, rule):
        return "Tick all that apply."


TYPE = MultiChoice()
