"""The parts an outline puts under its headings, as blocks: answers, and the chapters built on the
results chain (logic model, timeline, referral pathway, budget, roles, measures, agreements).

Each part returns a list of blocks, empty when the plan has nothing for it (an optional chapter is
then left out). The facts come from model.py (answers) and facts.py (the results chain, register,
pathway and budget); this module knows no content id. Pictures are Figures: a drawing spec for the
formats that draw (HTML), always with the same facts as a table.
"""

from __future__ import annotations

import datetime as _dt

from deflect_cli.content import qtypes
from deflect_cli.export import blocks as d
from deflect_cli.export.text import slug
from deflect_cli.grammar import plural
from deflect_cli.mdtext import cell_text, one_line

SHADE_ACTIVE, SHADE_MILESTONE, SHADE_LAUNCH, SHADE_TODAY = "A9C4E4", "F2B134", "9ED29E", "F0B4B4"
MAX_PERIODS = 13  # period columns per timeline table: a page's width in Word at 9 pt and more


def part(name: str, context: dict) -> list:
    doc, chain = context["doc"], context["chain"]
    if name.startswith("section:"):
        return _section(doc, name.split(":", 1)[1], context.get("covered", set()))
    if name.startswith("question:"):
        return _question(doc, name.split(":", 1)[1])
    builders = {
        "summary": lambda: summary_body(doc),
        "checks": lambda: checks_body(doc),
        "still_to_decide": lambda: still_to_decide_body(doc),
        "guide_sources": lambda: (sources_body(doc["sources"], "The guide's text in this document draws on these "
                                                 "sources.") if context["include_guide"] else []),
        "about": lambda: about(doc, context["include_guide"]),
        "rest": lambda: rest(doc, context["placed"], context.get("covered", set())),
        "goals": lambda: goals(chain),
        "logic_model": lambda: logic_model(chain),
        "timeline": lambda: timeline(chain, draft=not context["final"]),
        "pathway": lambda: pathway(chain, context["mermaid"]),
        "budget": lambda: budget(chain),
        "budget_narrative": lambda: budget_narrative(chain),
        "roles": lambda: roles(chain),
        "staffing": lambda: staffing(chain),
        "measures": lambda: measures(chain),
        "agreements": lambda: agreements(chain),
        "references": lambda: references(chain),
    }
    return builders[name]()


def _text(text) -> str:
    return one_line(str(text or ""))


def _table(header, rows) -> d.Table:
    """Rows of (text or Cell): plain text becomes a text cell."""
    return d.Table(list(header), [[c if isinstance(c, d.Cell) else d.Cell(cell_text(c or "")) for c in row]
                                   for row in rows])


def money(value) -> d.Cell:
    if value is None:
        return d.Cell("")
    return d.Cell(f"${value:,.2f}", "money", value)


def number(value) -> d.Cell:
    if value is None:
        return d.Cell("")
    return d.Cell(f"{value:,g}", "number", value)


# ---------------------------------------------------------------- answers placed by an outline


def section_chapter(chapter: dict) -> list:
    """A section's chapter: its numbered heading, the guide's text (--include-guide), each answer
    under its own heading, and a pointer to what is still to decide in it."""
    blocks: list = [d.Heading(2, chapter["title"], number=f"{chapter['number']}.", anchor=chapter["anchor"])]
    if chapter["guide_markdown"]:
        blocks.append(d.Guide(chapter["guide_markdown"]))
    for item in chapter["answers"]:
        blocks.append(d.Heading(3, item["label"]))
        shape = qtypes.get(item["type"]).input
        if shape == "table":
            blocks.append(d.typed_table(item["columns"], item["rows"], item.get("column_types")))
        elif shape == "multi_choice":
            blocks.append(d.List([d.ListItem([d.Text(one_line(entry))]) for entry in item["entries"]]))
        else:
            blocks += d.text_blocks(item["text"])
    if not chapter["answers"]:
        blocks.append(d.Paragraph([d.Text("Nothing decided yet for this part of the plan; see \"Still to decide\".",
                                          italic=True)]))
    elif chapter["open"]:
        count = len(chapter["open"])
        blocks.append(d.Paragraph([d.Text(f"Still to decide in this part: {plural(count, 'question')} "
                                          "(listed under \"Still to decide\").", italic=True)]))
    return blocks


