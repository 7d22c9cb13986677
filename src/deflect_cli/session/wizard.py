"""The interactive session: guide text on screen, one prompt per question, a save after each answer.

At every prompt a person can go back, skip for now, open the section menu (jump to a section,
review and change answers, re-read the guide, the glossary) or save and quit; Ctrl-C saves and
leaves with 130, Ctrl-D or the end of piped input with 0. Text typed but not submitted is never
dropped: it becomes the answer when valid, else a draft offered back. The same logic drives both
modes: all talking goes through a `Prompter` (rich keys in a terminal, typed commands in plain mode).
Which question comes next is decided by `flow`; answers hidden by a changed condition are kept
(dormant), never deleted.

`Wizard` is what the command line drives; each job is a part of its own, all sharing one `Session`
(state.py: the content, the plan, the prompter, saving):

- walk.py: the walk (welcome, section openings, question after question, end of the workbook);
- menu.py: the section menu; review_edit.py: check your answers and change them;
- askers.py: asking one question, one asker per type; tables.py: the table editor;
- saving.py: an answer saved and what it changed said; on leaving, typed text kept.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.model import Content, Question
from deflect_cli.plan.model import Plan
from deflect_cli.session.askers import Askers
from deflect_cli.session.interface import make_prompter
from deflect_cli.session.menu import Menu
from deflect_cli.session.review_edit import ReviewEdit
from deflect_cli.session.state import Session
from deflect_cli.session.tables import TableEditor
from deflect_cli.session.walk import Walk


class Wizard:
    def __init__(self, content: Content, plan: Plan, console=None, ui=None, plain: bool = False):
        self.session = Session(content, plan, ui or make_prompter(plain, console))
        self.askers = Askers(self.session, TableEditor(self.session))
        # The menu offers review, and review offers the menu at every question it asks again: the
        # menu gets this facade's review, which is wired by the time anyone opens the menu.
        self.menu = Menu(self.session, review=self.review)
        self.review_edit = ReviewEdit(self.session, self.askers.ask_question, self.menu.open)
        self.walk = Walk(self.session, self.askers.ask_question, self.menu, self.review_edit.review)

    @property
    def content(self) -> Content:
        return self.session.content

    @property
    def plan(self) -> Plan:
        return self.session.plan

    @property
    def ui(self):
        return self.session.ui

    @property
    def console(self):
        return getattr(self.session.ui, "console", None)

    def run(self, start: Optional[Question] = None, welcome: bool = False) -> int:
        """Walk the questions from `start`; returns the process exit code."""
        return self.walk.run(start, welcome)

    def welcome_back(self, start: Optional[Question]) -> None:
        self.walk.welcome_back(start)

    def review(self, section=None):
        return self.review_edit.review(section)

    def review_section(self, section):
        return self.review_edit.review_section(section)

    def edit(self, question: Question):
        return self.review_edit.edit(question)

    def signed_off(self, code: int) -> int:
        return self.review_edit.signed_off(code)

    def ask_question(self, question: Question):
        return self.askers.ask_question(question)
