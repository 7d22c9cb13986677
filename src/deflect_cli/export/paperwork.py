"""Paperwork drafted from a plan: partner MOUs, data-sharing terms, a referral protocol, a pocket card
and a community one-pager, as documents of typed blocks that every export format renders.

Programs stall on these documents, and the plan already holds most of what they say. A draft only
ever carries the plan's answers: where an answer is missing it shows a bracketed, highlighted
placeholder naming the question to answer (`[Response time for referrals: answer
treatment.warm_handoff]`), never invented text, and `deflect paperwork` lists what is left.

`FIELDS` is the ONE place that knows which question feeds which part of which document. Each
field lists question keys in order of preference (workbook 2's ids), so renaming a question is one
edit here; a field whose question workbook 2 cut (issue 10) lists none and gets a placeholder.
Fixed wording (the draft notice, the summary of
the 2024 42 CFR Part 2 rule, the consent-form elements) is general information, not plan content,
and every draft says it must be reviewed by the agencies' counsel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from deflect_cli.content import qtypes
from deflect_cli.content.answers import display, is_empty
from deflect_cli.controlchars import visible
from deflect_cli.errors import DeflectError
from deflect_cli.export import blocks as d
from deflect_cli.grammar import plural
from deflect_cli.mdtext import one_line
from deflect_cli.plan import flow

# ---------------------------------------------------------------- which question feeds what

# name -> (what the placeholder calls it, question keys in order of preference). A field whose
# keys are all absent from the workbook gets a placeholder saying who decides it instead.
FIELDS: dict = {
    "program": ("Program name", ["profile.program_name"]),
    "agency": ("Lead agency", ["profile.agency"]),
    "jurisdiction": ("Jurisdiction", ["profile.jurisdiction"]),
    "lead_name": ("Lead contact", ["profile.lead_name"]),
    "lead_title": ("Lead contact's title", ["profile.lead_title"]),
    "lead_email": ("Lead contact's email", ["profile.lead_email"]),
    "purpose": ("The program in one sentence", ["communications.one_sentence"]),
    "vision": ("Goals", ["introduction.goals"]),  # workbook 2: the vision and shared goals are goal rows
    "shared_goals": ("Shared goals of the partners", ["introduction.goals"]),
    "roster": ("Partner register", ["partnerships.roster"]),
    "pathway": ("Referral steps", ["policies.pathway"]),
    "response_time": ("Response time for referrals", ["treatment.warm_handoff"]),
    "placement_lead": ("Who finds a treatment place", []),  # workbook 2 asks it within the pathway
    "transport": ("Transport to treatment", ["treatment.transport"]),
    "after_hours": ("Nights and weekends", []),
    "hours": ("Hours of operation", ["program_types.hours"]),
    "sites": ("Walk-in locations", ["program_types.walk_in_sites"]),
    "target_population": ("Who the program is for", ["program_types.target_population"]),
    "lead_operator": ("Day-to-day lead", ["program_types.lead_operator"]),
    "eligibility": ("Who is eligible", ["policies.eligibility"]),
    "eligible_offenses": ("Eligible offenses", ["policies.eligible_offenses"]),
    "exclusions": ("Exclusions", ["policies.exclusions"]),
    "warrant_handling": ("Handling of warrants", ["policies.warrant_handling"]),
    "warrant_checks": ("Warrant checks", ["policies.warrant_checks"]),
    "completion": ("Completion and closure rules", ["policies.completion"]),
    "voluntariness": ("When a person declines", ["policies.voluntariness"]),
    "naloxone": ("Naloxone policy", []),
    "drug_surrender": ("Surrendered drugs and paraphernalia", ["policies.drug_surrender"]),
    "consent_form": ("Consent and release form", []),
    "confidentiality_review": ("Counsel review of confidentiality", ["policies.confidentiality_review"]),
    "records_separate": ("Separation of program and criminal records", []),
    "state_law": ("State and local law considerations", ["policies.state_law"]),
    "shares_identifiable": ("Sharing identifiable client information", ["data.shares_identifiable"]),
    "sharing": ("Identifiable data flows", ["data.sharing_details"]),
    "data_elements": ("What is recorded about each referral", ["data.data_elements"]),
    "data_system": ("Where records are kept", ["data.data_system"]),
    "designees": ("Who enters the data", ["data.designees"]),
    "retention": ("How long records are kept", []),
    "breach": ("Breach handling", []),
    "scene_safety": ("Scene safety rules", []),
    "phone": ("Phone number for referrals", []),
    "termination": ("Notice to end the agreement", []),
    "supervision": ("Supervisor review", ["staffing.supervision"]),
    "staff_roles": ("Staffing roster", ["staffing.roles"]),
    "training_topics": ("Training topics covered", []),
    "officer_duties": ("What officers do", []),
    "meeting_cadence": ("Partner meeting cadence", ["partnerships.meeting_cadence"]),
    "meeting_arrangements": ("Meeting arrangements", []),
    "escalation": ("Escalation and problem-solving", ["partnerships.escalation"]),
    "review_date": ("Next partnership review", []),
    "start_date": ("Launch date", ["launch.start_date"]),
}

# Table columns read by the drafts: field -> our name -> column id (the contract's ids; today's agree).
COLUMNS: dict = {
    "roster": {"name": "name", "type": "type", "contact": "contact", "role": "role", "mou": "mou",
               "partner": "partner"},
    "pathway": {"step": "step", "who": "who", "within": "within"},
    "sharing": {"partner": "partner", "information": "information", "purpose": "purpose",
                "agreement": "agreement"},
    "staff_roles": {"role": "role", "name": "name", "agency": "agency", "hours": "hours"},
    "sites": {"site": "site", "address": "address", "hours": "hours"},
    "designees": {"agency": "agency", "designee": "designee", "duties": "duties"},
    "vision": {"code": "code", "goal": "goal"},
    "shared_goals": {"code": "code", "goal": "goal"},
}

# Partner types (register `type` values) and the confidentiality rules counsel should check for each.
RULES_BY_TYPE: dict = {
    "treatment": "42 CFR Part 2 if it is a federally assisted substance use disorder program; HIPAA if it "
                 "bills health plans electronically.",
    "hospital": "HIPAA (a covered entity); 42 CFR Part 2 for any unit that holds itself out as providing "
                "substance use disorder treatment.",
    "health_department": "HIPAA for any clinic that bills electronically; 42 CFR Part 2 if it runs a "
                         "federally assisted substance use disorder program; state public-health law.",
    "fire_ems": "HIPAA if it gives care and bills electronically (many EMS agencies do).",
    "recovery_support": "42 CFR Part 2 only if it provides substance use disorder treatment with federal "
                        "assistance; otherwise state law and the consent the person signs.",
    "harm_reduction": "State law and the consent the person signs; HIPAA or 42 CFR Part 2 only if it is "
                      "also a treatment provider.",
    "law_enforcement": "Usually neither HIPAA nor 42 CFR Part 2; state law on police records. Records it "
                       "receives from a Part 2 program under consent stay protected by Part 2.",
    "prosecutor": "Usually neither; Part 2 records may not be used against the person without consent "
                  "or a court order.",
    "courts": "Usually neither; see 42 CFR 2.35 where treatment is a condition of a case.",
}

DOCUMENTS = {
    "mou": "Partner MOU",
    "data-sharing": "Data-sharing and consent outline",
    "referral-protocol": "Referral protocol",
    "pocket-card": "Pocket card",
    "one-pager": "Community one-pager",
}

MARK = "FFF3A3"  # the highlight of a placeholder in a table cell (HTML and Word)
DRAFT_NOTICE = ("DRAFT for discussion, prepared from the program plan with deflect. It must be reviewed "
                "and approved by each agency's counsel before anyone signs or relies on it.")
NOT_LEGAL_ADVICE = ("This outline is not legal advice. It lists what the plan says and the questions "
                    "counsel should settle; the rules that apply depend on each partner and on state law.")

# ---------------------------------------------------------------- reading the plan


@dataclass
class Draft:
    """One drafted document, and the placeholders it still shows."""
    name: str
    title: str
    document: d.Document
    placeholders: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


class Facts:
    """The plan's answers as the drafts need them; every miss becomes a recorded placeholder."""

    def __init__(self, content, plan):
        self.content = content
        self.evaluation = flow.evaluate(content, plan.answers)
        self.answers = plan.answers
        self.placeholders: list = []

    def question(self, name: str):
        for key in FIELDS[name][1]:
            question = self.content.question(key)
            if question is not None:
                return question
        return None

    def value(self, name: str):
        """The first answered, applicable question of the field's keys; None if none."""
        for key in FIELDS[name][1]:
            question = self.content.question(key)
            if question is None or not self.evaluation.applies(question):
                continue
            value = flow.answer_of(self.answers, question)
            if not is_empty(value):
                return question, value
        return None

    def text(self, name: str) -> str:
        found = self.value(name)
        return display(found[0], found[1]) if found else ""

    def placeholder(self, name: str, label: Optional[str] = None) -> str:
        label = label or FIELDS[name][0]
        question = self.question(name)
        if question is not None:
            text = f"[{label}: answer {question.key}]"
        else:
            text = f"[{label}: to be agreed by the partners]"
        if text not in self.placeholders:
            self.placeholders.append(text)
        return text

    def runs(self, name: str, label: Optional[str] = None) -> list:
        """The answer on one line, or the placeholder (highlighted)."""
        text = self.text(name)
        return [d.Text(one_line(text))] if text else [d.Text(self.placeholder(name, label), mark=True)]

    def blocks(self, name: str, label: Optional[str] = None) -> list:
        """The answer as paragraphs (line breaks kept), or the placeholder."""
        found = self.value(name)
        if found and qtypes.get(found[0].type).input in ("text", "long_text"):
            return d.text_blocks(found[1])
        return [d.Paragraph(self.runs(name, label))]

    def entries(self, name: str) -> list:
        """A multiple-choice answer as its labels, one per entry."""
        found = self.value(name)
        if not found:
            return []
        question, value = found
        if qtypes.get(question.type).input == "multi_choice":
            return [display(question, [v]) for v in value]
        return [display(question, value)]

    def list_or_placeholder(self, name: str) -> d.Block:
        entries = self.entries(name)
        if entries:
            return d.List([d.ListItem([d.Text(one_line(e))]) for e in entries])
        return d.Paragraph(self.runs(name))

    def rows(self, name: str) -> list:
        """A table answer as dicts keyed by our column names, each cell in words."""
        found = self.value(name)
        if not found or found[0].type != "table":
            return []
        question, value = found
        columns = {c.id: c for c in question.columns}
        out = []
        for row in value:
            cells = {}
            for ours, column_id in COLUMNS[name].items():
                column = columns.get(column_id)
                cells[ours] = display(column, row.get(column_id)) if column is not None else ""
                cells["_" + ours] = row.get(column_id) if column is not None else None
            out.append(cells)
        return out


