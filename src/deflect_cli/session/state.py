"""What the parts of an interactive session share: the content, the plan, the prompter and saving.

The walk, the menu, review and edit, the askers and the table editor (see wizard.py) each get this
one `Session` and keep their own state to themselves; only what two of them truly share lives here.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.model import Content, Question
from deflect_cli.plan import flow
from deflect_cli.plan.model import Plan
from deflect_cli.plan.store import save_plan


class Session:
    def __init__(self, content: Content, plan: Plan, ui):
        self.content = content
        self.plan = plan
        self.ui = ui
        # The question whose prompt the person left with typed, unsubmitted text (Ctrl-C, Ctrl-Q,
        # the menu): set by the askers; on leaving, that text is saved as the answer if valid, else
        # kept as a draft.
        self.pending: Optional[Question] = None
        # Sections whose opening screen was shown; a jump from the menu shows it again.
        self.introduced: set = set()

    def save(self) -> None:
        save_plan(self.plan)

    def evaluate(self):
        # Worded for the plan's lead, so every label on screen (changes, review) reads as asked.
        return flow.evaluate(self.content.worded(self.plan.answers), self.plan.answers, self.plan.core)

    def section(self, question: Question):
        worded = self.content.worded(self.plan.answers)  # its summary and guide as this plan's lead reads them
        return next(s for s in worded.all_sections if s.id == question.section_id)

    def sep(self) -> str:
        return " - " if self.ui.plain else " · "

    def where(self, question: Question, evaluation=None) -> str:
        """"Section 3 of 12 · question 4 of 9", counted over the questions that apply now."""
        from deflect_cli.session.report import where

        return where(self.content, evaluation or self.evaluate(), question, self.sep())

    def percent_done(self, evaluation) -> int:
        from deflect_cli.session.report import percent

        answered = sum(1 for q in evaluation.applicable
                       if flow.status(q, self.plan.answers, self.plan.skipped) == flow.ANSWERED)
        return percent(answered, len(evaluation.applicable))


class Part:
    """One job of a session (the walk, the menu, review and edit, asking): it works on the Session it
    is given, reading the content, plan and prompter from it."""

    def __init__(self, session: Session):
        self.session = session
        self.content, self.plan, self.ui = session.content, session.plan, session.ui
