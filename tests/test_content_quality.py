"""The bundled guide as a product: complete, reachable, helpful, and in this project's own words."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from deflect_cli.content import conditions
from deflect_cli.plan import flow

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REPO = Path(__file__).resolve().parents[1]


def test_twelve_sections_in_guide_order(content):
    assert [s.id for s in content.sections] == [
        "introduction", "program_types", "community_needs", "support", "partnerships", "policies",
        "staffing", "treatment", "data", "funding", "communications", "launch",
    ]
    assert [s.number for s in content.sections] == list(range(1, 13))


@pytest.mark.parametrize("index", range(12))
def test_each_section_is_a_real_chapter(content, index):
    section = content.sections[index]
    words = len(section.guide.split())
    assert 600 <= words <= 1500, f"{section.id}: guide has {words} words"
    assert 2 <= len(section.objectives) <= 3, section.id
    assert section.summary and section.basis and section.recommendations and section.sources
    assert 5 <= len(section.questions) <= 20, section.id  # workbook 2 (issue 10) asks each thing once
    assert re.search(r"^## ", section.guide, re.M), f"{section.id}: guide has no sub-headings"
    for practice in section.practices:
        assert practice["program"] and practice["what"] and practice["source"].startswith("http"), practice


def test_question_count_and_help(content):
    questions = list(content.questions())
    assert 100 <= len(questions) <= 200  # issue 10: at most 140 things to fill, counting required table cells
    for question in questions:
        assert len(question.help.split()) >= 8, f"{question.key}: help is too thin"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", question.id)


def test_first_task_of_program_types_is_the_existing_programs_table(content):
    first = content.section("program_types").questions[0]
    assert first.key == "program_types.existing_programs" and first.type == "table"


def test_every_question_type_is_used(content):
    used = {q.type for q in content.questions()}
    assert used == {"text", "long_text", "choice", "multi_choice", "yes_no", "number", "date", "table"}


def test_conditions_and_checks_name_existing_questions(content):
    keys = {q.key for q in content.questions()}
    sources = [q.when for q in content.questions() if q.when] + [c.when for c in content.all_checks()]
    assert len(sources) > 20
    for source in sources:
        names = conditions.referenced_names(source)
        assert names and names <= keys, (source, names - keys)


def test_glossary(content):
    terms = [t["term"] for t in content.glossary]
    assert len(terms) >= 35
    assert len(set(t.lower() for t in terms)) == len(terms)
    for wanted in ("Deflection", "Warm handoff", "42 CFR Part 2"):
        assert any(wanted.lower() in t.lower() for t in terms), wanted


# ------------------------------------------------------------------ reachability


def _sample(rule):
    """A typical valid answer for a question or column."""
    if rule.type in ("choice",):
        return rule.choices[0].value
    if rule.type == "multi_choice":
        return [c.value for c in rule.choices]
    if rule.type == "yes_no":
        return True
    if rule.type == "number":
        return rule.min if rule.min is not None and rule.min > 0 else 1
    if rule.type == "date":
        return "2027-01-01"
    if rule.type == "table":
        return [{c.id: _sample(c) for c in rule.columns}]
    return "Example answer"


def _candidates(rule):
    """Answers worth trying when searching for a set that makes a condition true."""
    if rule.type == "choice":
        return [c.value for c in rule.choices] + [None]
    if rule.type == "multi_choice":
        return [[c.value] for c in rule.choices] + [[c.value for c in rule.choices], None]
    if rule.type == "yes_no":
        return [True, False, None]
    if rule.type == "number":
        return [0, 1, 5, 100, 10**6, None]
    if rule.type == "table":
        full = {c.id: _sample(c) for c in rule.columns}
        sparse = {c.id: _sample(c) for c in rule.columns if c.required}
        rows = [[full]]
        for column in rule.columns:
            for value in _candidates(column):
                rows.append([{**full, column.id: value}])
                rows.append([{**sparse, column.id: value}])
        rows.append([{c.id: None for c in rule.columns}])
        return rows + [None]
    if rule.type == "date":  # a second, earlier date: checks compare dates (a review before the launch)
        return [_sample(rule), "2000-01-01", None]
    return [_sample(rule), None]


def _typical_answers(content) -> dict:
    base = {}
    for question in content.questions():
        base.setdefault(question.section_id, {})[question.id] = _sample(question)
    return base


def _satisfiable(content, source: str, holds) -> bool:
    """Search answer sets, varying the questions `source` names, for one where `holds(answers)`."""
    base = _typical_answers(content)
    refs = sorted(n for n in conditions.referenced_names(source) if "." in n)
    options = [_candidates(content.question(r)) for r in refs]
    for combo in itertools.islice(itertools.product(*options), 20000):
        answers = {s: dict(v) for s, v in base.items()}
        for ref, value in zip(refs, combo):
            section_id, question_id = ref.split(".")
            answers[section_id][question_id] = value
        if holds(answers):
            return True
    return False


def test_every_question_is_reachable_under_some_answers(content):
    unreachable = [
        q.key for q in content.questions()
        if q.when and not _satisfiable(content, q.when, lambda a, q=q: flow.evaluate(content, a).applies(q))
    ]
    assert unreachable == []


def test_every_check_can_fire(content):
    silent = [
        c.id for c in content.all_checks()
        if not _satisfiable(content, c.when, lambda a, c=c: c in flow.firing_checks(content, flow.evaluate(content, a)))
    ]
    assert silent == []


# ------------------------------------------------------------------ own words


def _words(text: str) -> list:
    return re.findall(r"[a-z0-9']+", text.lower())


def _runs(words: list, n: int = 12) -> set:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")
def test_no_twelve_word_run_is_copied_from_the_research(content):
    shared = set()
    for path in list(SHARED.glob("seed/*")) + list(SHARED.glob("research/*")):
        shared |= _runs(_words(path.read_text(errors="ignore")))
    copied = []
    for path in sorted((REPO / "content").rglob("*.yaml")):
        text = path.read_text()
        text = re.sub(r"https?://\S+", " ", text)  # addresses are facts to cite, not sentences
        for run in _runs(_words(text)) & shared:
            copied.append(f"{path.name}: {' '.join(run)}")
    assert copied == []


# ------------------------------------------------------------------ provenance


def test_content_does_not_present_itself_as_paaris_workbook(content):
    """The questions are this project's own; the title and welcome must not claim PAARI's workbook."""
    assert "Deflection Planning Workbook" not in content.title
    welcome = " ".join(content.welcome.split())
    assert "this project's own" in welcome
    assert "PAARI's own workbook was not available" in welcome
    assert "not an official PAARI document" in welcome


@pytest.mark.parametrize("index", range(12))
def test_each_section_says_what_reflects_the_guide_and_what_wider_practice(content, index):
    basis = " ".join(content.sections[index].basis.split()).lower()
    assert "guide" in basis, content.sections[index].id
    assert "wider field practice" in basis or "outside the guide" in basis or "not from the guide" in basis, \
        content.sections[index].id