def _same(a: str, b: str) -> bool:
    return one_line(a).casefold() == one_line(b).casefold()


def partners(facts: Facts) -> list:
    """The register's partners: rows marked partner (workbook 2), else every row but the lead agency."""
    rows = [r for r in facts.rows("roster") if r["name"]]
    question = facts.question("roster")
    if question is not None and any(c.id == COLUMNS["roster"]["partner"] for c in question.columns):
        return [r for r in rows if r["_partner"] is True]
    agency = facts.text("agency")
    return [r for r in rows if not (agency and _same(r["name"], agency))]


def find_partner(facts: Facts, wanted: Optional[str]) -> dict:
    found = partners(facts)
    names = visible(", ".join(f'"{r["name"]}"' for r in found))
    if not found:
        raise DeflectError("the plan's partner register has no partners yet; add them (partnerships.roster) "
                           "before drafting an MOU.")
    if wanted is None:
        if len(found) == 1:
            return found[0]
        raise DeflectError(f"which partner? Add --partner NAME, one of: {names}.")
    exact = [r for r in found if _same(r["name"], wanted)]
    close = exact or [r for r in found if one_line(wanted).casefold() in r["name"].casefold()]
    if len(close) == 1:
        return close[0]
    if not close:
        raise DeflectError(f"no partner called {wanted!r} on the register; choose one of: {names}.")
    raise DeflectError(f"{wanted!r} matches more than one partner: "
                       + visible(", ".join(f'"{r["name"]}"' for r in close)) + ".")


