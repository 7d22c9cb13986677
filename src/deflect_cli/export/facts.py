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

from deflect_cli.content.answers import display, is_empty
from deflect_cli.plan import flow

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
            "lead": _text(r.get("lead")),
            "supports": [s.strip() for s in _text(r.get("supports")).split(";") if s.strip()],
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

    The numbers are deflect_cli.plan.budget's, the one place that works a budget out (the funding chapter,
    the summary, status and the checks read the same): a line's cost is the content's computed cost
    column (quantity x unit cost x share / 100); a line with no cost is counted nowhere ("uncosted").
    Fringe and indirect costs are worked out per line from the rates and shown here as one line per
    year and funding source, so the federal and non-federal shares include them.
    """
    from deflect_cli.plan import budget as worked_out
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
        share = _number(r.get("share"))
        year = _number(r.get("year"))
        lines.append({"category": category, "category_label": CATEGORY_LABELS[category],
                      "item": _text(r.get("item")), "year": int(year) if year else None,
                      "quantity": _number(r.get("quantity")), "unit_cost": _number(r.get("unit_cost")),
                      "share": 100 if share is None else share, "cost": worked_out.cost_of(a.content, r),
                      "source": _text(r.get("source")), "justification": _text(r.get("justification")),
                      "computed": False})
    years = sorted({line["year"] for line in lines if line["year"]})
    worked = worked_out.compute(a.content, a.visible) if lines else None
    if worked is not None:
        label = {"salaries": "salaries", "total_direct": "total direct costs"}.get(
            worked.indirect_base, "modified total direct costs")
        for (year, source), (base, amount) in worked.fringe_parts.items():
            lines.append(_computed("fringe", f"Fringe benefits at {_pct(worked.fringe_rate)} of personnel", year,
                                   _money(base), worked.fringe_rate, _money(amount), source))
        for (year, source), (base, amount) in worked.indirect_parts.items():
            lines.append(_computed("indirect", f"Indirect costs at {_pct(worked.indirect_rate)} of {label}", year,
                                   _money(base), worked.indirect_rate, _money(amount), source))
    order = {c: n for n, c in enumerate(CATEGORIES)}
    lines.sort(key=lambda x: (x["year"] or 99, order[x["category"]]))
    have = worked is not None

    return {
        "lines": lines,
        "sources": list(sources.values()),
        "years": years,
        "by_year": {y: _money(worked.by_year.get(y, 0.0)) for y in years} if have else {},
        "by_category": {c: _money(worked.by_category[c]) for c in CATEGORIES if worked.by_category.get(c)}
        if have else {},
        "by_source": {name: _money(amount) for name, amount in worked.by_source.items()} if have else {},
        "federal": _money(worked.federal) if have else 0.0,
        "non_federal": _money(worked.non_federal) if have else 0.0,
        "unassigned": _money(worked.unassigned) if have else 0.0,
        "total": _money(worked.total) if have else 0.0,
        "uncosted": [x for x in lines if x["cost"] is None],
        "fringe_rate": worked.fringe_rate if have else _number(a.get(FRINGE_RATE)),
        "indirect_rate": worked.indirect_rate if have else _number(a.get(INDIRECT_RATE)),
    }


def _pct(value: float) -> str:
    return f"{value:g}%"


def _computed(category, item, year, base, rate, cost, source="") -> dict:
    return {"category": category, "category_label": CATEGORY_LABELS[category], "item": item, "year": year,
            "quantity": base, "unit_cost": None, "share": rate, "cost": cost, "source": source,
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
