"""Question types, one module each, registered in one place: `TYPES` below.

Everything a type does lives in its module (see base.QuestionType): validate (the single gate every
stored answer goes through), parse what a person typed or wrote into a returned packet, the hint shown
while it is typed and the second look at what was typed (a date read back, or confirmed when in the
past), say a value in words, the content fields it takes, which older answers it keeps (migration), and
the kind of cell an export gives it. Prompters, forms and documents ask a type for its `input` kind, one of `INPUTS`,
and never branch on type names, so a new type is one module here plus its tests:

1. Write `content/qtypes/NAME.py` with a `QuestionType` subclass (or a subclass of the type it is most
   like) and `TYPE = ThatClass()`; set `name`, `title`, `input` and the content `fields` it takes, and
   override what differs (`validate`, `parse_text`, `typing_hint`, `display`, `cell_kind`, ...).
2. Add `NAME.TYPE` to `TYPES` below.
3. Test it as tests/test_qtypes.py does: content with `type: NAME` loads, and its answers validate,
   parse, display, migrate and export.
"""

from __future__ import annotations

from deflect_cli.content.qtypes import choice, date, long_text, multi_choice, number, table, text, yes_no
from deflect_cli.content.qtypes.base import TYPES, QuestionType

# How a prompter asks, and so the shape of the answer: one typed line (text, or a date: the type reads
# it), one typed line read as a number (a kind of its own because content checks read number columns: a
# computed column does arithmetic on them), several lines, one of a list, any of a list, yes or no, or
# rows of a table. What a typed line takes is the type's to say (`typing_hint`), not the kind's.
INPUTS = ("text", "long_text", "number", "choice", "multi_choice", "yes_no", "table")

for _type in (text.TYPE, long_text.TYPE, choice.TYPE, multi_choice.TYPE, yes_no.TYPE, number.TYPE, date.TYPE,
              table.TYPE):
    TYPES[_type.name] = _type


def get(name: str) -> QuestionType:
    """The type called `name` (a KeyError for a name content validation has not accepted)."""
    return TYPES[name]


def names(*, column: bool = False) -> tuple:
    """The type names content may use, for a question or (`column=True`) a table column."""
    return tuple(name for name, kind in TYPES.items() if kind.column or not column)


def taking(field: str) -> str:
    """"choice and multi_choice": the types that take a content field, for "only applies to ..."."""
    found = [name for name, kind in TYPES.items() if field in kind.fields]
    return " and ".join(found) if len(found) < 3 else ", ".join(found[:-1]) + " and " + found[-1]


def takes(name: str, field: str) -> bool:
    kind = TYPES.get(name)
    return kind is not None and field in kind.fields


def compatible(old: str, new: str) -> bool:
    """Whether an answer stored for a question of type `old` keeps its meaning as type `new`."""
    kind = TYPES.get(new)
    return kind.keeps(old) if kind is not None else old == new


def title(name: str) -> str:
    """A type in words ("single choice"); a name no longer registered as it is."""
    kind = TYPES.get(name)
    return kind.title if kind is not None else name


# The types whose answer is a list: [] rather than none when nothing is given. Derived once for the
# code that reads it as a tuple; the content loader asks `names()` and `takes()` each time instead, so a
# type registered later (a test's) is accepted there too.
LIST_TYPES = tuple(name for name, kind in TYPES.items() if kind.list_value)
