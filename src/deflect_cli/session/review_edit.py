"""Check your answers and change them: a section's answers as a list (a table in a terminal, one
sentence each in plain mode); choosing one asks it again, then any question the change brings up
in the same section. `deflect review` and `deflect edit` start here; the menu comes here too.
"""

from __future__ import annotations

from deflect_cli.content.model import Question
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.session.prompter import BACK, MENU, QUIT, Option, is_signal
from deflect_cli.session.review import counts_text, section_rows, section_title
from deflect_cli.session.saving import record, say_saved
from deflect_cli.session.state import Part


class ReviewEdit(Part):
    def __init__(self, session, ask, menu):
        super().__init__(session)
        self.ask = ask  # the askers' ask_question
        self.menu = menu  # the section menu's open(), for Ctrl-O at a question being changed

    def review(self, section=None):
        """Check your answers: a section's list, or first a choice of section. Returns QUIT or None."""
        if section is not None:
            return self.review_section(section)
        chosen = None
        while True:
            evaluation = self.session.evaluate()
            options = []
            for p in flow.progress(self.content, evaluation, self.plan.answers, self.plan.skipped):
                name = p.section.heading("Section")
                counts = f"{p.answered} of {p.total} answered" + (f", {p.skipped} skipped" if p.skipped else "")
                options.append(Option(f"{name} ({counts})", p.section.id))
            options.append(Option("Done checking", "done"))
            self.ui.heading("Check your answers")
            self.ui.set_help("Choose a section to see its answers and change any of them.")
            chosen = self.ui.select("Which section would you like to check?", options, default=chosen, menu=True)
            if chosen is QUIT:
                return QUIT
            if is_signal(chosen) or chosen == "done":
                return None
            if self.review_section(self.content.section(chosen)) is QUIT:
                return QUIT

    def review_section(self, section):
        """One section's answers; choosing one changes it, then the list comes back. Returns QUIT or None."""
        pointer, last = None, None
        while True:
            rows = section_rows(self.content, self.plan, section)
            if last is not None:  # after a change, the pointer waits on the next answer to check
                keys = [r.question.key for r in rows]
                later = [r.question.key for r in rows[keys.index(last) + 1:] if r.editable]
                pointer = later[0] if later else "done"
            self.ui.heading(f"Check your answers: {section_title(self.content, section)}")
            self.ui.note(counts_text(rows))
            options, header = (self._plain_review_options(rows), None) if self.ui.plain else self._review_options(rows)
            options.append(Option("Done with this section", "done"))
            self.ui.set_help("Choose an answer to change it; you come back to this list afterwards.")
            choice = self.ui.select("Choose an answer to change, or Done.", options, default=pointer,
                                    header=header, menu=True)
            if choice is QUIT:
                return QUIT
            if is_signal(choice) or choice == "done":
                return None
            if self.edit(self.content.question(choice)) is QUIT:
                return QUIT
            last = choice

    def _plain_review_options(self, rows) -> list:
        """One sentence per question: label, answer, where it stands."""
        options = []
        for row in rows:
            answer = f": {row.answer}" if row.answer and row.editable else ""
            options.append(Option(f"{row.question.label}{answer} - {row.status_label.lower()}", row.question.key,
                                  disabled=None if row.editable else "does not apply to this plan now"))
        return options

    def _review_options(self, rows) -> tuple:
        """The check-your-answers table as the rows of a select (choosing a row changes that answer), and
        the header line above them."""
        # A row is pointer (3) + indent (2) + "NN. " (4) + label + 2 + status + 2 + answer, and must fit
        # the terminal: prompt_toolkit cuts a longer list line at the edge with no sign of it.
        room = getattr(self.ui, "width", 100) - 1 - 3 - 2 - 4 - 2 - 2
        status_width = max(len(r.status_label) for r in rows)
        label_width = max(10, min(36, max(len(r.question.label) for r in rows), room - status_width - 12))
        answer_width = max(12, room - label_width - status_width)
        header = f"  {'#':>2}  {'Question':<{label_width}}  {'Status':<{status_width}}  Answer"
        options = []
        for i, row in enumerate(rows, 1):
            label = _fit(row.question.label, label_width)
            answer = _fit(row.answer, answer_width) if row.editable else ""
            text = f"{i:>2}. {label:<{label_width}}  {row.status_label:<{status_width}}  {answer}".rstrip()
            options.append(Option(("  " if row.editable else "") + text, row.question.key,
                                  disabled=None if row.editable else "does not apply", quiet=True))
        return options, header

    def edit(self, question: Question):
        """Change one answer, then ask any question the change newly brings up. Returns QUIT or None."""
        evaluation = self.session.evaluate()
        if not evaluation.applies(question):
            from deflect_cli.content.wording import describe

            self.ui.warn(f"{question.label} does not apply to this plan now: it is asked only when "
                         f"{describe(self.content, question.when)}. Any answer it had is set aside.")
            return None
        queue = [question]
        first = True
        while queue:
            current = queue.pop(0)
            if not self.session.evaluate().applies(current):
                continue
            before = self.plan.answer(current.section_id, current.id)
            result = self.ask(current)
            if result is QUIT:
                return QUIT
            if result is MENU:
                # The menu, as at every question; back from it, the question is asked again with
                # what was ticked before Ctrl-O still ticked. A jump edits the question jumped to.
                target = self.menu(current)
                if target is QUIT:
                    return QUIT
                queue.insert(0, target if target is not None else current)
                continue
            if result is BACK:
                if not first:
                    self.ui.note("The remaining new questions are left for later.")
                elif self.plan.answer(current.section_id, current.id) == before:
                    self.ui.note("Not changed.")
                return None
            new_open = record(self.session, current, result)
            # Follow-ups in the same section are asked now; the person is not carried off to another
            # section: those wait where they are, and the walk or `resume` reaches them.
            here = [q for q in new_open if q.section_id == question.section_id]
            self._note_elsewhere([q for q in new_open if q.section_id != question.section_id and q not in queue])
            queue.extend(q for q in here if q not in queue)
            first = False
        return None

    def signed_off(self, code: int) -> int:
        """After `deflect review` or `deflect edit`: where the answers are and what to do next."""
        from deflect_cli.session.report import next_step

        say_saved(self.session)
        self.ui.say(next_step(self.content, self.plan, self.session.evaluate()))
        return code

    def _note_elsewhere(self, elsewhere: list) -> None:
        """Said, not asked: a change made here does not carry the person off to another section."""
        if not elsewhere:
            return
        titles = list(dict.fromkeys(self.session.section(q).title for q in elsewhere))
        where = "another section" if len(titles) == 1 else "other sections"
        waits = ("waits there until you reach it" if len(elsewhere) == 1
                 else "wait there until you reach them")
        self.ui.note(f"This change also brings up {plural(len(elsewhere), 'new question')} in {where} "
                     f"({', '.join(titles)}); {waits}.")


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 3)].rstrip() + "..."