def answers_body(chapter: dict) -> list:
    """A section's answers (h3 items) without its heading, for an outline that places it elsewhere."""
    return section_chapter(chapter)[1:] if chapter["answers"] else []


def _chapters(doc: dict) -> list:
    return [doc["profile"], *doc["chapters"]]


def _section(doc: dict, section_id: str, covered: set = frozenset()) -> list:
    """A section's answers, less those a chapter of the same outline already shows (goals, measures...)."""
    chapter = next((c for c in _chapters(doc) if c["id"] == section_id), None)
    if chapter is None:
        return []
    items = [i for i in chapter["answers"] if i["key"] not in covered]
    return answers_body({**chapter, "answers": items}) if items else []


def _question(doc: dict, key: str) -> list:
    section_id, _, question_id = key.partition(".")
    for chapter in _chapters(doc):
        if chapter["id"] == section_id:
            items = [i for i in chapter["answers"] if i["id"] == question_id]
            return answers_body({**chapter, "answers": items, "open": []}) if items else []
    return []


def rest(doc: dict, placed: set, covered: set = frozenset()) -> list:
    """Every section no other part placed, so an outline never drops an answer."""
    out: list = []
    for chapter in doc["chapters"]:
        items = [{**item, "label": f"{chapter['title']}: {item['label']}"} for item in chapter["answers"]
                 if item["key"] not in covered]
        if chapter["id"] in placed or not items:
            continue
        out += answers_body({**chapter, "answers": items, "open": []})
    return out


def about(doc: dict, include_guide: bool = False) -> list:
    """How the document was made. The guide's sources are named here as the guide's, never as
    references the plan's authors cite (those are the References chapter)."""
    text = ("This document was assembled with deflect from the answers in the plan. The workbook's "
            "questions and guidance draw on published sources; they are the guide's sources, not "
            "references this plan's authors cite.")
    if include_guide:
        return d.text_blocks(text + " They are listed under \"Sources\", after the guide's text they support.")
    out = d.text_blocks(text + " The guide's sources:" if doc["sources"] else text)
    if doc["sources"]:
        out += sources_body(doc["sources"], "")[-1:]
    return out


# ---------------------------------------------------------------- summary, checks, what is open, sources


def summary_body(doc: dict) -> list:
    return _summary(doc)[1:]


def _summary(doc: dict) -> list:
    summary, progress = doc["summary"], doc["progress"]
    blocks: list = [d.Heading(2, "Executive summary", anchor=slug("Executive summary"))]
    blocks += d.text_blocks(summary["one_sentence"])
    if summary["vision"]:
        blocks += [d.Heading(3, "Goals")] + d.text_blocks(summary["vision"])
    if summary["facts"]:
        blocks += [d.Heading(3, "The plan at a glance"), d.facts_table(summary["facts"])]
    milestones = summary["milestones"]
    if milestones["rows"]:
        blocks += [d.Heading(3, "First milestones"),
                   d.typed_table(milestones["columns"], milestones["rows"], milestones.get("column_types"))]
        if milestones.get("more"):
            more = milestones["more"]
            blocks.append(d.Paragraph([d.Text(f"{plural(more, 'more milestone')} in chapter "
                                              f"{len(doc['chapters'])}.")]))
    lines = [f"This plan answers {progress['answered']} of the {progress['applicable']} "
             "workbook questions that apply to it."]
    if progress["open"]:
        aside = f" ({progress['skipped']} skipped for now)" if progress["skipped"] else ""
        lines.append(f"{progress['open']} {'are' if progress['open'] != 1 else 'is'} still to decide{aside}; "
                     "they are listed under \"Still to decide\".")
    else:
        lines.append("Every question that applies has an answer.")
    if progress["checks"]:
        count = progress["checks"]
        lines.append(f"{plural(count, 'point')} need{'s' if count == 1 else ''} a second look; "
                     "see \"Things to double-check\".")
    runs: list = []
    for line in lines:
        runs += ([d.Break(soft=True)] if runs else []) + [d.Text(line)]
    blocks += [d.Heading(3, "Where the plan stands"), d.Paragraph(runs)]
    return blocks


def checks_body(doc: dict) -> list:
    if not doc["checks"]:
        return []
    items = []
    for check in doc["check_items"]:
        runs = [d.Text(f"{one_line(check['section'])}:", bold=True), d.Text(" ")] if check["section"] else []
        items.append(d.ListItem(runs + [d.Text(one_line(check["message"]))]))
    return [d.Paragraph([d.Text("These points come from the workbook's plan checks: answers that look "
                                "inconsistent or leave a known gap.")]), d.List(items)]


