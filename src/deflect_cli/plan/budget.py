"""The budget a funder reads, worked out from the answers: never typed, so it always agrees with them.

Reads `funding.budget` (line items: category, year, quantity x unit cost x share of time, source),
`funding.sources` (amount per year, period, federal or not, status, required match), the fringe and
indirect rates and `launch.start_date` (which calendar dates program year 1 starts at). Fringe and
indirect costs are computed per line from the rates (federal budget worksheets show them that way),
so every total splits by year, category and source alike. Pure: answers in, numbers and sentences out.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Optional

from deflect_cli.content.answers import cell, is_empty
from deflect_cli.content.qtypes.number import money  # amounts in sentences, shown as answers are

CATEGORIES = ("personnel", "fringe", "travel", "equipment", "supplies", "construction", "subawards",
              "contracts", "other", "indirect")
# Modified total direct costs (2 CFR 200.1) leave out equipment and construction, and count only the
# first $25,000 of each subaward.
_NOT_IN_MTDC = ("equipment", "construction")
SUBAWARD_MTDC_CAP = 25_000
UNASSIGNED = ""  # the source of a line that names none
MAX_YEARS = 50
# What the budget reads: an answer to any of these can change a budget check.
INPUTS = ("funding.budget", "funding.sources", "funding.years", "funding.fringe_rate", "funding.indirect_rate",
          "funding.indirect_base", "funding.in_kind", "launch.start_date")


@dataclass
class Line:
    """One typed budget line with what it brings along: its fringe and its share of indirect costs."""

    item: str
    category: str
    year: int
    cost: float
    source: str
    fringe: float = 0.0
    indirect: float = 0.0


@dataclass
class Budget:
    years: int
    lines: list
    by_year: dict = field(default_factory=dict)        # year -> total (direct + fringe + indirect)
    by_category: dict = field(default_factory=dict)    # category -> total over all years
    by_year_category: dict = field(default_factory=dict)  # (year, category) -> total
    by_source: dict = field(default_factory=dict)      # source name ("" = not assigned) -> total
    federal: float = 0.0
    non_federal: float = 0.0
    unassigned: float = 0.0
    total: float = 0.0
    secured_by_year: dict = field(default_factory=dict)  # year -> secured amount from sources
    # (year, source) -> (base, amount) of the fringe and indirect costs worked out from the rates
    fringe_parts: dict = field(default_factory=dict)
    indirect_parts: dict = field(default_factory=dict)
    fringe_rate: Optional[float] = None
    indirect_rate: Optional[float] = None
    indirect_base: str = ""
    checks: list = field(default_factory=list)         # sentences for "Things to double-check"

    def summary(self) -> dict:
        """The totals as plain data (the JSON export)."""
        years = range(1, self.years + 1)
        return {
            "years": self.years, "total": self.total, "federal": self.federal, "non_federal": self.non_federal,
            "no_source": self.unassigned,
            "by_year": [{"year": y, "total": self.by_year.get(y, 0.0), "secured": self.secured_by_year.get(y, 0.0),
                         "by_category": {c: v for (yy, c), v in self.by_year_category.items() if yy == y}}
                        for y in years],
            "by_category": dict(self.by_category),
            "by_source": [{"source": name, "total": amount} for name, amount in self.by_source.items()],
        }


def _number(value) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _get(context: dict, key: str):
    section_id, question_id = key.split(".", 1)
    return (context.get(section_id) or {}).get(question_id)


def _rows(value) -> list:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _date(text) -> Optional[_dt.date]:
    try:
        return _dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _year_span(start: _dt.date, year: int) -> tuple:
    def shift(years: int) -> _dt.date:
        try:
            return start.replace(year=start.year + years)
        except ValueError:  # 29 February
            return start.replace(year=start.year + years, day=28)

    return shift(year - 1), shift(year) - _dt.timedelta(days=1)


def _covers(source: dict, year: int, start: Optional[_dt.date]) -> bool:
    """Does a source's period overlap program year `year`? Undated sources, or a plan with no start
    date, count for every year."""
    if start is None:
        return True
    first, last = _year_span(start, year)
    begins, ends = _date(source.get("start")), _date(source.get("end"))
    return (begins is None or begins <= last) and (ends is None or ends >= first)


def line_cost(row: dict) -> Optional[float]:
    """quantity x unit cost x share / 100 (share blank = 100), for content whose budget table has no
    `computed` cost column; a line without a quantity or unit cost has no cost."""
    quantity, unit_cost, share = _number(row.get("quantity")), _number(row.get("unit_cost")), _number(row.get("share"))
    if quantity is None or unit_cost is None:
        return None
    return round(quantity * unit_cost * (100.0 if share is None else share) / 100, 2)


def cost_of(content, row: dict) -> Optional[float]:
    """A budget line's cost as every output shows it: the content's computed cost column, if any."""
    question = content.question("funding.budget")
    column = next((c for c in question.columns if c.id == "cost"), None) if question is not None else None
    return _number(cell(column, row)) if column is not None else line_cost(row)


def _apply_rates(lines: list, fringe_rate, indirect_rate, base: str) -> None:
    """Each line's fringe (personnel) and its share of indirect costs on the chosen base."""
    if fringe_rate:
        for line in lines:
            if line.category == "personnel":
                line.fringe = line.cost * fringe_rate / 100
    if not indirect_rate:
        return
    counted: dict = {}
    for line in sorted(lines, key=lambda x: x.year):
        if line.category == "indirect":
            continue
        if base == "salaries":
            amount = line.cost if line.category == "personnel" else 0.0
        elif base == "total_direct":
            amount = line.cost + line.fringe
        elif line.category == "subawards":
            amount = min(line.cost, max(0.0, SUBAWARD_MTDC_CAP - counted.get(line.item, 0.0)))
            counted[line.item] = counted.get(line.item, 0.0) + line.cost
        else:
            amount = 0.0 if line.category in _NOT_IN_MTDC else line.cost + line.fringe
        line.indirect = amount * indirect_rate / 100


