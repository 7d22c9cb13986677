"""`number`: an int or float within `min`/`max`, `integer` if whole numbers only, shown with its `unit`
(`USD` is money: $2,500; a unit starting with % is a percentage)."""

from __future__ import annotations

import math

from deflect_cli.content.qtypes.base import QuestionType, fmt_number


def money(value) -> str:
    """`$1,234` for whole dollars and `$1,234.50` with cents: every amount shown, a typed answer or a
    worked-out budget total, is written this one way."""
    value = round(value, 2)
    if float(value).is_integer():
        return f"${int(value):,}"
    return f"${value:,.2f}"


def with_unit(value, unit: str) -> str:
    """`12 hours`, `1 hour`, `85% of staff`, `$2,500`: a unit reads as a person would write it."""
    if unit == "USD":
        return money(value)
    text = fmt_number(value)
    if not unit:
        return text
    if unit.startswith("%"):
        return f"{text}{unit}"
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{text} {unit}"


def _plain(value) -> str:
    """A number as typed, without separators: 2500, 12.5."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


class Number(QuestionType):
    name, title, input = "number", "number", "number"
    fields = frozenset({"min", "max", "integer", "unit", "computed"})

    def validate(self, rule, value):
        if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
            return value, "expected a number"
        if rule.integer and not float(value).is_integer():
            return value, "expected a whole number"
        if rule.min is not None and value < rule.min:
            return value, f"must be at least {fmt_number(rule.min)}"
        if rule.max is not None and value > rule.max:
            return value, f"must be at most {fmt_number(rule.max)}"
        return value, None

    def parse_text(self, rule, text):
        text = text.strip()
        if not text:
            return None, None
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
        return self.validate(rule, value)

    def display(self, rule, value):
        return with_unit(value, rule.unit)

    def typing_hint(self, rule):
        if rule.min is not None and rule.max is not None:
            limits = f"from {_plain(rule.min)} to {_plain(rule.max)}"
        elif rule.min is not None:
            limits = f"{_plain(rule.min)} or more"
        elif rule.max is not None:
            limits = f"up to {_plain(rule.max)}"
        else:
            limits = ""
        if not limits and not rule.integer:
            return None
        kind = "a whole number" if rule.integer else "a number"
        return f"{kind}, {limits}" if limits else kind

    def form_text(self, rule, value):
        return _plain(value)

    def form_hint(self, rule):
        return "A number" + (f" ({rule.unit})" if rule.unit else "") + "."

    def blank_label(self, unit):
        return "Answer" + (f" ({unit})" if unit else "")

    def blank_hint(self, rule):
        return rule.unit or "number"

    def cell_kind(self, rule):
        unit = rule.unit or ""
        return "money" if unit == "USD" else "percent" if unit.startswith("%") else "number"

    def prefill_problem(self, rule, value):
        return "" if _is_number(value) else "must be a number"


TYPE = Number()