def still_to_decide_body(doc: dict) -> list:
    blocks: list = []
    for chapter in doc["still_to_decide"]:
        blocks.append(d.Heading(3, chapter["title"]))
        items = []
        for item in chapter["open"]:
            text = one_line(item["prompt"]) + (" (required)" if item["required"] else "")
            text += " (skipped for now)" if item["status"] == "skipped" else ""
            items.append(d.ListItem([d.Text(text)]))
        blocks.append(d.List(items))
    if not doc["still_to_decide"]:
        blocks.append(d.Paragraph([d.Text("Every question that applies to this plan has an answer.")]))
    return blocks


def sources_chapter(sources, intro: str = "") -> list:
    """The guide's sources under a "Sources" heading, each linked when it has a web address."""
    out: list = [d.Heading(2, "Sources", anchor=slug("Sources"))]
    if intro:
        out.append(d.Paragraph([d.Text(intro)]))
    items = []
    for source in sources:
        runs: list = [d.Text(one_line(source["title"]))]
        if source.get("url"):
            runs += [d.Text(": ")] + d.link_or_text(source["url"])
        items.append(d.ListItem(runs))
    out.append(d.List(items))
    return out


def sources_body(sources: list, intro: str) -> list:
    return sources_chapter(sources, intro)[1:] if sources else []


# ---------------------------------------------------------------- results chain


def goals(chain: dict) -> list:
    out: list = []
    if chain.get("goals"):
        out += [d.Heading(3, "Goals"), _table(["Code", "Goal"], [(g["code"], g["goal"]) for g in chain["goals"]])]
    if chain.get("objectives"):
        out += [d.Heading(3, "Objectives"),
                _table(["Code", "Goal", "Objective", "By"],
                       [(o["code"], o["goal"], o["objective"], d.Cell(o["by"], "date") if o["by"] else "")
                        for o in chain["objectives"]])]
    return out


def _target(m: dict) -> str:
    unit = f" {m['unit']}" if m["unit"] else ""
    parts = []
    if m["baseline"] is not None:
        parts.append(f"baseline {m['baseline']:,g}{unit}")
    if m["target"] is not None:
        parts.append(f"target {m['target']:,g}{unit}")
    if m["frequency"]:
        parts.append(m["frequency"].lower())
    return ", ".join(parts)


def logic_model(chain: dict) -> list:
    """Resources -> activities -> outputs -> short-term -> long-term outcomes, with measures and targets."""
    measures_ = chain.get("measures", [])
    partners_ = [p["name"] for p in chain.get("partners", []) if p["partner"] is not False and p["name"]]
    staff = [s["role"] for s in chain.get("staffing", []) if s["role"]]
    funds = [s["source"] for s in chain.get("budget", {}).get("sources", [])]
    stages = [
        ("Resources", [(f"Partner: {n}", "") for n in partners_] + [(f"Staff: {r}", "") for r in staff]
         + [(f"Funding: {f}", "") for f in funds]),
        ("Activities", [(a["activity"], a["objective"]) for a in chain.get("activities", []) if a["activity"]]),
        ("Outputs", [(m["measure"], _target(m)) for m in measures_ if m["kind"] == "output"]),
        ("Short-term outcomes", [(m["measure"], _target(m)) for m in measures_ if m["kind"] == "short_term"]),
        ("Long-term outcomes", [(m["measure"], _target(m)) for m in measures_ if m["kind"] == "long_term"]),
    ]
    if not any(items for _, items in stages[1:]):
        return []
    rows = []
    for stage, items in stages:
        for n, (item, detail) in enumerate(items or [("(none given yet)", "")]):
            rows.append((stage if n == 0 else "", item, detail))
    table = _table(["Stage", "What", "Objective, measure or target"], rows)
    counts = ", ".join(f"{len(items)} {stage.lower()}" for stage, items in stages)
    drawing = d.Drawing("logic_model", {"columns": [(stage, [i for i, _ in items]) for stage, items in stages]},
                        title="Logic model", description=f"From resources to long-term outcomes: {counts}. "
                                                          "The table below lists every item.")
    return [d.Figure("Logic model: resources, activities, outputs and outcomes", table, drawing)]