# ---------------------------------------------------------------- shared pieces


def _p(*parts) -> d.Paragraph:
    """A paragraph from strings (plain text) and runs."""
    return d.Paragraph([d.Text(p) if isinstance(p, str) else p for p in parts])


def _labelled(label: str, runs: list) -> d.Paragraph:
    return d.Paragraph([d.Text(f"{label}:", bold=True), d.Text(" "), *runs])


def _head(facts: Facts, title: str) -> list:
    program = facts.text("program")
    subtitle = one_line(program) if program else facts.placeholder("program")
    return [d.Heading(1, title),
            d.Paragraph([d.Text(subtitle, bold=True, mark=not program)]),
            d.Paragraph([d.Text(DRAFT_NOTICE, italic=True)])]


def _meta(facts: Facts, title: str, **extra) -> dict:
    meta = {"title": title, "kind": "paperwork", "date": "", "author": one_line(facts.text("agency")),
            "content_title": facts.content.title, "content_version": facts.content.version,
            "subject": "Draft for review by counsel", "chapter_breaks": False, "card": False}
    meta.update(extra)
    return meta


def _pathway(facts: Facts) -> list:
    """The referral steps: the pathway table as numbered steps, the older long answer as text."""
    rows = facts.rows("pathway")
    if rows:
        steps = []
        for row in rows:
            detail = "; ".join(x for x in (f"who: {one_line(row['who'])}" if row["who"] else "",
                                           f"within: {one_line(row['within'])}" if row["within"] else "") if x)
            steps.append((one_line(row["step"]), detail))
        return [d.Steps(steps)]
    return facts.blocks("pathway")


def _context(facts: Facts, name: str, title: str, extra: Optional[dict] = None) -> dict:
    """What an agency's own Markdown template gets as `doc` (docs/templates.md)."""
    fields = {}
    for key in FIELDS:
        found = facts.value(key)
        if found and found[0].type == "table":
            fields[key] = facts.rows(key)
        else:
            fields[key] = facts.text(key)
    return {"name": name, "title": title, "draft_notice": DRAFT_NOTICE, "fields": fields,
            "questions": {key: (facts.question(key).key if facts.question(key) else "") for key in FIELDS},
            "placeholders": facts.placeholders, **(extra or {})}


# ---------------------------------------------------------------- the documents


