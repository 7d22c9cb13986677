"""Which questions apply, which comes next, how far along a plan is. Pure: no I/O, no terminal.

Conditions only look backwards (lint enforces it), so one pass in workbook order decides what
applies. A question that does not apply contributes an empty value to later conditions, so an answer
hidden by a changed condition lies dormant instead of steering the rest of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from deflect_cli.content import conditions
from deflect_cli.content.answers import display, is_answered, is_empty
from deflect_cli.content.model import LIST_TYPES, Check, Content, Question, Section

ANSWERED, SKIPPED, OPEN = "answered", "skipped", "open"


@dataclass
class Evaluation:
    """The applicable questions for one set of answers, and the context conditions see."""

    applicable: list
    context: dict

    def applies(self, question: Question) -> bool:
        return question.key in self._keys

    def __post_init__(self):
        self._keys = {q.key for q in self.applicable}


def evaluate(content: Content, answers: dict, core: bool = False) -> Evaluation:
    """Decide which questions apply, in asking order, and the context later conditions see.

    With `core` (a plan made at depth "core"), only questions marked `core: true` can apply; the
    others are dormant, like a question hidden by its condition, and their answers are kept.

    This runs after every answer (the wizard, status, exports), so it reuses work: a section's
    result depends only on its own answers and on the earlier questions its conditions name, so a
    section whose inputs compare equal to last time (`_SectionMemo`) is not worked out again. With a
    hundred times the bundled content, that keeps an answer-to-next-question step in milliseconds.
    """
    context: dict = {}
    parts = []
    for layout in _layout(content, core):
        section_id = layout.section_id
        given = answers.get(section_id) or {}
        memo = layout.memo
        if memo is None or not layout.reusable or not memo.matches(given, context):
            memo = layout.memo = _SectionMemo(layout, given, context)
        context[section_id] = dict(memo.values)  # a copy: callers may not disturb the memo
        parts.append(memo.applicable)
    return Evaluation([q for part in parts for q in part], context)


class _SectionMemo:
    """One section's applicable questions and effective values, and the inputs they came from."""

    __slots__ = ("given", "given_types", "external", "applicable", "values")

    def __init__(self, layout, given: dict, context: dict):
        values: dict = {}
        context[layout.section_id] = values
        applicable = []
        for question_id, is_list, when, question in layout.questions:
            values[question_id] = [] if is_list else None
            if when is _NEVER or (when is not None and not conditions.evaluate(when, context, question.key)):
                continue
            applicable.append(question)
            value = given.get(question_id)
            if not (value is None or value == "" or value == [] or value == {}):
                values[question_id] = value
        self.given = {k: _copy(v) for k, v in given.items()}  # a table edited in place must not look unchanged
        self.given_types = [type(v) for v in given.values()]
        # Copies, so an earlier answer changed in place still differs from what was seen.
        self.external = [(s, q, _copy(_peek(context, s, q))) for s, q in layout.external]
        self.applicable = applicable
        self.values = values

    def matches(self, given: dict, context: dict) -> bool:
        # == alone would take 1 for True; the types of the answers are compared too.
        if given != self.given or [type(v) for v in given.values()] != self.given_types:
            return False
        for section_id, question_id, seen in self.external:
            now = _peek(context, section_id, question_id)
            if now != seen or type(now) is not type(seen):
                return False
        return True


_ABSENT = object()
_SCALAR_TYPES = (str, int, float, bool, type(None))


def _copy(value):
    """A deep copy of an answer (scalars, lists of scalars, lists of flat rows), fast for those."""
    if type(value) in _SCALAR_TYPES or value is _ABSENT:
        return value
    if type(value) is list and all(type(x) in _SCALAR_TYPES or (type(x) is dict and all(
            type(c) in _SCALAR_TYPES for c in x.values())) for x in value):
        return [dict(x) if type(x) is dict else x for x in value]
    import copy

    return copy.deepcopy(value)


def _peek(context: dict, section_id: str, question_id: str):
    values = context.get(section_id)
    return _ABSENT if values is None else values.get(question_id, _ABSENT)


class _SectionLayout:
    """Per content, per section: the per-question facts the loop needs, computed once."""

    __slots__ = ("section_id", "questions", "external", "memo", "reusable")

    def __init__(self, section: Section, core: bool):
        self.section_id = section.id
        self.questions = [(q.id, q.type in LIST_TYPES, _NEVER if core and not q.core else q.when or None, q)
                          for q in section.questions]
        names = set()
        for question in section.questions:
            if question.when:
                names |= conditions.referenced_names(question.when)
        # Questions of other sections that this section's conditions read. Loaded content only names
        # earlier questions as SECTION.QUESTION (lint enforces it); a bare name turns the memo off.
        self.external = sorted(tuple(n.split(".", 1)) for n in names
                               if "." in n and n.split(".", 1)[0] != section.id)
        self.memo = None
        self.reusable = all("." in n for n in names)


