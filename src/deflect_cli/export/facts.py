"""The results chain, register, pathway and budget of a plan, as plain data: the one place that
knows their content ids.

Workbook 2 (docs/content-contract.md, the "Workbook 2 contract") names the tables the new chapters
read: goals and objectives, measures, activities, the partner register, the referral pathway, the
funding sources and budget lines, the applicant's own references. An id is looked up here and
nowhere else, so a renamed question is one edit. A question the content does not have (yet), or one
that does not apply or has no answer, yields empty data: the chapters built on it are left out,
never filled with zeros. Unknown is not a finding: a partner whose MOU status is not given is
"not recorded", and a budget line with no quantity or unit cost has no cost rather than a cost of 0.
"""

from __future__ import annotations

import datetime as _dt
import os
import re

from deflect_cli import flow
from deflect_cli.answers import display, is_empty

# Every content id the chapters read (contract: results chain, register, pathway, budget).
GOALS = "introduction.goals"
OBJECTIVES = "introduction.objectives"
REFERENCES = "introduction.references"
MEASURES = "data.measures"
ACTIVITIES = "launch.activities"
START_DATE = "launch.start_date"
SERVED_YEAR_ONE = "launch.served_year_one"
ROSTER = "partnerships.roster"
PATHWAY = "policies.pathway"
STAFFING = "staffing.roles"
YEARS = "funding.years"
FRINGE_RATE = "funding.fringe_rate"
INDIRECT_RATE = "funding.indirect_rate"
INDIRECT_BASE = "funding.indirect_base"
SOURCES = "funding.sources"
BUDGET = "funding.budget"

# The answers each chapter part shows in full: an outline with that part leaves them out of the
# section chapters it also places, so nothing is printed twice.
COVERS = {"goals": (GOALS, OBJECTIVES), "measures": (MEASURES,), "pathway": (PATHWAY,),
          "timeline": (ACTIVITIES,), "roles": (STAFFING,), "staffing": (STAFFING,), "budget": (BUDGET,),
          "references": (REFERENCES,)}

CATEGORIES = ("personnel", "fringe", "travel", "equipment", "supplies", "construction", "subawards",
              "contracts", "other", "indirect")
CATEGORY_LABELS = {"personnel": "Personnel", "fringe": "Fringe benefits", "travel": "Travel",
                   "equipment": "Equipment", "supplies": "Supplies", "construction": "Construction",
                   "subawards": "Subawards", "contracts": "Contracts", "other": "Other costs",
                   "indirect": "Indirect costs"}
NOT_RECORDED = "not recorded"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Answers:
    """The visible answers of a plan, read by content id; absent, inapplicable or empty is None."""

    def __init__(self, content, plan):
        self.content = content
        evaluation = flow.evaluate(content, plan.answers)
        self.visible = flow.visible_answers(evaluation, plan.answers)

    def get(self, key: str):
        question = self.content.question(key)
        if question is None:
            return None
        value = (self.visible.get(question.section_id) or {}).get(question.id)
        return None if is_empty(value) else value

    def rows(self, key: str) -> list:
        value = self.get(key)
        return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []

    def label(self, key: str, column: str, value) -> str:
        """A cell as a reader sees it (a choice's label, yes/no, a date); empty for no value."""
        if is_empty(value):
            return ""
        question = self.content.question(key)
        rule = next((c for c in (question.columns if question else []) if c.id == column), None)
        return display(rule, value) if rule is not None else _text(value)


def _text(value) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "" if value is None else str(value)


def _number(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value).replace(",", "").replace("$", "").strip())
    except ValueError:
        return None


def _date(value) -> str:
    text = str(value or "")[:10]
    return text if _DATE.fullmatch(text) else ""


def today() -> str:
    """The date a draft's timeline marks as today: DEFLECT_TODAY (YYYY-MM-DD) if set, else the real date."""
    given = os.environ.get("DEFLECT_TODAY", "").strip()
    if _DATE.fullmatch(given):
        try:
            _dt.date.fromisoformat(given)
            return given
        except ValueError:
            pass
    return _dt.date.today().isoformat()


# ---------------------------------------------------------------- the results chain


def goals(a: Answers) -> list:
    return [{"code": _text(r.get("code")), "goal": _text(r.get("goal"))} for r in a.rows(GOALS)]


