"""Every lead agency, in the bundled content: no police-staff words reach a planner who is not police.

For each kind of lead agency (and co-led plans), every question the planner can reach is worded
through `Content.wording`, and every prompt, help text, label, unit, choice label and column
label/help is searched for the terms below, as are each section's summary, objectives and
recommendations (the long guide text describes practice in general and is not searched). A police- or
sheriff-led plan keeps the workbook's own wording
(tests/fixtures/golden, and test_police_led_wording_is_the_workbooks_own).
"""

from __future__ import annotations

import itertools
import re

import pytest

from deflect_cli.content import conditions
from deflect_cli.content.model import CO_LEAD_QUESTION, LEAD_QUESTION, PROFILE_ID
from deflect_cli.plan import flow
from test_content_quality import _candidates, _typical_answers

# Words that address the planner as police staff. To extend: add (regular expression, lead groups
# it must not reach); matching ignores case, and \b marks a word boundary. Words about police AS A
# PARTNER ("officers refer people", "the police co-lead's officers") are fine and belong nowhere here.
NOT_POLICE = ("health", "fire_ems", "coalition")
POLICE_STAFF_TERMS = [
    (r"\byour (sworn )?officers\b", NOT_POLICE),
    (r"\bsworn\b", NOT_POLICE),
    (r"\barrests (did )?your agency\b", NOT_POLICE),
    (r"\byour agency'?s arrests\b", NOT_POLICE),
    (r"\byour chief\b", NOT_POLICE),
    (r"\bchief, sheriff\b", NOT_POLICE),
    (r"\bunions?\b", ("health", "coalition")),  # a fire department's own union is its staff's union
    (r"\bgeneral order\b", NOT_POLICE),
    (r"\bpatrol\b", NOT_POLICE),
    (r"\broll[- ]call\b", NOT_POLICE),
    (r"\bcommand staff\b", NOT_POLICE),
    (r"(?<!front-)\bline[- ]officers?\b", NOT_POLICE),  # a "front-line officer" on a planning team is a partner
    (r"\bdesk officer\b", NOT_POLICE),
    (r"\bour police\b", NOT_POLICE),
    (r"\binside a police agency\b", NOT_POLICE),
    (r"\byour agency'?s calls\b", ("health", "coalition")),
    (r"\bthe chief\b", ("health", "coalition")),  # fire departments have chiefs too
    (r"(?-i:\bChief [A-Z]|\bLt\. [A-Z])|\blieutenant\b", ("health", "coalition")),  # ranks in examples
    (r"\ba new chief\b", ("health", "coalition")),
    (r"\bwhy so many police\b", NOT_POLICE),
    (r"\bwalk-in at a station\b", ("health", "coalition")),  # fire/EMS has stations of its own
]

KINDS = ["municipal_police", "sheriff", "state_police", "campus_police", "tribal_police", "fire_ems",
         "public_health", "behavioral_health", "task_force", "County recovery council"]  # the last: "Other"
LEADS = [(kind, "none") for kind in KINDS] + [
    ("public_health", "municipal_police"),   # health leads, police co-lead: police questions stay
    ("behavioral_health", "sheriff"),
    ("fire_ems", "public_health"),
    ("municipal_police", "public_health"),   # police leads, health co-lead: today's wording
]
_PINNED = {f"{PROFILE_ID}.{LEAD_QUESTION}", f"{PROFILE_ID}.{CO_LEAD_QUESTION}"}


def _reachable(content, kind: str, co_lead: str) -> list:
    """Every question that applies under some answers, with the lead (and co-lead) held fixed."""
    base = _typical_answers(content)
    base[PROFILE_ID].update({LEAD_QUESTION: kind, CO_LEAD_QUESTION: co_lead})
    found = []
    for question in content.questions():
        if not question.when:
            found.append(question)
            continue
        refs = sorted(n for n in conditions.referenced_names(question.when) if "." in n and n not in _PINNED)
        options = [_candidates(content.question(r)) for r in refs]
        for combo in itertools.islice(itertools.product(*options), 20000):
            answers = {s: dict(v) for s, v in base.items()}
            for ref, value in zip(refs, combo):
                section_id, question_id = ref.split(".")
                answers[section_id][question_id] = value
            if flow.evaluate(content, answers).applies(question):
                found.append(question)
                break
    return found, base