def mou(facts: Facts, partner: dict) -> d.Document:
    agency = facts.text("agency")
    lead = one_line(agency) if agency else facts.placeholder("agency")
    other = one_line(partner["name"])
    title = f"Memorandum of understanding: {lead} and {other}"
    blocks = _head(facts, "Memorandum of understanding")
    status = partner["mou"]
    if status:
        blocks.append(_labelled("Status on the partner register", [d.Text(one_line(status))]))

    blocks.append(d.Heading(2, "Parties", number="1."))
    lead_row = next((r for r in facts.rows("roster") if agency and _same(r["name"], agency)), None)
    contact = facts.text("lead_name")
    roster_key = facts.question("roster").key if facts.question("roster") else FIELDS["roster"][1][0]
    other_contact = one_line(partner["contact"])
    if not other_contact:
        other_contact = f"[Contact at {other}: answer {roster_key}]"
        facts.placeholders.append(other_contact)
    blocks.append(d.Table(["Party", "Kind", "Contact"], [
        [d.Cell(lead), d.Cell(lead_row["type"] if lead_row else "Lead agency"),
         d.Cell(one_line(", ".join(x for x in (contact, facts.text("lead_title"), facts.text("lead_email")) if x))
                or facts.placeholder("lead_name"), shade="" if contact else MARK)],
        [d.Cell(other), d.Cell(partner["type"]), d.Cell(other_contact, shade="" if partner["contact"] else MARK)],
    ]))

    blocks.append(d.Heading(2, "Purpose", number="2."))
    blocks.append(_p("The parties agree to work together on this program:"))
    blocks += facts.blocks("purpose")
    if facts.text("shared_goals"):
        blocks.append(_p(d.Text("Shared goals", bold=True)))
        goals = facts.rows("shared_goals")  # workbook 2: the goals table, each row one goal
        blocks += [_p(one_line(f"{r['code']} {r['goal']}".strip())) for r in goals if r["goal"]] if goals \
            else facts.blocks("shared_goals")

    blocks.append(d.Heading(2, "Roles and responsibilities", number="3."))
    for row, name in ((lead_row, lead), (partner, other)):
        runs = [d.Text(one_line(row["role"]))] if row and row["role"] else [
            d.Text(facts.placeholder("roster", f"Role of {name}"), mark=True)]
        blocks.append(_labelled(name, runs))
        staff = [r for r in facts.rows("staff_roles") if r["agency"] and _same(r["agency"], name)]
        if staff:
            blocks.append(d.List([d.ListItem([d.Text(one_line(
                " · ".join(x for x in (r["role"], r["name"], r["hours"]) if x)))]) for r in staff]))

    blocks.append(d.Heading(2, "Referral process and response times", number="4."))
    blocks += _pathway(facts)
    blocks.append(_labelled("Response time and handoff", facts.runs("response_time")))
    blocks.append(_labelled("Who finds a treatment place", facts.runs("placement_lead")))
    blocks.append(_labelled("Nights and weekends", facts.runs("after_hours")))
    blocks.append(_labelled("Transport", facts.runs("transport")))

    blocks.append(d.Heading(2, "Information sharing", number="5."))
    flows = [r for r in facts.rows("sharing") if r["partner"] and _same(r["partner"], other)]
    if flows:
        blocks.append(d.Table(["Information", "Purpose", "Agreement"],
                              [[d.Cell(one_line(r["information"])), d.Cell(one_line(r["purpose"])),
                                d.Cell(one_line(r["agreement"]))] for r in flows]))
    elif facts.value("shares_identifiable") and facts.value("shares_identifiable")[1] is False:
        blocks.append(_p("The plan says the program shares no identifiable client information."))
    elif facts.rows("sharing"):
        blocks.append(_p(f"The plan lists no flow of identifiable information with {other}."))
    else:
        blocks.append(_p(d.Text(facts.placeholder("sharing", f"Information shared with {other}"), mark=True)))
    blocks.append(_p("Identifiable information is shared only as set out in the data-sharing terms "
                     "(deflect paperwork data-sharing) and with the person's written consent where the "
                     "law requires it."))

    blocks.append(d.Heading(2, "Meetings and contacts", number="6."))
    blocks.append(_labelled("Partner meetings", facts.runs("meeting_cadence")))
    if facts.text("meeting_arrangements"):
        blocks += facts.blocks("meeting_arrangements")
    blocks.append(_labelled("Problems and disagreements", facts.runs("escalation")))

    blocks.append(d.Heading(2, "Term, review and termination", number="7."))
    blocks.append(_labelled("Begins", facts.runs("start_date")))
    blocks.append(_labelled("Next review", facts.runs("review_date")))
    blocks.append(_labelled("Ending the agreement", facts.runs("termination")))

    blocks.append(d.Heading(2, "Signatures", number="8."))
    blocks.append(d.Table(["Party", "Name and title", "Signature", "Date"],
                          [[d.Cell(lead), d.Cell(""), d.Cell(""), d.Cell("")],
                           [d.Cell(other), d.Cell(""), d.Cell(""), d.Cell("")]], blank=True))
    blocks.append(_p(d.Text("Approved as to form by counsel for each party:", italic=True)))
    blocks.append(d.Table(["Counsel for", "Name", "Signature", "Date"],
                          [[d.Cell(lead), d.Cell(""), d.Cell(""), d.Cell("")],
                           [d.Cell(other), d.Cell(""), d.Cell(""), d.Cell("")]], blank=True))
    context = _context(facts, "mou", title, {"partner": {k: v for k, v in partner.items() if not k.startswith("_")}})
    return d.Document(blocks, _meta(facts, title), context)


