"""What every question type answers, and the table the registry fills.

A type object is stateless: each method takes the `rule` (the question or table column, whose
fields such as `choices`, `unit` or `pattern` it reads) and a value. The defaults fit a type whose
answer is one line of text, so a new type overrides only where it differs.
"""

from __future__ import annotations

from typing import Any, Optional

ROW_ID = "_id"  # a table row's stable id (plan format 3): kept through validation, never a column
NONE_OF_THESE = "None of these"

# name -> type object; filled in one place, qtypes/__init__.py. It lives here so a type that holds
# other values (a table's cells) can reach the others without importing the package it is part of.
TYPES: dict = {}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class QuestionType:
    name = ""               # as written in content: `type: NAME`
    title = ""              # in words, in messages about a changed type ("single choice")
    # How a person gives the answer, which also fixes its shape; one of qtypes.INPUTS. Prompters ask
    # by it (the wizard's `_ask_<input>`), forms lay it out by it (a packet's boxes, the blank
    # workbook's lines), and documents show it by it (a list, a table, words).
    input = "text"
    column = True           # may be a table column
    short = True            # its answer fits on one line of a document
    list_value = False      # the answer is a list (`[]` when nothing was given)
    needs_choices = False   # content must give it a non-empty `choices` list
    fields: frozenset = frozenset()  # the content fields only some types take ("unit", "pattern", ...)
    family = ""             # answers keep their meaning across a change between types of one family
    becomes_text = True     # its values keep their meaning when carried into a text column
    item = ""               # the column type one entry of its answer fits when carried into a table

    def validate(self, rule, value) -> tuple[Any, Optional[str]]:
        """(normalized value, None) or (value, message) for a value that is not empty: the single gate
        every stored answer goes through, so every type writes its own."""
        raise NotImplementedError(f"question type {self.name!r} has no validate")

    def parse_text(self, rule, text: str) -> tuple[Any, Optional[str]]:
        """What a person typed (a prompt, an answers file) -> (value, error); blank is (None, None)."""
        text = text.strip()
        if not text:
            return None, None
        if self.list_value:  # asked entry by entry (ticks, rows), never as one line
            return text, f"{self.name} answers are not typed as one line"
        return self.validate(rule, text)

    def parse_returned(self, rule, text: str) -> tuple[Any, Optional[str]]:
        """An answer cell or paragraph of a returned packet -> (value, error); ticked boxes are read by
        the packet itself (plan/packet.py), by input kind."""
        return self.parse_text(rule, text)

    def answered(self, value) -> bool:
        return not is_empty(value)

    def display(self, rule, value) -> str:
        """An answered value in words."""
        return str(value)

    def typing_hint(self, rule) -> Optional[str]:
        """What the answer takes, in words a prompter shows before anything is typed on the answer's line
        ("a whole number, 0 or more"); None when a type has nothing to add to its prompt."""
        return None

    def read_back(self, rule, value, typed: str) -> str:
        """How a typed answer was read, when that may not be what the person meant (a date typed
        12/31/2026 is stored as 2026-12-31), to be said at once; "" when it was taken as typed."""
        return ""

    def doubt(self, rule, value) -> str:
        """A question to confirm a valid typed answer that is probably a slip (a date in the past where
        the content expects one still to come), answered yes or no; "" when there is none."""
        return ""

    def form_text(self, rule, value) -> str:
        """A value as written into a form's answer cell, to be read back by `parse_returned`."""
        return str(value)

    def form_hint(self, rule) -> str:
        """What a form (a packet) says under the question about how to write the answer."""
        return ""

    def blank_label(self, unit: str) -> str:
        """The heading of the empty lines the blank workbook leaves for the answer."""
        return "Answer"

    def blank_hint(self, rule) -> str:
        """What the blank workbook says a table column takes."""
        return ""

    def cell_kind(self, rule) -> str:
        """The kind of an export table cell holding it: text, number, money, percent or date."""
        return "text"

    def prefill_problem(self, rule, value) -> str:
        """Why a constant from content (a table's `prefill`) cannot be stored here, or ""."""
        return "" if isinstance(value, str) else "must be text"

    def misfit(self, old: "QuestionType") -> str:
        """Why values of type `old` may not fit a table column of this type, or "" (carry, lint)."""
        if (old.item or old.name) == self.name:
            return ""
        return f"{old.title} values do not fit a {self.title} column"

    def keeps(self, old_name: str) -> bool:
        """Whether an answer stored for a question of type `old_name` keeps its meaning here."""
        old = TYPES.get(old_name)
        return old_name == self.name or bool(self.family and old is not None and old.family == self.family)


def fmt_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
