"""The section menu (Ctrl-O, or `menu` in plain mode): jump to a section, check and change answers,
go to the first question not yet answered, read the guide or the glossary, or save and quit.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.model import Question
from deflect_cli.plan import flow
from deflect_cli.session.prompter import QUIT, Option, is_signal
from deflect_cli.session.review import section_title
from deflect_cli.session.state import Part


class Menu(Part):
    def __init__(self, session, review):
        super().__init__(session)
        self.review = review  # "Check and change your answers": review and edit's review()

    def open(self, current: Optional[Question]):
        """The section menu. Returns a question to go to, QUIT, or None to stay where we are."""
        section = self.session.section(current) if current is not None else None
        while True:
            evaluation = self.session.evaluate()
            first = flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
            options = self._options(current, section, first, evaluation)
            self.ui.blank()
            self.ui.set_help("The section menu: move anywhere in the workbook, or read the guide. "
                             "Your answers are kept wherever you go.")
            choice = self.ui.select("Menu: what would you like to do?", options, default="stay", menu=True)
            if choice is QUIT or choice == "quit":
                return QUIT
            if choice == "jump":
                target = self.choose_section(section)
                if target is QUIT:
                    return QUIT
                if target is not None:
                    return target
                continue
            if choice == "review":
                outcome = self.review()
                if outcome is QUIT:
                    return QUIT
                return None
            if choice == "first":
                return first
            if choice == "guide":
                self.show_guide(section)
            elif choice == "glossary":
                self.show_glossary()
            return None

    def _options(self, current, section, first, evaluation) -> list:
        options = [Option("Back to the question" if current else "Back", "stay"),
                   Option("Jump to a section", "jump"),
                   Option("Check and change your answers", "review")]
        if first is not None and (current is None or first.key != current.key):
            options.append(Option(f"Go to the first question not yet answered "
                                  f"({self.session.where(first, evaluation)})", "first"))
        if section is not None and section.guide:
            options.append(Option(f"Read the guide for {section.title}", "guide"))
        if self.content.glossary:
            options.append(Option("Open the glossary", "glossary"))
        options.append(Option("Save and quit", "quit"))
        return options

    def choose_section(self, current_section=None):
        """Pick a section; returns its first question that applies, None to cancel, or QUIT."""
        evaluation = self.session.evaluate()
        options = []
        for p in flow.progress(self.content, evaluation, self.plan.answers, self.plan.skipped):
            title = section_title(self.content, p.section)
            if p.total:
                options.append(Option(f"{title} ({p.answered} of {p.total} answered)", p.section.id))
            else:
                options.append(Option(title, p.section.id, disabled="no questions apply to this plan"))
        self.ui.set_help("Choose a section to go to its first question. Your answers are kept.")
        options.append(Option("Cancel", "cancel"))
        choice = self.ui.select("Jump to which section?", options,
                                default=current_section.id if current_section else None, menu=True)
        if choice is QUIT:
            return QUIT
        if is_signal(choice) or choice == "cancel":
            return None
        target = next((q for q in evaluation.applicable if q.section_id == choice), None)
        if target is not None:
            self.session.introduced.discard(choice)  # its opening screen is shown again on arrival
        return target

    def show_guide(self, section) -> None:
        from deflect_cli.content.guide import section_markdown

        self.ui.page(section_markdown(section))

    def show_glossary(self) -> None:
        from deflect_cli.content.guide import glossary_markdown

        self.ui.page(glossary_markdown(self.content))