_PART2 = [
    "The 2024 final rule (89 FR 12472) was published on February 16, 2024 and took effect on April 16, 2024; "
    "programs must comply by February 16, 2026.",
    "One written consent can now cover every future use for treatment, payment and health care operations, "
    "until the person revokes it in writing.",
    "A HIPAA covered entity or business associate that receives records under such a consent may pass them "
    "on as HIPAA allows, except for use in proceedings against the person.",
    "Records, and testimony about them, may not be used against the person in civil, criminal, administrative "
    "or legislative proceedings without the person's consent or a court order; a subpoena or warrant alone "
    "is not enough.",
    "Breach notification, penalties and complaints to HHS now follow the HIPAA rules.",
    "Substance use disorder counseling notes need their own consent, and a consent for use in legal "
    "proceedings cannot be combined with any other consent.",
    "Each disclosure made under a consent must carry the notice required by 42 CFR 2.32.",
]

_CONSENT_ELEMENTS = [
    "The name of the person the records are about.",
    "Who may disclose the information (each partner listed above).",
    "What information may be disclosed, described specifically.",
    "Who may receive it (each partner listed above); for a HIPAA covered entity, a statement that it may "
    "pass the information on as HIPAA allows.",
    "The purpose of the disclosure.",
    "The right to revoke the consent in writing, and how to do so.",
    "When the consent expires (a date, an event or a condition).",
    "The person's signature and the date.",
    "For a treatment, payment and operations consent: what happens if the person refuses, and that "
    "information passed on may lose its protection.",
]


def data_sharing(facts: Facts) -> d.Document:
    title = "Data-sharing and consent outline"
    blocks = _head(facts, title)
    blocks.append(_p(d.Text(NOT_LEGAL_ADVICE, bold=True)))

    blocks.append(d.Heading(2, "Whether identifiable information is shared", number="1."))
    blocks.append(_labelled("Sharing identifiable client information", facts.runs("shares_identifiable")))

    blocks.append(d.Heading(2, "What is shared, between whom, and why", number="2."))
    rows = facts.rows("sharing")
    if rows:
        agency = one_line(facts.text("agency")) or facts.placeholder("agency")
        blocks.append(d.Table(["Between", "Information", "Purpose", "Agreement"],
                              [[d.Cell(one_line(f"{agency} and {r['partner']}")),
                                d.Cell(one_line(r["information"])), d.Cell(one_line(r["purpose"])),
                                d.Cell(one_line(r["agreement"]))] for r in rows]))
    else:
        blocks.append(_p(d.Text(facts.placeholder("sharing"), mark=True)))
    blocks.append(_labelled("Recorded about each referral", facts.runs("data_elements")))

    blocks.append(d.Heading(2, "Consent", number="3."))
    blocks.append(_labelled("Consent and release form", facts.runs("consent_form")))
    blocks.append(_labelled("Counsel review of confidentiality", facts.runs("confidentiality_review")))

    blocks.append(d.Heading(2, "Storage, retention and breaches", number="4."))
    blocks.append(_labelled("Where records are kept", facts.runs("data_system")))
    blocks.append(_labelled("Program records kept apart from criminal records", facts.runs("records_separate")))
    blocks.append(_labelled("How long records are kept", facts.runs("retention")))
    blocks.append(_labelled("Breach handling", facts.runs("breach")))

    blocks.append(d.Heading(2, "Which rules may apply to each partner", number="5."))
    found = partners(facts)
    agency = facts.text("agency")
    lead = next((r for r in facts.rows("roster") if agency and _same(r["name"], agency)), None)
    table_rows = []
    for row in ([lead] if lead else []) + found:
        rule = RULES_BY_TYPE.get(row["_type"] or "", "Counsel to confirm which rules apply.")
        table_rows.append([d.Cell(one_line(row["name"])), d.Cell(one_line(row["type"])), d.Cell(rule)])
    if table_rows:
        blocks.append(d.Table(["Partner", "Kind", "Rules to check"], table_rows))
    else:
        blocks.append(_p(d.Text(facts.placeholder("roster"), mark=True)))
    blocks.append(d.Heading(3, "42 CFR Part 2, as amended in 2024"))
    blocks.append(_p("These rules apply to records of a federally assisted substance use disorder program, "
                     "and to anyone who receives such records."))
    blocks.append(d.List([d.ListItem([d.Text(x)]) for x in _PART2]))
    blocks.append(d.Heading(3, "HIPAA"))
    blocks.append(_p("HIPAA binds covered entities (health plans, and providers who bill electronically) and "
                     "their business associates. Most police departments are not covered entities; what a "
                     "department sends to a partner is governed by state law on police records. Information "
                     "coming back from a covered entity needs the person's authorization or a HIPAA exception."))
    if facts.text("state_law"):
        blocks.append(d.Heading(3, "State and local law (from the plan)"))
        blocks += facts.blocks("state_law")

    blocks.append(d.Heading(2, "Consent form outline", number="6."))
    names = [one_line(r["name"]) for r in ([lead] if lead else []) + found]
    blocks.append(_p("A consent form for this program names every organization that may disclose or receive "
                     "the person's information:"))
    if names:
        blocks.append(d.List([d.ListItem([d.Text(n)]) for n in names]))
    else:
        blocks.append(_p(d.Text(facts.placeholder("roster"), mark=True)))
    blocks.append(_p("What a 42 CFR Part 2 consent contains (42 CFR 2.31; check the current text at ecfr.gov):"))
    blocks.append(d.List([d.ListItem([d.Text(x)]) for x in _CONSENT_ELEMENTS], ordered=True))

    blocks.append(d.Heading(2, "Questions for counsel", number="7."))
    blocks.append(d.List([d.ListItem([d.Text(x)]) for x in (
        "Is any partner, including a program run by the lead agency, a federally assisted substance use "
        "disorder program?",
        "Which partners are HIPAA covered entities or business associates?",
        "What state confidentiality law applies to overdose and referral information?",
        "The consent wording, consent by minors, and when consents expire.",
        "Limits on what police may do with information they receive from a program.",
        "Whether any public promise not to arrest or charge has the prosecutor's written agreement.",
    )]))
    return d.Document(blocks, _meta(facts, title), _context(facts, "data-sharing", title))