def objectives(a: Answers) -> list:
    return [{"code": _text(r.get("code")), "goal": _text(r.get("goal")), "objective": _text(r.get("objective")),
             "by": _date(r.get("by"))} for r in a.rows(OBJECTIVES)]


def measures(a: Answers) -> list:
    out = []
    for r in a.rows(MEASURES):
        out.append({
            "objective": _text(r.get("objective")), "measure": _text(r.get("measure")),
            "kind": _text(r.get("kind")), "kind_label": a.label(MEASURES, "kind", r.get("kind")),
            "unit": _text(r.get("unit")), "baseline": _number(r.get("baseline")),
            "baseline_date": _date(r.get("baseline_date")), "baseline_source": _text(r.get("baseline_source")),
            "target": _number(r.get("target")),
            "frequency": a.label(MEASURES, "frequency", r.get("frequency")), "data_owner": _text(r.get("data_owner")),
        })
    return out


def activities(a: Answers) -> list:
    out = []
    for r in a.rows(ACTIVITIES):
        start, end = _date(r.get("start")), _date(r.get("end"))
        if start and not end:
            end = start
        if end and not start:
            start = end
        if start and end and end < start:
            start, end = end, start
        out.append({
            "objective": _text(r.get("objective")), "activity": _text(r.get("activity")),
            "lead": _text(r.get("lead")), "supports": [s.strip() for s in _text(r.get("supports")).split(";") if s.strip()],
            "start": start, "end": end,
            "milestone": r.get("milestone") is True or (bool(start) and start == end),
            "status": a.label(ACTIVITIES, "status", r.get("status")),
        })
    return out


def partners(a: Answers) -> list:
    """The register; an MOU or letter status not given is "not recorded", never a count of none."""
    out = []
    for r in a.rows(ROSTER):
        out.append({
            "name": _text(r.get("name")), "type": a.label(ROSTER, "type", r.get("type")),
            "contact": _text(r.get("contact")), "role": _text(r.get("role")),
            "partner": r.get("partner"), "planning_team": r.get("planning_team"),
            "stance": a.label(ROSTER, "stance", r.get("stance")),
            "mou": a.label(ROSTER, "mou", r.get("mou")) or NOT_RECORDED, "mou_value": r.get("mou"),
            "letter": a.label(ROSTER, "letter", r.get("letter")) or NOT_RECORDED, "letter_value": r.get("letter"),
        })
    return out


def pathway(a: Answers) -> list:
    return [{"step": _text(r.get("step")), "who": _text(r.get("who")), "within": _text(r.get("within"))}
            for r in a.rows(PATHWAY) if not is_empty(r.get("step"))]


def staffing(a: Answers) -> list:
    return [{"role": _text(r.get("role")), "name": _text(r.get("name")), "agency": _text(r.get("agency")),
             "hours": _text(r.get("hours")), "funded": a.label(STAFFING, "funded", r.get("funded")) or NOT_RECORDED}
            for r in a.rows(STAFFING)]


def references(a: Answers) -> list:
    """The applicant's own references (the document's references; the guide's sources are not)."""
    out = []
    for r in a.rows(REFERENCES):
        out.append({"title": _text(r.get("title")), "author": _text(r.get("author")),
                    "publisher": _text(r.get("publisher")), "year": _text(r.get("year")), "link": _text(r.get("link"))})
    return out


def launch(a: Answers) -> dict:
    served = _number(a.get(SERVED_YEAR_ONE))
    return {"start_date": _date(a.get(START_DATE)), "served_year_one": served}


