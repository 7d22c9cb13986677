"""The budget and the timeline as a spreadsheet for the grant writer (openpyxl; imported only here).

Budget: one row per line with its inputs (quantity, unit cost, share) and its cost as a FORMULA,
fringe and indirect lines as formulas over the lines they are computed from, and a Totals sheet
(per year, category, source, federal and non-federal, overall) made of SUMIFS formulas, so a
change to any input recomputes every total. Timeline: activities on the same period grid as the
document, shaded, with a formula counting what runs in each period. Text is always stored as text:
an answer starting with "=" is a string, never a formula.
"""

from __future__ import annotations

import io
from typing import Optional

from deflect_cli.errors import DeflectError
from deflect_cli.export import blocks as d

_HEADER_FILL = "E8EEF6"
_MONEY = '"$"#,##0.00'
BUDGET_COLUMNS = ("Year", "Category", "Item", "Quantity", "Unit cost", "Share (%)", "Cost", "Source",
                  "Federal or non-federal", "Justification")


def _text(cell, value) -> None:
    """Store text as text: openpyxl would otherwise read a leading "=" as a formula. Control
    characters a worksheet cannot hold become U+FFFD (the replacement character), as in Word."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell.data_type = "s"


def _header(sheet, labels) -> None:
    from openpyxl.styles import Font, PatternFill

    for col, label in enumerate(labels, 1):
        cell = sheet.cell(row=1, column=col)
        _text(cell, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    sheet.freeze_panes = "A2"


def render(doc: d.Document, templates: Optional[str] = None) -> bytes:
    from openpyxl import Workbook

    chain = doc.chain or {}
    book = Workbook()
    budget_sheet = book.active
    budget_sheet.title = "Budget"
    last = _budget(budget_sheet, chain.get("budget") or {})
    _totals(book.create_sheet("Totals"), chain.get("budget") or {}, last)
    _timeline(book.create_sheet("Timeline"), chain)
    book.properties.title = str(doc.meta.get("title", ""))[:255]
    book.properties.creator = "deflect"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _federal(budget: dict, source: str) -> str:
    found = {s["source"]: s["federal"] for s in budget.get("sources", [])}.get(source)
    return {True: "Federal", False: "Non-federal"}.get(found, "")


def _budget(sheet, budget: dict) -> int:
    """One row per line; returns the last row used (at least 1)."""
    from openpyxl.styles import Alignment

    _header(sheet, BUDGET_COLUMNS)
    lines = budget.get("lines", [])
    last = len(lines) + 1
    for r, line in enumerate(lines, 2):
        sheet.cell(row=r, column=1, value=line["year"])
        _text(sheet.cell(row=r, column=2), line["category_label"])
        _text(sheet.cell(row=r, column=3), line["item"])
        if line["computed"]:
            # Worked out per line by deflect_cli.plan.budget (the modified-total-direct rules need more than a
            # sum of cells): the base is a value; the cost is still a formula of base and rate.
            sheet.cell(row=r, column=4, value=line["quantity"])
            sheet.cell(row=r, column=6, value=line["share"])
            sheet.cell(row=r, column=7, value=f"=D{r}*F{r}/100")
        else:
            # A blank quantity counts as 1 where the content's cost column says so: the cell shows it.
            quantity = line["quantity"] if line["quantity"] is not None or line["cost"] is None else 1
            sheet.cell(row=r, column=4, value=quantity)
            sheet.cell(row=r, column=5, value=line["unit_cost"])
            sheet.cell(row=r, column=6, value=line["share"])
            if line["cost"] is not None:
                sheet.cell(row=r, column=7, value=f"=D{r}*E{r}*F{r}/100")
        _text(sheet.cell(row=r, column=8), line["source"])
        _text(sheet.cell(row=r, column=9), _federal(budget, line["source"]))
        _text(sheet.cell(row=r, column=10), line["justification"])
        sheet.cell(row=r, column=10).alignment = Alignment(wrap_text=True, vertical="top")
        for col in (4, 5, 7):
            sheet.cell(row=r, column=col).number_format = _MONEY if col != 4 or line["computed"] else "#,##0.##"
    for col, width in zip("ABCDEFGHIJ", (6, 16, 34, 14, 14, 10, 16, 24, 20, 60)):
        sheet.column_dimensions[col].width = width
    return last


def _totals(sheet, budget: dict, last: int) -> None:
    from openpyxl.styles import Font

    end = max(last, 2)
    cost, year, category = f"Budget!$G$2:$G${end}", f"Budget!$A$2:$A${end}", f"Budget!$B$2:$B${end}"
    source, federal = f"Budget!$H$2:$H${max(last, 2)}", f"Budget!$I$2:$I${max(last, 2)}"
    _header(sheet, ("Total", "Amount"))
    rows = [(f"Year {y}", f"=SUMIFS({cost},{year},{y})") for y in budget.get("years", [])]
    labels = {x["category"]: x["category_label"] for x in budget.get("lines", [])}
    rows += [(labels[c], f'=SUMIFS({cost},{category},"{labels[c]}")') for c in budget.get("by_category", {})]
    for name in budget.get("by_source", {}):
        if name:
            rows.append((f"Source: {name}", f'=SUMIFS({cost},{source},"{_criterion(name)}")'))
    rows += [("Federal request", f'=SUMIFS({cost},{federal},"Federal")'),
             ("Non-federal share (match)", f'=SUMIFS({cost},{federal},"Non-federal")'),
             ("Not assigned to a federal or non-federal source", f'=SUMIFS({cost},{federal},"")'),
             ("Total", f"=SUM({cost})")]
    for r, (label, formula) in enumerate(rows, 2):
        _text(sheet.cell(row=r, column=1), label)
        cell = sheet.cell(row=r, column=2, value=formula)
        cell.number_format = _MONEY
        if label == "Total":
            sheet.cell(row=r, column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 18


def _criterion(text: str) -> str:
    """A source name as a SUMIFS criterion: quotes doubled, wildcards and a leading operator escaped,
    control characters replaced as in the cells (_text), so the criterion matches the cell it names."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(text)).replace('"', '""')
    text = text.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return "=" + text if text[:1] in "<>=" else text