_LAYOUTS: dict = {}
_NEVER = object()  # in place of a question's `when`: not on the core path of a core plan


def _layout(content: Content, core: bool = False) -> list:
    found = _LAYOUTS.get((id(content), core))
    if found is None or found[0] is not content:
        if len(_LAYOUTS) > 8:
            _LAYOUTS.clear()
        found = _LAYOUTS[(id(content), core)] = (content, [_SectionLayout(s, core) for s in content.all_sections])
    return found[1]


def answer_of(answers: dict, question: Question):
    return (answers.get(question.section_id) or {}).get(question.id)


def status(question: Question, answers: dict, skipped) -> str:
    if is_answered(question, answer_of(answers, question)):
        return ANSWERED
    return SKIPPED if question.key in skipped else OPEN


def first_open(evaluation: Evaluation, answers: dict, skipped) -> Optional[Question]:
    """Where `resume` lands: the first applicable question neither answered nor skipped."""
    for question in evaluation.applicable:
        if status(question, answers, skipped) == OPEN:
            return question
    return None


def step(evaluation: Evaluation, current: Optional[Question], offset: int) -> Optional[Question]:
    """The applicable question `offset` places from `current` (which may itself no longer apply)."""
    order = evaluation.applicable
    if current is None:
        return order[0] if order and offset > 0 else None
    if current.key in evaluation._keys:
        index = next(i for i, q in enumerate(order) if q.key == current.key)
        target = index + offset
        return order[target] if 0 <= target < len(order) else None
    # The current question was hidden by an answer: find its neighbors by workbook position.
    positions = _positions(evaluation)
    here = positions.get(current.key)
    if offset > 0:
        return next((q for q in order if positions[q.key] > here), None)
    return next((q for q in reversed(order) if positions[q.key] < here), None)


def _positions(evaluation: Evaluation) -> dict:
    return {key: i for i, key in enumerate(
        f"{s}.{q}" for s, qs in evaluation.context.items() for q in qs
    )}


@dataclass(frozen=True)
class Progress:
    section: Section
    answered: int
    skipped: int
    open: int

    @property
    def total(self) -> int:
        return self.answered + self.skipped + self.open


def progress(content: Content, evaluation: Evaluation, answers: dict, skipped) -> list:
    """Answered / skipped / open counts per section, over the questions that currently apply."""
    result = []
    for section in content.all_sections:
        counts = {ANSWERED: 0, SKIPPED: 0, OPEN: 0}
        for question in section.questions:
            if evaluation.applies(question):
                counts[status(question, answers, skipped)] += 1
        result.append(Progress(section, counts[ANSWERED], counts[SKIPPED], counts[OPEN]))
    return result


def still_to_decide(evaluation: Evaluation, answers: dict, skipped) -> list:
    return [q for q in evaluation.applicable if status(q, answers, skipped) != ANSWERED]


def missing_required(evaluation: Evaluation, answers: dict) -> list:
    return [q for q in evaluation.applicable if q.required and is_empty(answer_of(answers, q))]


def firing_checks(content: Content, evaluation: Evaluation) -> list:
    """The content's plan checks that hold, then one for each answer that contradicts an earlier one."""
    fired = [c for c in content.all_checks() if conditions.evaluate(c.when, evaluation.context, f"check {c.id}")]
    return fired + budget_checks(content, evaluation) + [
        Check(id=f"stale.{q.key}", when="", message=message, section_id=q.section_id, file=q.file, line=q.line)
        for q, message in stale_answers(content, evaluation)]


def budget_checks(content: Content, evaluation: Evaluation) -> list:
    """The budget's own checks (a year short of secured money, a match not met), worked out by
    deflect_cli.plan.budget from the answers that apply, listed with the content's plan checks."""
    from deflect_cli.plan import budget
    worked = budget.compute(content, evaluation.context)
    if worked is None:
        return []
    return [Check(id=f"budget.{n}", when="", message=message, section_id="funding")
            for n, message in enumerate(worked.checks, 1)]