def _texts(question):
    """Every piece of wording a planner reads for one question."""
    yield "prompt", question.prompt
    yield "help", question.help
    yield "label", question.label
    yield "unit", question.unit
    for choice in question.choices:
        yield f"choice {choice.value}", choice.label
    for column in question.columns:
        yield f"column {column.id}", column.label
        yield f"column {column.id} help", column.help
        yield f"column {column.id} unit", column.unit
        for choice in column.choices:
            yield f"column {column.id} choice {choice.value}", choice.label


def police_staff_words(content, kind: str, co_lead: str) -> list:
    reachable, answers = _reachable(content, kind, co_lead)
    group = content.lead_group(answers)
    terms = [(re.compile(pattern, re.I), pattern) for pattern, groups in POLICE_STAFF_TERMS if group in groups]
    found = []
    for section in content.worded(answers).sections:  # the opening words; the long guide text is the guide's
        for where, text in [("summary", section.summary)] + [("objective", o) for o in section.objectives] \
                + [("recommendation", r) for r in section.recommendations]:
            found += [f"{section.id} [{where}] {pattern}: {text[:90]!r}"
                      for regex, pattern in terms if regex.search(text)]
    for question in reachable:
        worded = content.wording(question, answers)
        for where, text in _texts(worded):
            for regex, pattern in terms:
                if text and regex.search(text):
                    found.append(f"{question.key} [{where}] {pattern}: {text[:90]!r}")
    return found


@pytest.mark.parametrize("kind, co_lead", LEADS)
def test_no_police_staff_words_reach_a_lead_that_is_not_police(content, kind, co_lead):
    assert police_staff_words(content, kind, co_lead) == []


@pytest.mark.parametrize("kind", ["municipal_police", "sheriff", "state_police", "campus_police", "tribal_police"])
def test_police_led_wording_is_the_workbooks_own(content, kind):
    for co_lead in ("none", "public_health"):
        answers = {PROFILE_ID: {LEAD_QUESTION: kind, CO_LEAD_QUESTION: co_lead}}
        assert content.worded(answers) is content
        assert all(content.wording(q, answers) is q for q in content.questions())


def test_police_questions_stay_when_police_co_lead(content):
    """A question only police staff can answer is asked when either lead is police, never otherwise."""
    union = content.question("support.union_consulted")
    for kind, co_lead, asked in [("public_health", "none", False), ("public_health", "municipal_police", True),
                                 ("sheriff", "none", True), ("task_force", "none", False)]:
        reachable, _ = _reachable(content, kind, co_lead)
        assert (union in reachable) is asked, (kind, co_lead)


def test_the_search_finds_police_words_when_wording_is_not_resolved(content, monkeypatch):
    """The test above would catch a health-led plan shown the police wording."""
    monkeypatch.setattr(type(content), "wording", lambda self, question, answers: question)
    assert police_staff_words(content, "public_health", "none")


def test_a_co_led_plan_names_both_agencies_and_reads_as_the_health_lead(content, tmp_path):
    from deflect_cli.export.render import render
    from deflect_cli.plan.model import new_plan

    plan = new_plan(tmp_path / "plan.yaml", content)
    for key, value in {
        "profile.agency": "Lane County Health Department", "profile.agency_type": "public_health",
        "profile.co_lead_type": "sheriff", "profile.co_lead_agency": "Lane County Sheriff's Office",
        "profile.scope": "multi_county",
        "profile.counties": [{"county": "Lane", "state": "OR", "population": 380000}, {"county": "Linn"}],
        "support.union_consulted": "scheduled",
    }.items():
        plan.set_answer(key, value)
    md = render(content, plan, "md")
    assert "\nLane County Health Department and Lane County Sheriff's Office\n" in md.split("## Contents")[0]
    assert "| Counties covered | Lane, OR, 380,000; Linn |" in md
    assert "How many drug-related arrests did law enforcement in your area make" in md  # listed as still to decide
    assert "Police labor association consulted" in md  # a police co-lead keeps the question, in the health wording
    assert "Has the police co-lead consulted its officers' labor association?" in render(content, plan, "json")
