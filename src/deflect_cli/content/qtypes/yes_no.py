"""`yes_no`: stored as true or false."""

from __future__ import annotations

from deflect_cli.content.qtypes.base import QuestionType

_YES = {"y", "yes", "true"}
_NO = {"n", "no", "false"}


class YesNo(QuestionType):
    name, title, input = "yes_no", "yes/no", "yes_no"
    becomes_text = False

    def validate(self, rule, value):
        if isinstance(value, bool):
            return value, None
        return value, "expected yes or no (true or false)"

    def parse_text(self, rule, text):
        lowered = text.strip().lower()
        if not lowered:
            return None, None
        if lowered in _YES:
            return True, None
        if lowered in _NO:
            return False, None
        return text.strip(), "type yes or no"

    def display(self, rule, value):
        return "Yes" if value else "No"

    def form_hint(self, rule):
        return "Tick one."

    def blank_hint(self, rule):
        return "yes / no"

    def prefill_problem(self, rule, value):
        return "" if isinstance(value, bool) else "must be true or false"


TYPE = YesNo()