def compute(content, context: dict) -> Optional[Budget]:
    """The budget for these answers (`context`: section -> question -> value, e.g. flow's evaluation
    context or visible answers), or None when no budget line is given."""
    question = content.question("funding.budget")
    rows = _rows(_get(context, "funding.budget"))
    if question is None or not rows:
        return None
    years = _number(_get(context, "funding.years"))
    fringe_rate = _number(_get(context, "funding.fringe_rate"))
    indirect_rate = _number(_get(context, "funding.indirect_rate"))
    base = _get(context, "funding.indirect_base") or "modified_total_direct"
    sources = [s for s in _rows(_get(context, "funding.sources")) if not is_empty(s.get("source"))]
    by_name = {str(s["source"]): s for s in sources}

    lines = []
    for row in rows:
        cost = cost_of(content, row)
        year = _number(row.get("year"))
        if cost is None or year is None:
            continue
        lines.append(Line(item=str(row.get("item") or ""), category=str(row.get("category") or "other"),
                          year=int(year), cost=cost, source=str(row.get("source") or UNASSIGNED)))
    years = int(years) if years else max([line.year for line in lines] or [1])
    years = max(1, min(years, MAX_YEARS))  # the content allows 1-5; a hand-edited plan cannot make it loop long

    _apply_rates(lines, fringe_rate, indirect_rate, base)

    budget = Budget(years=years, lines=lines, fringe_rate=fringe_rate, indirect_rate=indirect_rate,
                    indirect_base=base if indirect_rate else "")
    for line in lines:
        key = (line.year, line.source)
        if line.fringe:
            old = budget.fringe_parts.get(key, (0.0, 0.0))
            budget.fringe_parts[key] = (old[0] + line.cost, old[1] + line.fringe)
        if line.indirect:
            old = budget.indirect_parts.get(key, (0.0, 0.0))
            budget.indirect_parts[key] = (old[0] + line.indirect * 100 / indirect_rate, old[1] + line.indirect)
    federal = {name: s.get("federal") for name, s in by_name.items()}

    def add(year: int, category: str, source: str, amount: float) -> None:
        if not amount:
            return
        budget.by_year[year] = budget.by_year.get(year, 0.0) + amount
        budget.by_category[category] = budget.by_category.get(category, 0.0) + amount
        budget.by_year_category[(year, category)] = budget.by_year_category.get((year, category), 0.0) + amount
        budget.by_source[source] = budget.by_source.get(source, 0.0) + amount
        budget.total += amount
        flag = federal.get(source)
        if flag is True:
            budget.federal += amount
        elif flag is False:
            budget.non_federal += amount
        else:
            budget.unassigned += amount

    for line in lines:
        add(line.year, line.category, line.source, line.cost)
        add(line.year, "fringe", line.source, line.fringe)
        add(line.year, "indirect", line.source, line.indirect)

    start = _date(_get(context, "launch.start_date"))
    for year in range(1, years + 1):
        budget.secured_by_year[year] = sum(
            _number(s.get("amount")) or 0.0 for s in sources
            if s.get("status") == "secured" and _covers(s, year, start))
    budget.checks = _checks(budget, sources, start, fringe_rate, indirect_rate, context)
    return budget


def _checks(budget: Budget, sources: list, start, fringe_rate, indirect_rate, context) -> list:
    found = []
    for year in range(1, budget.years + 1):
        cost = budget.by_year.get(year, 0.0)
        secured = budget.secured_by_year.get(year, 0.0)
        if cost > secured + 0.005:
            found.append(f"Year {year} costs {money(cost - secured)} more than the sources secured for year {year} "
                         f"({money(cost)} budgeted, {money(secured)} secured). Mark sources as secured when they are, "
                         "or plan which costs wait.")
    beyond = sorted({line.year for line in budget.lines if line.year > budget.years})
    if beyond:
        found.append(f"Budget lines are given for year {', '.join(map(str, beyond))}, but the budget covers "
                     f"{budget.years} year{'s' if budget.years != 1 else ''}. Change the number of years or the lines.")
    in_kind = sum(_number(r.get("value")) or 0.0 for r in _rows(_get(context, "funding.in_kind")))
    for source in sources:
        percent = _number(source.get("match_percent"))
        amount = _number(source.get("amount"))
        if not percent or not amount:
            continue
        covered = sum(1 for year in range(1, budget.years + 1) if _covers(source, year, start))
        required = amount * covered * percent / 100
        provided = budget.non_federal + in_kind * budget.years
        if provided + 0.005 < required:
            found.append(f"The required match of {percent:g}% for {source['source']} ({money(required)} over "
                         f"{covered} year{'s' if covered != 1 else ''}) is not met: non-federal sources and in-kind "
                         f"support cover {money(provided)}.")
    typed = {line.category for line in budget.lines}
    for category, rate, name in (("fringe", fringe_rate, "fringe"), ("indirect", indirect_rate, "indirect")):
        if rate and category in typed:
            found.append(f"The budget has typed {name} lines and a {name} rate, which is applied as well; "
                         f"keep one so {name} costs are not counted twice.")
    return found