def referral_protocol(facts: Facts) -> d.Document:
    title = "Referral protocol"
    blocks = _head(facts, title)
    blocks.append(_p("The basis of a general order or standard operating procedure. Check it against "
                     "local law, collective bargaining agreements and existing orders before adoption."))
    blocks.append(d.Heading(2, "Purpose", number="1."))
    blocks += facts.blocks("purpose")
    blocks.append(d.Heading(2, "Who is eligible", number="2."))
    blocks.append(facts.list_or_placeholder("eligibility"))
    if facts.question("eligible_offenses") is not None:
        blocks.append(_labelled("Eligible offenses", facts.runs("eligible_offenses")))
    blocks.append(d.Heading(2, "Who is not eligible", number="3."))
    blocks.append(facts.list_or_placeholder("exclusions"))
    blocks.append(_labelled("Warrants", facts.runs("warrant_handling")))
    blocks.append(_labelled("Warrant checks", facts.runs("warrant_checks")))
    blocks.append(d.Heading(2, "Procedure", number="4."))
    blocks += _pathway(facts)
    blocks.append(d.Paragraph([d.Text("What officers do in the program:", bold=True)]))
    blocks.append(facts.list_or_placeholder("officer_duties"))
    blocks.append(_labelled("Response time and handoff", facts.runs("response_time")))
    blocks.append(_labelled("Who finds a treatment place", facts.runs("placement_lead")))
    blocks.append(_labelled("Transport", facts.runs("transport")))
    blocks.append(_labelled("Nights and weekends", facts.runs("after_hours")))
    blocks.append(d.Heading(2, "What is recorded", number="5."))
    blocks.append(facts.list_or_placeholder("data_elements"))
    blocks.append(d.Heading(2, "Naloxone", number="6."))
    blocks.append(facts.list_or_placeholder("naloxone"))
    blocks.append(d.Heading(2, "Drugs handed in", number="7."))
    blocks.append(d.Paragraph(facts.runs("drug_surrender")))
    blocks.append(d.Heading(2, "When a person declines", number="8."))
    blocks += facts.blocks("voluntariness")
    blocks.append(d.Heading(2, "Safety", number="9."))
    blocks.append(d.Paragraph(facts.runs("scene_safety")))
    blocks.append(d.Heading(2, "Data entry", number="10."))
    blocks.append(_labelled("Where records are kept", facts.runs("data_system")))
    found = facts.value("designees")
    if found:
        question, value = found
        blocks.append(d.Table([c.label for c in question.columns],
                              [[d.Cell(one_line(display(c, row.get(c.id)))) for c in question.columns]
                               for row in value]))
    else:
        blocks.append(_labelled("Who enters the data", facts.runs("designees")))
    blocks.append(d.Heading(2, "Supervisor review", number="11."))
    blocks += facts.blocks("supervision")
    blocks.append(d.Heading(2, "Training", number="12."))
    blocks.append(facts.list_or_placeholder("training_topics"))
    if facts.question("completion") is not None:
        blocks.append(d.Heading(2, "Completion and closure", number="13."))
        blocks += facts.blocks("completion")
    return d.Document(blocks, _meta(facts, title), _context(facts, "referral-protocol", title))


