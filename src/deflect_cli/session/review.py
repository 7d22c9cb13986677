""""Check your answers": every question of a section with its answer and where it stands.

Pure (no terminal, no rich): the wizard's interactive review, `deflect review` through a pipe and
the resume summary all read the same rows, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from deflect_cli.content.answers import display, is_answered, is_empty
from deflect_cli.content.model import Question
from deflect_cli.controlchars import visible
from deflect_cli.plan import flow

ANSWERED, SKIPPED, NOT_APPLICABLE, TO_DECIDE = "answered", "skipped", "not applicable", "still to decide"
STATUS_LABELS = {
    ANSWERED: "Answered",
    SKIPPED: "Skipped for now",
    NOT_APPLICABLE: "Does not apply",
    TO_DECIDE: "Still to decide",
}


@dataclass(frozen=True)
class Row:
    question: Question
    status: str
    answer: str
    dormant: bool = False  # an answer set aside because the question does not apply now

    @property
    def editable(self) -> bool:
        return self.status != NOT_APPLICABLE

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        return f"{label} (earlier answer set aside)" if self.dormant else label


def shown(question: Question, value, limit: Optional[int] = 80) -> str:
    """An answer in words for a review line; long text is shortened to its first `limit` characters."""
    if not is_answered(question, value):
        return ""
    if question.type == "table" and isinstance(value, list):
        first = question.columns[0]
        names = [display(first, row.get(first.id)) for row in value if isinstance(row, dict)]
        text = f"{display(question, value)}: " + ", ".join(n for n in names if n) if any(names) \
            else display(question, value)
    else:
        text = display(question, value)
    text = visible(" ".join(str(text).split()))
    if limit and len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def section_rows(content, plan, section, evaluation=None) -> list:
    evaluation = evaluation or flow.evaluate(content, plan.answers, plan.core)
    rows = []
    for question in section.questions:
        question = content.wording(question, plan.answers)
        value = flow.answer_of(plan.answers, question)
        if not evaluation.applies(question):
            rows.append(Row(question, NOT_APPLICABLE, shown(question, value), dormant=not is_empty(value)))
            continue
        state = flow.status(question, plan.answers, plan.skipped)
        status = {flow.ANSWERED: ANSWERED, flow.SKIPPED: SKIPPED}.get(state, TO_DECIDE)
        rows.append(Row(question, status, shown(question, value)))
    return rows


def section_title(content, section) -> str:
    return section.heading("Section", of=len(content.sections))


def counts(rows: list) -> dict:
    out = {ANSWERED: 0, SKIPPED: 0, NOT_APPLICABLE: 0, TO_DECIDE: 0}
    for row in rows:
        out[row.status] += 1
    return out


def counts_text(rows: list) -> str:
    c = counts(rows)
    parts = [f"{c[ANSWERED]} answered"]
    if c[SKIPPED]:
        parts.append(f"{c[SKIPPED]} skipped")
    if c[TO_DECIDE]:
        parts.append(f"{c[TO_DECIDE]} still to decide")
    if c[NOT_APPLICABLE]:
        parts.append(f"{c[NOT_APPLICABLE]} not applicable")
    return ", ".join(parts)


def edit_ref(section, question) -> str:
    """The short name `deflect edit` takes: `5.roster`, or `profile.agency` for the plan profile."""
    return f"{section.number}.{question.id}" if section.number else question.key


def review_text(content, plan, sections) -> str:
    """The check-your-answers lists as plain text: for `deflect review` through a pipe or a file."""
    evaluation = flow.evaluate(content, plan.answers, plan.core)
    lines = [f"Plan: {plan.path}"]
    for section in sections:
        rows = section_rows(content, plan, section, evaluation)
        lines += ["", f"{section_title(content, section)} ({counts_text(rows)})"]
        who = plan.contributors_text(section.id) if hasattr(plan, "contributors_text") else ""
        if who:
            lines.append(f"  Answered by: {who}")
        for number, row in enumerate(rows, 1):
            answer = f": {row.answer}" if row.answer and row.status != NOT_APPLICABLE else ""
            lines.append(f"  {number}. {row.question.label}{answer} [{row.status_label}] "
                         f"({edit_ref(section, row.question)})")
    lines += ["", "Change an answer with `deflect edit` and the name in parentheses "
                  f"(for example `deflect edit {edit_ref(sections[0], sections[0].questions[0])}`), "
                  "or choose it with `deflect review` in a terminal."]
    return visible("\n".join(lines))
