"""`date`: stored as `YYYY-MM-DD`; typed that way or as a US `MM/DD/YYYY`; `future: true` expects a date
still to come."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

from deflect_cli.content.qtypes.base import QuestionType

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


def is_past(rule, value, today: Optional[_dt.date] = None) -> bool:
    """A date on a question or column marked `future: true` that is already behind us."""
    if not getattr(rule, "future", False) or not isinstance(value, str):
        return False
    try:
        return _dt.date.fromisoformat(value) < (today or _dt.date.today())
    except ValueError:
        return False


class Date(QuestionType):
    name, title, input = "date", "date", "text"  # typed on one line; parse_text reads it as a date
    fields = frozenset({"future"})

    def validate(self, rule, value):
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return value.isoformat(), None
        if isinstance(value, str):
            iso, error = parse_date(value)
            return (iso, None) if iso else (value, error)
        return value, "expected a date as YYYY-MM-DD"

    def parse_text(self, rule, text):
        text = text.strip()
        if not text:
            return None, None
        value, error = self.validate(rule, text)
        if error and error.startswith("expected "):  # said to a person typing, not to a file's author
            error = "type " + error[len("expected "):]
        return value, error

    def typing_hint(self, rule):
        return "YYYY-MM-DD, like 2027-03-01; 03/01/2027 works too"

    def read_back(self, rule, value, typed):
        return "" if typed.strip() == value else f"Read as {value} (year-month-day)."

    def doubt(self, rule, value):
        return f"{value} is in the past. Keep this date?" if is_past(rule, value) else ""

    def form_hint(self, rule):
        return "A date as YYYY-MM-DD or MM/DD/YYYY."

    def blank_label(self, unit):
        return "Date (YYYY-MM-DD)"

    def blank_hint(self, rule):
        return "YYYY-MM-DD"

    def cell_kind(self, rule):
        return "date"


TYPE = Date()