def pocket_card(facts: Facts) -> d.Document:
    """Two sides of a 4 x 6 inch card: each side a level-2 heading (one page in PDF and Word)."""
    title = "Pocket card"
    program = facts.text("program")
    blocks: list = [d.Heading(2, one_line(program) if program else facts.placeholder("program")),
                    d.Paragraph([d.Text("Draft for counsel review", italic=True)])]
    blocks.append(d.Heading(3, "Who is eligible"))
    blocks.append(d.Paragraph([d.Text(one_line("; ".join(facts.entries("eligibility"))))]
                              if facts.entries("eligibility") else facts.runs("eligibility")))
    blocks.append(d.Heading(3, "Not eligible"))
    blocks.append(d.Paragraph([d.Text(one_line("; ".join(facts.entries("exclusions"))))]
                              if facts.entries("exclusions") else facts.runs("exclusions")))
    blocks.append(d.Heading(3, "How to refer"))
    rows = facts.rows("pathway")
    if rows:
        steps = [" · ".join(x for x in (r["step"], r["who"], r["within"]) if x) for r in rows]
        blocks.append(d.List([d.ListItem([d.Text(one_line(step))]) for step in steps], ordered=True))
    else:
        blocks += facts.blocks("pathway")
    blocks.append(d.Heading(3, "Call"))
    contacts = [r for r in facts.rows("roster") if r["contact"]]
    items = [d.ListItem([d.Text(one_line(f"{r['name']}: {r['contact']}"))]) for r in contacts]
    items.append(d.ListItem([d.Text(facts.placeholder("phone"), mark=True)]))
    blocks.append(d.List(items))
    blocks.append(_labelled("Hours", facts.runs("hours")))

    blocks.append(d.Heading(2, "Side 2"))
    blocks.append(d.Heading(3, "What to say"))
    blocks.append(d.Paragraph(facts.runs("purpose")))
    blocks.append(d.Heading(3, "What not to do"))
    dont = [d.ListItem([d.Text("Do not label people; say \u201ca person who uses drugs\u201d.")])]
    dont.append(d.ListItem([d.Text("Drugs handed in:", bold=True), d.Text(" "), *facts.runs("drug_surrender")]))
    dont.append(d.ListItem([d.Text("Warrants:", bold=True), d.Text(" "), *facts.runs("warrant_handling")]))
    blocks.append(d.List(dont))
    blocks.append(d.Heading(3, "Naloxone"))
    blocks.append(d.Paragraph([d.Text(one_line("; ".join(facts.entries("naloxone"))))]
                              if facts.entries("naloxone") else facts.runs("naloxone")))
    blocks.append(d.Heading(3, "If the person says no"))
    blocks.append(d.Paragraph(facts.runs("voluntariness")))
    # Word: one landscape Letter page holding both sides as panels with the same 3.5 x 5.5 inch text
    # area as a 4 x 6 inch card, a rule between them to cut or fold on (the PDF and HTML print each side
    # on its own 4 x 6 inch page: pocket-card.css).
    meta = _meta(facts, f"{one_line(program) or 'Program'}: pocket card", chapter_breaks=True, card=True,
                 page={"width_in": 11, "height_in": 8.5, "margins_in": (0.75, 1.75, 2.25, 1.75), "columns": 2,
                       "gap_in": 0.5, "font_pt": 7.5})
    return d.Document(blocks, meta, _context(facts, "pocket-card", title))


def one_pager(facts: Facts) -> d.Document:
    program = facts.text("program")
    title = one_line(program) if program else "Deflection program"
    blocks: list = [d.Heading(1, title), d.Paragraph([d.Text(DRAFT_NOTICE, italic=True)])]
    blocks += [d.Heading(2, "What it is")] + facts.blocks("purpose")
    blocks += [d.Heading(2, "Who it is for"), facts.list_or_placeholder("target_population")]
    blocks.append(d.Heading(2, "How to get help"))
    sites = facts.rows("sites")
    if sites:
        blocks.append(d.Table(["Where", "Address", "Hours"],
                              [[d.Cell(one_line(r[key])) for key in ("site", "address", "hours")] for r in sites]))
    blocks.append(_labelled("Hours", facts.runs("hours")))
    blocks.append(_labelled("Nights and weekends", facts.runs("after_hours")))
    blocks.append(_labelled("Phone", [d.Text(facts.placeholder("phone"), mark=True)]))
    blocks.append(d.Heading(2, "Who runs it"))
    blocks.append(_labelled("Lead agency", facts.runs("agency")))
    names = [one_line(r["name"]) for r in partners(facts)]
    if names:
        blocks.append(_labelled("With", [d.Text("; ".join(names))]))
    contact = ", ".join(one_line(x) for x in (facts.text("lead_name"), facts.text("lead_email")) if x)
    blocks.append(_labelled("Contact", [d.Text(contact)] if contact else facts.runs("lead_name")))
    blocks.append(_labelled("Starting", facts.runs("start_date")))
    return d.Document(blocks, _meta(facts, title), _context(facts, "one-pager", title))


# ---------------------------------------------------------------- entry points


# A card side holds about this many lines of 62 characters at the default 7.5 pt on 4 x 6 inches
# (measured: the fixture plan's fuller side takes 28 lines and fills about 60% of the card).
CARD_LINES, CARD_WIDTH = 46, 62


def card_overflow(document: d.Document) -> list:
    """For the pocket card: each side whose text is likely to run over one card, as a warning line.

    An estimate (it must work for Word, where nothing measures pages); a PDF also counts its pages."""
    if not document.meta.get("card"):
        return []
    import math

    sides: list = []
    for b in document.blocks:
        if isinstance(b, d.Heading) and b.level == 2:
            sides.append(2)  # the heading takes about two lines
            continue
        if not sides:
            sides.append(0)
        if isinstance(b, d.Heading):
            sides[-1] += 1.5
        elif isinstance(b, d.Paragraph):
            lines = "".join(r.text if not isinstance(r, d.Break) else "\n" for r in b.runs).split("\n")
            sides[-1] += sum(max(1, math.ceil(len(line) / CARD_WIDTH)) for line in lines)
        elif isinstance(b, d.List):
            sides[-1] += sum(max(1, math.ceil(len("".join(getattr(r, "text", "") for r in i.runs)) / (CARD_WIDTH - 4)))
                             for i in b.items)
    return [f"Side {n} of the pocket card is likely to run over one card (about {round(lines)} lines for "
            f"{CARD_LINES}): shorten the answers it shows, or print it larger with your own pocket-card.css."
            for n, lines in enumerate(sides, 1) if lines > CARD_LINES]


