"""`text`: one line of free text, optionally held to a `pattern`."""

from __future__ import annotations

import re

from deflect_cli.content.patterns import MAX_INPUT as MAX_PATTERN_INPUT
from deflect_cli.content.qtypes.base import QuestionType


class Text(QuestionType):
    name, title, input = "text", "text", "text"
    fields = frozenset({"pattern", "column choices_from"})
    family = "text"

    def validate(self, rule, value):
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            else:
                return value, "expected text"
        if rule.pattern and len(value) > MAX_PATTERN_INPUT:  # bounds the time a pattern can take
            return value, f"must be at most {MAX_PATTERN_INPUT:,} characters"
        if rule.pattern and not re.fullmatch(rule.pattern, value):
            return value, rule.pattern_help or f"must match the pattern {rule.pattern}"
        return value, None

    def typing_hint(self, rule):
        return rule.pattern_help or None

    def parse_returned(self, rule, text):
        """A line in a document may have been wrapped or spaced by its editor: the words count."""
        text = text.strip()
        if not text:
            return None, None
        return self.validate(rule, " ".join(text.split()))

    def misfit(self, old):
        return "" if old.becomes_text else f"{old.title} values do not become text"


TYPE = Text()