def _months(first: str, last: str) -> list:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while (y, m) <= (int(last[:4]), int(last[5:7])):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline_grid(chain: dict, draft: bool) -> dict:
    """The periods (months, or quarters when more than 13 months) and each dated activity's span on them."""
    activities = chain.get("activities", [])
    dated = [a for a in activities if a["start"]]
    launch = chain.get("launch", {}).get("start_date", "")
    if not dated:
        return {"periods": [], "dated": [], "undated": [a for a in activities if a["activity"]], "launch": launch}
    first = min([a["start"] for a in dated] + ([launch] if launch else []))
    last = max([a["end"] for a in dated] + ([launch] if launch else []))
    months = _months(first, last)
    quarters = len(months) > MAX_PERIODS
    periods, seen = [], set()
    for y, m in months:
        key = (y, (m - 1) // 3 + 1) if quarters else (y, m)
        if key not in seen:
            seen.add(key)
            periods.append(key)

    def index(date: str) -> int:
        y, m = int(date[:4]), int(date[5:7])
        key = (y, (m - 1) // 3 + 1) if quarters else (y, m)
        return periods.index(key) if key in seen else -1

    labels = [f"Q{p} {y}" if quarters else _dt.date(y, p, 1).strftime("%b %Y") for y, p in periods]
    today = chain.get("today", "") if draft else ""
    return {"periods": labels, "quarters": quarters, "first": first, "launch": launch,
            "launch_at": index(launch) if launch else -1,
            "today": today, "today_at": index(today) if today else -1,
            "dated": [{**a, "from": index(a["start"]), "to": index(a["end"])} for a in dated],
            "undated": [a for a in activities if not a["start"] and a["activity"]]}


def timeline(chain: dict, draft: bool = True) -> list:
    grid = timeline_grid(chain, draft)
    if not grid["periods"] and not grid["undated"]:
        return []
    out: list = []
    periods = grid["periods"]
    if periods:
        unit = "quarter" if grid["quarters"] else "month"
        key = (f"One column per {unit}. ■ the activity runs in that {unit}; ◆ a milestone; ▲ the launch"
               + ("; ● today" if grid["today"] else "") + ".")
        out.append(d.Paragraph([d.Text(key, italic=True)]))
        chunks = [range(s, min(s + MAX_PERIODS, len(periods))) for s in range(0, len(periods), MAX_PERIODS)]
        for n, chunk in enumerate(chunks, 1):
            if len(chunks) > 1:
                out.append(d.Paragraph([d.Text(f"{periods[chunk[0]]} to {periods[chunk[-1]]} ({n} of {len(chunks)})",
                                               bold=True)]))
            out.append(_timeline_table(grid, chunk))
    if grid["undated"]:
        out += [d.Paragraph([d.Text("Not yet dated:", bold=True)]),
                d.List([d.ListItem([d.Text(_activity_label(a))]) for a in grid["undated"]])]
    return out


def _activity_label(a: dict) -> str:
    return _text(_label(a))


def _label(a: dict) -> str:
    label = a["activity"]
    if a["lead"]:
        label += f" ({a['lead']})"
    if a["status"]:
        label += f"; {a['status'].lower()}"
    return label


def _timeline_table(grid: dict, chunk: range) -> d.Table:
    header = ["Activity"] + [grid["periods"][i] for i in chunk]
    rows = []

    def marker(label: str, at: int, mark: str, shade: str):
        return [d.Cell(label)] + [d.Cell(mark, shade=shade) if i == at else d.Cell("") for i in chunk]

    if grid["launch_at"] >= 0:
        rows.append(marker(f"Launch ({grid['launch']})", grid["launch_at"], "▲", SHADE_LAUNCH))
    if grid["today"]:
        where = "" if grid["today_at"] >= 0 else (
            ", before the first period" if grid["today"] < grid["first"] else ", after the last period")
        rows.append(marker(f"Today ({grid['today']}{where})", grid["today_at"], "●", SHADE_TODAY))
    groups: dict = {}
    for a in grid["dated"]:
        groups.setdefault(a["objective"], []).append(a)
    for objective, items in groups.items():
        rows.append([d.Cell(f"Objective {objective}" if objective else "No objective given")]
                    + [d.Cell("") for _ in chunk])
        for a in sorted(items, key=lambda x: x["start"]):
            cells = [d.Cell(_activity_label(a))]
            for i in chunk:
                if a["from"] <= i <= a["to"]:
                    mark = "◆" if a["milestone"] and i == a["to"] else "■"
                    cells.append(d.Cell(mark, shade=SHADE_MILESTONE if mark == "◆" else SHADE_ACTIVE))
                else:
                    cells.append(d.Cell(""))
            rows.append(cells)
    return d.Table(header, rows, widths=[max(4, len(chunk) // 2)] + [1] * len(chunk))


def pathway(chain: dict, mermaid: bool = False) -> list:
    steps = chain.get("pathway", [])
    if not steps:
        return []
    table = _table(["Step", "What happens", "Who", "How fast"],
                   [(str(n), s["step"], s["who"], s["within"]) for n, s in enumerate(steps, 1)])
    table.widths = [1, 6, 3, 2]
    drawing = d.Drawing("flow", {"steps": [(s["step"], s["who"], s["within"]) for s in steps]},
                        title="Referral pathway",
                        description=f"{len(steps)} steps from first contact to treatment, in order; "
                                    "the table below lists each with who does it and how fast.")
    def who_and_how_fast(s) -> str:
        return "; ".join(x for x in (s["who"], f"how fast: {s['within']}" if s["within"] else "") if x)

    numbered = d.Steps([(_text(s["step"]), _text(who_and_how_fast(s))) for s in steps])
    return [d.Figure("Referral pathway: from first contact to treatment", table, drawing, steps=numbered,
                     mermaid=mermaid)]


# ---------------------------------------------------------------- budget


def computation(line: dict) -> str:
    if line["computed"]:
        return f"{line['share']:g}% × ${line['quantity']:,.2f}"
    if line["cost"] is None:
        return "quantity or unit cost not given"
    share = f" × {line['share']:g}%" if line["share"] != 100 else ""
    return f"{line['quantity']:,g} × ${line['unit_cost']:,.2f}{share}"


def budget(chain: dict) -> list:
    b = chain.get("budget") or {}
    if not b.get("lines"):
        return []
    out: list = [d.Heading(3, "Budget lines")]
    rows = []
    for line in b["lines"]:
        rows.append([number(line["year"]) if line["year"] else d.Cell("not given"), d.Cell(line["category_label"]),
                     d.Cell(_text(line["item"])), d.Cell(computation(line)),
                     money(line["cost"]) if line["cost"] is not None else d.Cell("not costed"),
                     d.Cell(_text(line["source"]) or ("from the rate" if line["computed"] else "not assigned"))])
    out.append(d.Table(["Year", "Category", "Item", "Computation", "Cost", "Source"], rows))
    years = b["years"]
    out.append(d.Heading(3, "Totals by category and year"))
    cat_rows = []
    for category, total in b["by_category"].items():
        label = next(x["category_label"] for x in b["lines"] if x["category"] == category)
        per_year = [sum(x["cost"] for x in b["lines"] if x["category"] == category and x["year"] == y
                        and x["cost"] is not None) for y in years]
        cat_rows.append([d.Cell(label)] + [money(round(v, 2)) for v in per_year] + [money(total)])
    cat_rows.append([d.Cell("Total")] + [money(b["by_year"][y]) for y in years] + [money(b["total"])])
    out.append(d.Table(["Category"] + [f"Year {y}" for y in years] + ["Total"], cat_rows))
    out.append(d.Heading(3, "Totals by source"))
    federal = {s["source"]: s["federal"] for s in b["sources"]}
    src_rows = []
    for name, total in b["by_source"].items():
        kind = {True: "Federal", False: "Non-federal"}.get(federal.get(name), "not recorded")
        src_rows.append([d.Cell(_text(name) or "Not assigned to a source"), d.Cell(kind if name else ""), money(total)])
    out.append(d.Table(["Source", "Federal or non-federal", "Total"], src_rows))
    out.append(d.Heading(3, "Federal and non-federal share"))
    share_rows = [[d.Cell("Federal request"), money(b["federal"])],
                  [d.Cell("Non-federal share (match)"), money(b["non_federal"])]]
    if b["unassigned"]:
        share_rows.append([d.Cell("Not assigned to a federal or non-federal source"), money(b["unassigned"])])
    share_rows.append([d.Cell("Total"), money(b["total"])])
    out.append(d.Table(["Share", "Amount"], share_rows))
    if b["uncosted"]:
        out.append(d.Paragraph([d.Text("Not costed yet (no quantity or unit cost): "
                                       + "; ".join(_text(x["item"]) for x in b["uncosted"]) + ".", italic=True)]))
    return out


def budget_narrative(chain: dict) -> list:
    b = chain.get("budget") or {}
    lines = [x for x in b.get("lines", []) if not x["computed"]]
    if not lines:
        return []
    out: list = [d.Heading(3, "Budget narrative")]
    for category in dict.fromkeys(x["category"] for x in lines):
        items = [x for x in lines if x["category"] == category]
        out.append(d.Paragraph([d.Text(items[0]["category_label"], bold=True)]))
        entries = []
        for x in items:
            cost = f"${x['cost']:,.2f}" if x["cost"] is not None else "not costed yet"
            head = f"{_text(x['item'])} (year {x['year'] or '?'}, {computation(x)}, {cost})"
            entries.append(d.ListItem([d.Text(head + ":", bold=True),
                                       d.Text(" " + (_text(x["justification"]) or "no justification given yet."))]))
        out.append(d.List(entries))
    rates = [f"fringe benefits at {b['fringe_rate']:g}% of personnel" if b.get("fringe_rate") else "",
             f"indirect costs at {b['indirect_rate']:g}%" if b.get("indirect_rate") else ""]
    if any(rates):
        out.append(d.Paragraph([d.Text("Computed from the rates: " + " and ".join(r for r in rates if r) + ".")]))
    return out


# ---------------------------------------------------------------- people


def roles(chain: dict) -> list:
    activities = [a for a in chain.get("activities", []) if a["activity"]]
    names = [p["name"] for p in chain.get("partners", []) if p["name"]]
    for a in activities:
        for name in [a["lead"], *a["supports"]]:
            if name and name not in names:
                names.append(name)
    used = [n for n in names if any(n == a["lead"] or n in a["supports"] for a in activities)]
    out: list = []
    if activities and used:
        rows = []
        for a in activities:
            rows.append([d.Cell(_text(a["activity"]))] + [
                d.Cell("Lead" if a["lead"] == n else "Supports" if n in a["supports"] else "") for n in used])
        out += [d.Heading(3, "Who leads and supports each activity"),
                d.Table(["Activity"] + [_text(n) for n in used], rows)]
    out += staffing(chain)
    return out


def staffing(chain: dict) -> list:
    rows = chain.get("staffing", [])
    if not rows:
        return []
    return [d.Heading(3, "Staffing"),
            _table(["Role", "Name", "Employer", "Hours", "Funded"],
                   [(s["role"], s["name"], s["agency"], s["hours"], s["funded"]) for s in rows])]


def measures(chain: dict) -> list:
    rows = chain.get("measures", [])
    if not rows:
        return []
    table = d.Table(["Objective", "Measure", "Kind", "Unit", "Baseline", "Baseline date and source", "Target",
                     "Frequency", "Data owner"],
                    [[d.Cell(_text(m["objective"])), d.Cell(_text(m["measure"])), d.Cell(_text(m["kind_label"])),
                      d.Cell(_text(m["unit"])), number(m["baseline"]),
                      d.Cell(_text(", ".join(x for x in (m["baseline_date"], m["baseline_source"]) if x))),
                      number(m["target"]), d.Cell(_text(m["frequency"])), d.Cell(_text(m["data_owner"]))]
                     for m in rows])
    return [table]


def agreements(chain: dict) -> list:
    """MOUs and letters of support with status; a status not given is "not recorded", never "none"."""
    rows = [p for p in chain.get("partners", []) if p["name"] and p["partner"] is not False]
    if not rows:
        return []
    counts = {}
    for p in rows:
        counts[p["mou"]] = counts.get(p["mou"], 0) + 1
    summary = "MOUs: " + "; ".join(f"{n} {status.lower()}" for status, n in counts.items()) + "."
    return [d.Paragraph([d.Text(summary)]),
            _table(["Partner", "Type", "MOU", "Letter of support"],
                   [(p["name"], p["type"], p["mou"], p["letter"]) for p in rows])]


def references(chain: dict) -> list:
    items = []
    for r in chain.get("references", []):
        if not r["title"]:
            continue
        author = r["author"] + (f" ({r['year']})" if r["year"] else "")
        lead = ". ".join(x for x in (author, r["title"], r["publisher"]) if x)
        runs: list = [d.Text(_text(lead) + ".")]
        if r["link"]:
            runs += [d.Text(" ")] + d.link_or_text(r["link"])
        items.append(d.ListItem(runs))
    return [d.List(items)] if items else []