def offered_choices(content: Content, question: Question, context: dict) -> Optional[list]:
    """For a `choices_from` question: the (value, label) pairs its earlier question's answer allows.

    None when nothing restricts it (no `choices_from`, or that earlier question has no answer yet), so
    the question's own choices stand. Free text given as "Other" there is offered here as itself.
    """
    if not question.choices_from:
        return None
    section_id, question_id = question.choices_from.split(".", 1)
    chosen = (context.get(section_id) or {}).get(question_id)
    if is_empty(chosen) or not isinstance(chosen, list):
        return None
    labels = {c.value: c.label for c in question.choices}
    source = content.question(question.choices_from)
    source_labels = {c.value: c.label for c in source.choices} if source is not None else {}
    return [(v, labels.get(v) or source_labels.get(v) or str(v)) for v in chosen]


def column_choices(column, context: dict) -> list:
    """For a column with `choices_from: section.question.column`: the distinct values typed in that
    column of the earlier table, in its row order; [] when that table has none yet (then the cell is
    typed as text)."""
    if not column.choices_from:
        return []
    section_id, question_id, column_id = column.choices_from.split(".", 2)
    rows = (context.get(section_id) or {}).get(question_id)
    values = []
    for row in rows if isinstance(rows, list) else []:
        value = row.get(column_id) if isinstance(row, dict) else None
        if not is_empty(value) and str(value) not in values:
            values.append(str(value))
    return values


def _stale_cells(content: Content, question: Question, context: dict) -> list:
    """Rows of a table whose `choices_from` cell names a value no longer in the column it comes from."""
    found = []
    rows = (context.get(question.section_id) or {}).get(question.id)
    for column in question.columns:
        if not column.choices_from or not isinstance(rows, list):
            continue
        allowed = column_choices(column, context)
        source = content.question(column.choices_from.rsplit(".", 1)[0])
        for number, row in enumerate(rows, 1):
            value = row.get(column.id) if isinstance(row, dict) else None
            if allowed and not is_empty(value) and str(value) not in allowed:
                found.append((question, f"{question.label}, row {number}: {column.label} is '{value}', which "
                                        f"is no longer in '{source.label if source else column.choices_from}'. "
                                        "Choose it again so the plan agrees with itself."))
    return found


def stale_answers(content: Content, evaluation: Evaluation) -> list:
    """(question, message) for each answer no longer among the earlier answer it must come from.

    Such a plan contradicts itself (the first model to launch is not one of the chosen models); the
    wizard asks the question again, and status and exports list it under "Things to double-check".
    """
    found = []
    for question in evaluation.applicable:
        if question.type == "table":
            found += _stale_cells(content, question, evaluation.context)
        if not question.choices_from:
            continue
        offered = offered_choices(content, question, evaluation.context)
        value = (evaluation.context.get(question.section_id) or {}).get(question.id)
        if offered is None or is_empty(value):
            continue
        allowed = {v for v, _ in offered}
        given = value if isinstance(value, list) else [value]
        if all(v in allowed for v in given):
            continue
        source = content.question(question.choices_from)
        found.append((question, f"{question.label} is '{display(question, value)}', which is no longer "
                                f"among the answers to '{source.label}'. Choose it again so the plan "
                                "agrees with itself."))
    return found


def checks_involving(content: Content, evaluation: Evaluation, key: str, answers: Optional[dict] = None,
                     skipped=()) -> list:
    """The plan checks that read question `key` and fire now: said as soon as that answer is given.

    With `answers`, a check waits until every question it reads has been reached (answered, skipped,
    not asked for this plan, or before `key` in asking order): "no milestones are listed" must not be
    said one question before milestones are asked. `status` and exports still list it whenever it fires.
    The budget's own checks are said when a budget input changes.
    """
    from deflect_cli.plan.budget import INPUTS

    order = {q.key: i for i, q in enumerate(evaluation.applicable)}
    here = order.get(key, len(order))

    def reached(name: str) -> bool:
        question = content.question(name)
        if question is None or answers is None or not evaluation.applies(question):
            return True
        return order[name] <= here or status(question, answers, skipped) != OPEN

    found = [c for c in content.all_checks()
             if key in _names_read(c.when) and all(reached(name) for name in _names_read(c.when))
             and conditions.evaluate(c.when, evaluation.context, f"check {c.id}")]
    return found + (budget_checks(content, evaluation) if key in INPUTS else [])


_NAMES_READ: dict = {}


def _names_read(source: str) -> frozenset:
    """`conditions.referenced_names`, remembered: asked of every check after every answer."""
    found = _NAMES_READ.get(source)
    if found is None:
        found = _NAMES_READ[source] = conditions.referenced_names(source)
    return found


def visible_answers(evaluation: Evaluation, answers: dict) -> dict:
    """Only the answers to questions that apply: what exports and checks should see."""
    out: dict = {}
    for question in evaluation.applicable:
        value = answer_of(answers, question)
        if not is_empty(value):
            out.setdefault(question.section_id, {})[question.id] = value
    return out
