"""`long_text`: several lines of free text; line breaks and indentation are kept."""

from __future__ import annotations

from deflect_cli.content.qtypes.text import Text


class LongText(Text):
    name, title, input = "long_text", "long text", "long_text"
    fields = frozenset({"pattern"})
    short = False

    def parse_text(self, rule, text):
        text = text.strip("\n")
        if not text.strip():
            return None, None
        return self.validate(rule, text)

    parse_returned = parse_text


TYPE = LongText()