def file_stem(result: Draft) -> str:
    """The default file name beside the plan: the document's name, and the partner's for an MOU."""
    from deflect_cli.export.text import slug

    partner = result.document.context.get("partner")
    return f"{result.name}-{slug(partner['name'])[:60]}" if partner else result.name


def draft(content, plan, name: str, partner: Optional[str] = None) -> Draft:
    if name not in DOCUMENTS:
        raise DeflectError(f"no paperwork called {name!r}; choose one of: {', '.join(DOCUMENTS)}.")
    if partner is not None and name != "mou":
        raise DeflectError("--partner only applies to the mou.")
    facts = Facts(content, plan)
    if name == "mou":
        document = mou(facts, find_partner(facts, partner))
    else:
        document = {"data-sharing": data_sharing, "referral-protocol": referral_protocol,
                    "pocket-card": pocket_card, "one-pager": one_pager}[name](facts)
    return Draft(name, DOCUMENTS[name], document, list(facts.placeholders), card_overflow(document))


def drafts(content, plan) -> list:
    """Every draft the plan allows: one MOU per partner, then the other documents."""
    out = []
    for row in partners(Facts(content, plan)):
        one = draft(content, plan, "mou", row["name"])
        one.title = f"{DOCUMENTS['mou']} with {one_line(row['name'])}"
        one.partner = row["name"]
        out.append(one)
    for name in DOCUMENTS:
        if name != "mou":
            out.append(draft(content, plan, name))
    return out


def listing(content, plan, plan_flag: str = "") -> str:
    lines = ["Paperwork that can be drafted from this plan (each a draft for counsel to review):", ""]
    entries = drafts(content, plan)
    if not any(x.name == "mou" for x in entries):
        lines += ["  Partner MOU: no partners on the register yet (partnerships.roster).", ""]
    for item in entries:
        command = f"deflect paperwork {item.name}{plan_flag}"
        if item.name == "mou":
            command += f' --partner "{one_line(item.partner)}"'
        left = len(item.placeholders)
        lines.append(f"  {item.title}: {plural(left, 'placeholder') + ' left' if left else 'nothing missing'}")
        lines.append(f"    {command}")
        lines += [f"    - {one_line(p)}" for p in item.placeholders]
        lines += [f"    ! {w}" for w in item.warnings]
        lines.append("")
    return visible("\n".join(lines).rstrip() + "\n")  # answers printed on a terminal: controls shown, not obeyed


def render(content, plan, name: str, fmt: str, *, partner: Optional[str] = None,
           templates: Optional[str] = None):
    """One draft in one format (md, html, pdf, docx); returns (data, the Draft)."""
    from importlib import import_module

    from deflect_cli.content import resources
    if fmt not in ("md", "html", "pdf", "docx"):
        raise DeflectError(f"paperwork comes as md, html, docx or pdf, not {fmt}.")
    if templates and not resources.templates_dir(templates).is_dir():
        raise DeflectError(f"{resources.templates_dir(templates)}: templates folder not found.")
    result = draft(content, plan, name, partner)
    doc = result.document
    if fmt == "md":
        from deflect_cli.export.text import custom_template

        own = f"paperwork-{name}.md.j2"
        if custom_template(templates, own):
            from deflect_cli.export.text import environment, render_named

            return render_named(environment(templates), own, doc=doc.context), result
        return import_module("deflect_cli.export.markdown").render(doc), result
    if fmt in ("html", "pdf"):
        html = page(doc, templates)
        if fmt == "pdf":
            counted: list = []
            data = import_module("deflect_cli.export.html").html_to_pdf(html, counted)
            pages = counted[0] if counted else 0
            if doc.meta.get("card") and pages > 2:
                result.warnings.append(f"The pocket card PDF has {pages} pages, not two card sides: shorten the "
                                       "answers it shows, or print it larger with your own pocket-card.css.")
            return data, result
        return html, result
    return import_module("deflect_cli.export.docx").render(doc, templates), result


def page(doc: d.Document, templates: Optional[str] = None) -> str:
    """The HTML page: templates/paperwork.html.j2 with plan.css, then paperwork.css or pocket-card.css."""
    from importlib import import_module

    from markupsafe import Markup

    from deflect_cli.export.text import environment, render_named

    body = import_module("deflect_cli.export.html").body(doc.blocks)  # loaded only when asked, like render.py
    env = environment(templates, autoescape=True)
    return render_named(env, "paperwork.html.j2", meta=doc.meta, body=Markup(body), lang="en",
                        stylesheet="pocket-card.css" if doc.meta.get("card") else "paperwork.css")