# ---------------------------------------------------------------- the budget


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def budget(a: Answers) -> dict:
    """Budget lines with their computation, fringe and indirect from the rates, and the totals.

    cost = quantity x unit cost x share / 100 (share defaults to 100); a line missing its quantity
    or unit cost has no cost (None) and is counted nowhere. A line's source is federal when the
    funding source of that name says so; a line with no source (and the computed fringe and
    indirect lines) is "not assigned to a source".
    """
    sources = {}
    for r in a.rows(SOURCES):
        name = _text(r.get("source"))
        if name:
            sources[name] = {"source": name, "type": a.label(SOURCES, "type", r.get("type")),
                             "federal": r.get("federal"), "amount": _number(r.get("amount")),
                             "status": a.label(SOURCES, "status", r.get("status")),
                             "match_percent": _number(r.get("match_percent"))}
    lines = []
    for r in a.rows(BUDGET):
        category = r.get("category") if r.get("category") in CATEGORIES else "other"
        quantity, unit_cost = _number(r.get("quantity")), _number(r.get("unit_cost"))
        share = _number(r.get("share"))
        share = 100 if share is None else share
        year = _number(r.get("year"))
        cost = None if quantity is None or unit_cost is None else _money(quantity * unit_cost * share / 100)
        lines.append({"category": category, "category_label": CATEGORY_LABELS[category],
                      "item": _text(r.get("item")), "year": int(year) if year else None,
                      "quantity": quantity, "unit_cost": unit_cost, "share": share, "cost": cost,
                      "source": _text(r.get("source")), "justification": _text(r.get("justification")),
                      "computed": False})
    years = sorted({line["year"] for line in lines if line["year"]})
    fringe_rate, indirect_rate = _number(a.get(FRINGE_RATE)), _number(a.get(INDIRECT_RATE))
    base = a.get(INDIRECT_BASE) or "total_direct"
    for year in years:
        mine = [x for x in lines if x["year"] == year and x["cost"] is not None]
        personnel = sum(x["cost"] for x in mine if x["category"] == "personnel")
        fringe = 0.0
        if fringe_rate and personnel:
            fringe = _money(personnel * fringe_rate / 100)
            lines.append(_computed("fringe", f"Fringe benefits at {_pct(fringe_rate)} of personnel", year,
                                   personnel, fringe_rate, fringe))
        if indirect_rate:
            direct = sum(x["cost"] for x in mine) + fringe
            if base == "salaries":
                amount_base, label = personnel, "salaries"
            elif base == "modified_total_direct":
                amount_base = direct - sum(x["cost"] for x in mine if x["category"] in ("equipment", "subawards"))
                label = "modified total direct costs"
            else:
                amount_base, label = direct, "total direct costs"
            if amount_base:
                lines.append(_computed("indirect", f"Indirect costs at {_pct(indirect_rate)} of {label}", year,
                                       amount_base, indirect_rate, _money(amount_base * indirect_rate / 100)))
    order = {c: n for n, c in enumerate(CATEGORIES)}
    lines.sort(key=lambda x: (x["year"] or 99, order[x["category"]]))
    counted = [x for x in lines if x["cost"] is not None]

    def total(items) -> float:
        return _money(sum(x["cost"] for x in items))

    def federal(line):
        src = sources.get(line["source"])
        return None if src is None else src["federal"]

    by_source = {}
    for line in counted:
        by_source.setdefault(line["source"], []).append(line)
    return {
        "lines": lines,
        "sources": list(sources.values()),
        "years": years,
        "by_year": {y: total(x for x in counted if x["year"] == y) for y in years},
        "by_category": {c: total(x for x in counted if x["category"] == c) for c in CATEGORIES
                        if any(x["category"] == c for x in counted)},
        "by_source": {name: total(items) for name, items in by_source.items()},
        "federal": total(x for x in counted if federal(x) is True),
        "non_federal": total(x for x in counted if federal(x) is False),
        "unassigned": total(x for x in counted if federal(x) is None),
        "total": total(counted),
        "uncosted": [x for x in lines if x["cost"] is None],
        "fringe_rate": fringe_rate, "indirect_rate": indirect_rate,
    }


def _pct(value: float) -> str:
    return f"{value:g}%"


def _computed(category, item, year, base, rate, cost) -> dict:
    return {"category": category, "category_label": CATEGORY_LABELS[category], "item": item, "year": year,
            "quantity": base, "unit_cost": None, "share": rate, "cost": cost, "source": "",
            "justification": "", "computed": True}


# ---------------------------------------------------------------- everything at once


def collect(content, plan) -> dict:
    """All the facts the new chapters read; each is empty when the plan has nothing for it."""
    a = Answers(content, plan)
    return {
        "goals": goals(a), "objectives": objectives(a), "measures": measures(a),
        "activities": activities(a), "partners": partners(a), "pathway": pathway(a),
        "staffing": staffing(a), "references": references(a), "launch": launch(a),
        "budget": budget(a), "today": today(),
    }