def _timeline(sheet, chain: dict) -> None:
    from openpyxl.styles import PatternFill

    from deflect_cli.export.chapters import SHADE_ACTIVE, SHADE_MILESTONE, timeline_grid

    grid = timeline_grid(chain, draft=False)
    periods = grid["periods"]
    fixed = ("Objective", "Activity", "Lead", "Start", "End", "Milestone", "Status")
    _header(sheet, (*fixed, *periods))
    rows = grid["dated"] + [{**a, "from": -1, "to": -2} for a in grid["undated"]]
    for r, a in enumerate(rows, 2):
        for col, value in enumerate((a["objective"], a["activity"], a["lead"], a["start"], a["end"],
                                     "Yes" if a["milestone"] else "", a["status"]), 1):
            _text(sheet.cell(row=r, column=col), value)
        for i in range(len(periods)):
            if a["from"] <= i <= a["to"]:
                milestone = a["milestone"] and i == a["to"]
                cell = sheet.cell(row=r, column=len(fixed) + 1 + i)
                _text(cell, "◆" if milestone else "■")
                cell.fill = PatternFill("solid", fgColor=SHADE_MILESTONE if milestone else SHADE_ACTIVE)
    if periods:
        from openpyxl.utils import get_column_letter

        total = len(rows) + 2
        _text(sheet.cell(row=total, column=2), "Activities running")
        for i in range(len(periods)):
            col = get_column_letter(len(fixed) + 1 + i)
            sheet.cell(row=total, column=len(fixed) + 1 + i,
                       value=f'=COUNTIF({col}2:{col}{total - 1},"■")+COUNTIF({col}2:{col}{total - 1},"◆")')
    sheet.column_dimensions["B"].width = 40


def render_csv(doc: d.Document, templates: Optional[str] = None) -> str:
    """The budget lines and totals as CSV (values, not formulas). A cell that a spreadsheet would
    read as a formula (= + - @ first) gets a leading apostrophe, so it stays text."""
    import csv

    budget = (doc.chain or {}).get("budget") or {}
    if not budget.get("lines"):
        raise DeflectError("the plan has no budget lines yet; the CSV export is the budget.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("Year", "Category", "Item", "Quantity", "Unit cost", "Share (%)", "Cost", "Source",
                     "Federal or non-federal", "Justification"))
    for line in budget["lines"]:
        writer.writerow([_csv(v) for v in (line["year"], line["category_label"], line["item"], line["quantity"],
                                           line["unit_cost"], line["share"], line["cost"], line["source"],
                                           _federal(budget, line["source"]), line["justification"])])
    writer.writerow([])
    writer.writerow(("Total", "Amount"))
    for y, amount in budget["by_year"].items():
        writer.writerow((f"Year {y}", _csv(amount)))
    for name, amount in budget["by_source"].items():
        writer.writerow((_csv(f"Source: {name}" if name else "Not assigned to a source"), _csv(amount)))
    for label, key in (("Federal request", "federal"), ("Non-federal share (match)", "non_federal"),
                       ("Not assigned to a federal or non-federal source", "unassigned"), ("Total", "total")):
        writer.writerow((label, _csv(budget[key])))
    return out.getvalue()


def _csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if value != int(value) or abs(value) >= 1 else f"{value:g}"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
