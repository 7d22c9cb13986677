"""The walk through the workbook: the welcome, each section's opening screen, one question after
another in the order `flow` gives, and the end of the workbook. At any question the person can go
back (Ctrl-B after a menu jump returns to where they were, like a browser's back button), skip for
now, open the menu, or save and quit; Ctrl-C saves and leaves with 130, Ctrl-D or the end of piped
input with 0.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.model import Question
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.plan.model import plan_flag
from deflect_cli.session.askers import NAV_KEYS
from deflect_cli.session.prompter import BACK, MENU, QUIT, EndOfInput, Interrupted, Option
from deflect_cli.session.review import section_title
from deflect_cli.session.saving import record, say_saved
from deflect_cli.session.state import Part


class Walk(Part):
    def __init__(self, session, ask, menu, review):
        super().__init__(session)
        self.ask = ask  # the askers' ask_question
        self.menu = menu  # the section menu (menu.py)
        self.review = review  # review and edit's review(), offered at the end of the workbook
        # (where the person was, where a menu jump took them): Ctrl-B at the landing question goes
        # back to where they were, like a browser's back button.
        self._jumps: list = []
        # A section whose opening choice is shown again after its menu closed with nothing chosen.
        self._reopen: Optional[str] = None

    def run(self, start: Optional[Question] = None, welcome: bool = False) -> int:
        """Walk the questions from `start`; returns the process exit code."""
        current = start or flow.first_open(self.session.evaluate(), self.plan.answers, self.plan.skipped)
        try:
            if welcome and self._welcome() is QUIT:
                return self._leave(current, 0)
            while True:
                if current is None:
                    following = self._end_of_workbook()
                    if following is None:
                        return 0
                    if following is QUIT:
                        return self._leave(None, 0)
                    current = following
                    continue
                following = self._visit(current)
                if following is QUIT:
                    return self._leave(current, 0)
                current = following
        except Interrupted as stop:
            if isinstance(stop, EndOfInput) and self.ui.plain and current is not None:
                self.ui.blank()
                self.ui.say(f"End of input: stopped at '{current.label}' ({current.key}); "
                            f"continue with `deflect resume{plan_flag(self.plan.path)}`.")
            return self._leave(current, stop.code)

    def _visit(self, current: Question):
        """Ask `current` (after its section's opening screen, the first time there). Returns the
        question to go to next (None past the last one), or QUIT to leave at `current`."""
        evaluation = self.session.evaluate()
        if not evaluation.applies(current):  # hidden by an answer changed in the menu
            return flow.step(evaluation, current, 1)
        header = self._section_header(current)
        result = self.ask(current) if header is None else header
        if result is QUIT:
            return QUIT
        if result is MENU:
            return self._from_menu(current, header)
        if result is BACK:
            return self._back(current, evaluation)
        return record(self.session, current, result, walking=True)

    def _from_menu(self, current: Question, header):
        target = self.menu.open(current)
        if target is QUIT:
            return QUIT
        if target is None:
            if header is MENU:  # e.g. the glossary, opened from the section's opening choice
                self._reopen = current.section_id
            return current
        if target.key != current.key:
            self._jumps.append((current, target))
        return target

    def _back(self, current: Question, evaluation) -> Question:
        if self._jumps and self._jumps[-1][1].key == current.key:
            origin = self._jumps.pop()[0]
            if evaluation.applies(origin):
                self.ui.note(f"Back to where you were before the jump: {origin.label}.")
                return origin
        previous = flow.step(evaluation, current, -1)
        if previous is None:
            self.ui.note("This is the first question.")
            return current
        return previous

    def _leave(self, current: Optional[Question], code: int) -> int:
        if current is not None:
            self.plan.position = current.key
        say_saved(self.session)
        self.ui.say(f"Pick up where you left off with: deflect resume{plan_flag(self.plan.path)}")
        return code

    def _end_of_workbook(self):
        """The last screen: finish, check the answers first, or go to what is still open.

        Returns None when finished, QUIT, or the question to go to.
        """
        while True:
            evaluation = self.session.evaluate()
            still = flow.still_to_decide(evaluation, self.plan.answers, self.plan.skipped)
            first = flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
            self.ui.heading("You have reached the end of the workbook")
            self.ui.say(f"The plan is {self.session.percent_done(evaluation)}% answered.")
            if still:
                self.ui.say(f"{plural(len(still), 'question')} still to decide; the plan lists them "
                            "so a planning meeting can settle them.")
            options = [Option("Finish for now (every answer is saved)", "finish"),
                       Option("Check your answers, section by section", "review")]
            if first is not None:
                options.append(Option(f"Go to the first question not yet answered ({self.session.where(first)})",
                                      "first"))
            choice = self.ui.select("What would you like to do?", options, default="finish")
            if choice == "review":
                if self.review() is QUIT:
                    return QUIT
                continue
            if choice == "first":
                return first
            if choice is BACK and evaluation.applicable:
                return evaluation.applicable[-1]
            if choice is MENU:
                target = self.menu.open(None)
                if target is None:
                    continue
                return target
            if choice is QUIT:
                return QUIT
            self._finish()
            return None

    def _finish(self) -> None:
        self.plan.position = None
        say_saved(self.session)
        self.ui.say(f"Write the plan document with: deflect export --format md{plan_flag(self.plan.path)}")

    # ------------------------------------------------------------------ screens

    def _welcome(self):
        """The welcome, held on screen (in a short terminal) until the person has read it.

        Returns QUIT if they leave there, else None (back, skip and menu just begin)."""
        self.ui.panel(self.content.title, self.content.welcome or "")
        self.ui.note(self.ui.welcome_hint)
        if self.ui.plain:
            return None
        from rich.text import Text

        shown = self.ui.panel_height(self.content.title, self.content.welcome or "") + len(
            self.ui.console.render_lines(Text(self.ui.welcome_hint), pad=False))
        # The first question's screen: heading, position, a few lines of help, keys and the prompt.
        return self.ui.hold(shown, 12) if shown else None

    def welcome_back(self, start: Optional[Question]) -> None:
        """`deflect resume`: one screen saying what is done, where the person stopped, what is next."""
        from deflect_cli.session.report import resume_summary

        self.ui.heading("Welcome back")
        for line in resume_summary(self.content, self.plan, start, self.session.where):
            self.ui.say(line)
        drafted = [q.label for key in self.plan.drafts if (q := self.content.question(key)) is not None]
        if drafted:
            self.ui.say(f"Unfinished answers kept from last time (filled in when you open those questions): "
                        f"{', '.join(drafted)}.")
        self.ui.note(self.ui.welcome_hint if self.ui.plain else
                     f"{NAV_KEYS}. Ctrl-O opens the menu: review answers, jump to a section, read the guide.")

    def _section_header(self, question: Question):
        """The first time a section is reached: its title, summary and the offer to read its guide.

        Returns None to go on to the question, or a navigation signal.
        """
        section = self.session.section(question)
        introduced = self.session.introduced
        again, self._reopen = self._reopen == section.id, None
        if section.id in introduced and not again:
            return None
        introduced.add(section.id)
        if not again:
            self.ui.heading(section_title(self.content, section))
            if section.summary:
                self.ui.say(section.summary)
            if section.objectives:
                self.ui.markdown("\n".join(f"- {o}" for o in section.objectives))
            if self.ui.plain:
                self.ui.note(self.ui.nav_hint)
        evaluation = self.session.evaluate()
        opening = next((q for q in evaluation.applicable if q.section_id == section.id), None)
        if not section.guide or (opening is not None and opening.key != question.key):
            return None  # resuming mid-section: the heading orients; the guide is one Ctrl-O away
        self.ui.set_help("Choose 1 to go to this section's questions, or 2 to read its guide text first.")
        choice = self.ui.select("How would you like to begin this section?", [
            Option("Go to the questions", "questions"),
            Option("Read the guide text first", "guide"),
        ], default="questions")
        if choice == "guide":
            self.menu.show_guide(section)
        if choice in (BACK, MENU, QUIT):
            if choice is BACK:
                introduced.discard(section.id)
            return choice
        return None
