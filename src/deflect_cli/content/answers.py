"""What counts as a valid answer for each question type, shared by prompts, answers files and plans.

`validate` is the single gate every stored answer goes through; `parse_text` turns what a person
typed into a value; `display` shows a value back in words.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Optional

from deflect_cli.content.patterns import MAX_INPUT as MAX_PATTERN_INPUT
from deflect_cli.grammar import plural

ROW_ID = "_id"  # a table row's stable id (plan format 3): kept through validation, never a column
_YES = {"y", "yes", "true"}
_NO = {"n", "no", "false"}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


NONE_OF_THESE = "None of these"


def is_answered(rule, value: Any) -> bool:
    """Whether a stored value answers the question. A multi-choice saved with nothing ticked (Enter
    pressed on purpose) is the answer "none of these", not a question left open."""
    if getattr(rule, "type", None) == "multi_choice" and value == []:
        return True
    return not is_empty(value)


def _number_error(rule, value) -> Optional[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (isinstance(value, float) and not math.isfinite(value)):
        return "expected a number"
    if rule.integer and not float(value).is_integer():
        return "expected a whole number"
    if rule.min is not None and value < rule.min:
        return f"must be at least {_fmt_number(rule.min)}"
    if rule.max is not None and value > rule.max:
        return f"must be at most {_fmt_number(rule.max)}"
    return None


def _fmt_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


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


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(text: str) -> tuple[Optional[str], Optional[str]]:
    """`2027-03-01` or US `3/1/2027` -> ("2027-03-01", None); an impossible date says why.

    Slashes are read month first, as US agencies write them; the answer is always stored and shown as
    YYYY-MM-DD, so nobody has to guess later which order was meant.
    """
    text = text.strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _US_DATE.fullmatch(text)
        if not match:
            return None, "expected a date as YYYY-MM-DD or MM/DD/YYYY, like 2027-03-01"
        month, day, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return None, f"{text} is not a date: there is no month {month}"
    if day < 1:
        return None, f"{text} is not a date: there is no day {day}"
    try:
        return _dt.date(year, month, day).isoformat(), None
    except ValueError:
        import calendar

        if year < 1:
            return None, f"{text} is not a date: there is no year {year}"
        days = calendar.monthrange(year, month)[1]
        return None, f"{text} is not a date: {_MONTHS[month - 1]} {year} has {days} days"


def is_past(rule, value: Any, today: Optional[_dt.date] = None) -> bool:
    """A date on a question or column marked `future: true` that is already behind us."""
    if not getattr(rule, "future", False) or not isinstance(value, str):
        return False
    try:
        return _dt.date.fromisoformat(value) < (today or _dt.date.today())
    except ValueError:
        return False


def _choice_error(rule, value) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return "expected one of the listed choices"
    if value in {c.value for c in rule.choices}:
        return None
    if rule.other:
        return None
    return f"{value!r} is not one of: {', '.join(c.value for c in rule.choices)}"


def validate(rule, value: Any) -> tuple[Any, Optional[str]]:
    """Return (normalized value, None) or (value, message) for a question or table column."""
    kind = rule.type
    if is_empty(value):
        return value, "no answer given"
    if kind in ("text", "long_text"):
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
    if kind == "choice":
        return value, _choice_error(rule, value)
    if kind == "multi_choice":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value, "expected a list of choices"
        for item in value:
            error = _choice_error(rule, item)
            if error:
                return value, error
        value = list(dict.fromkeys(value))
        return value, choice_limit_error(rule, len(value))
    if kind == "yes_no":
        if isinstance(value, bool):
            return value, None
        return value, "expected yes or no (true or false)"
    if kind == "number":
        return value, _number_error(rule, value)
    if kind == "date":
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return value.isoformat(), None
        if isinstance(value, str):
            iso, error = parse_date(value)
            return (iso, None) if iso else (value, error)
        return value, "expected a date as YYYY-MM-DD"
    if kind == "table":
        return _validate_table(rule, value)
    return value, f"unknown question type {kind!r}"


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


def _validate_table(rule, rows) -> tuple[Any, Optional[str]]:
    if not isinstance(rows, list):
        return rows, "expected a list of rows"
    columns = {c.id: c for c in rule.columns}
    clean = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            return rows, f"row {number}: expected a mapping of column to value"
        unknown = [k for k in row if k not in columns and k != ROW_ID]
        if unknown:
            return rows, f"row {number}: unknown column {unknown[0]!r}"
        out = {ROW_ID: row[ROW_ID]} if isinstance(row.get(ROW_ID), str) and row[ROW_ID] else {}
        for column in rule.columns:
            if getattr(column, "computed", ""):
                continue  # worked out from the row whenever shown (cell()); a stored copy is dropped
            cell = row.get(column.id)
            if is_empty(cell):
                if column.required:
                    return rows, f"row {number}: {column.label} is required"
                continue
            cell, error = validate(column, cell)
            if error:
                return rows, f"row {number}, {column.label}: {error}"
            out[column.id] = cell
        clean.append(out)
    return clean, None


def parse_text(rule, text: str) -> tuple[Any, Optional[str]]:
    """Turn typed text into a value for text-entered types (text, number, date, yes/no)."""
    if rule.type in ("text", "long_text"):
        text = text.strip() if rule.type == "text" else text.strip("\n")
        if not text.strip():
            return None, None
        return validate(rule, text)
    text = text.strip()
    if not text:
        return None, None
    if rule.type == "number":
        cleaned = text.replace(",", "").replace("$", "").replace("%", "").strip()
        try:
            value = int(cleaned)
        except ValueError:
            try:
                value = float(cleaned)
            except ValueError:
                return text, "type a whole number, like 12" if rule.integer else "type a number, like 12 or 2500.50"
        if rule.integer and isinstance(value, float) and not value.is_integer():
            return text, "type a whole number, like 12 (no decimals)"
        return validate(rule, value)
    if rule.type == "date":
        value, error = validate(rule, text)
        if error and error.startswith("expected "):  # said to a person typing, not to a file's author
            error = "type " + error[len("expected "):]
        return value, error
    if rule.type == "yes_no":
        lowered = text.lower()
        if lowered in _YES:
            return True, None
        if lowered in _NO:
            return False, None
        return text, "type yes or no"
    if rule.type == "choice":
        return validate(rule, text)
    return text, f"{rule.type} answers are not typed as one line"


def display(rule, value: Any) -> str:
    """A value in words: labels for choices, Yes/No, grouped numbers with unit."""
    if rule.type == "multi_choice" and value == []:
        return NONE_OF_THESE
    if is_empty(value):
        return ""
    kind = rule.type
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "choice":
        return _label(rule, value)
    if kind == "multi_choice":
        return ", ".join(_label(rule, v) for v in value)
    if kind == "number":
        return _with_unit(_fmt_number(value), value, rule.unit)
    if kind == "table":
        return plural(len(value), "row")
    return str(value)


def _with_unit(text: str, value, unit: str) -> str:
    """`12 hours`, `1 hour`, `85% of staff`, `$2,500`: a unit reads as a person would write it."""
    if not unit:
        return text
    if unit.startswith("%"):
        return f"{text}{unit}"
    if unit == "USD":
        return f"${text}"
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{text} {unit}"


def _label(rule, value) -> str:
    for choice in rule.choices:
        if choice.value == value:
            return choice.label
    return str(value)
