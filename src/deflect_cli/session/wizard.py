"""The interactive session: guide text on screen, one prompt per question, a save after each answer.

At every prompt a person can go back, skip for now, open the section menu (jump to a section,
review and change answers, re-read the guide, the glossary) or save and quit; Ctrl-C saves and
leaves with 130, Ctrl-D or the end of piped input with 0. Text typed but not submitted is never
dropped: it becomes the answer when valid, else a draft offered back. The same logic drives both
modes: all talking goes through a `Prompter` (rich keys in a terminal, typed commands in plain mode).
Which question comes next is decided by `flow`; answers hidden by a changed condition are kept
(dormant), never deleted.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content.answers import cell, choice_limit_error, display, is_empty, is_past, parse_text, validate
from deflect_cli.content.model import OTHER_LABEL, Content, Question, prefill_rows
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.plan.model import Plan, plan_flag
from deflect_cli.plan.store import save_plan
from deflect_cli.session.interface import make_prompter
from deflect_cli.session.prompter import (
    BACK,
    MENU,
    QUIT,
    SKIP,
    EndOfInput,
    Interrupted,
    Option,
    RichPrompter,
    is_signal,
)
from deflect_cli.session.review import counts_text, section_rows, section_title

NAV_KEYS = RichPrompter.nav_hint
_DATE_HINT = "(YYYY-MM-DD, like 2027-03-01; 03/01/2027 works too)"
_OTHER = "<other>"
_BLANK = "<blank>"


def _control_problem(text: str) -> Optional[str]:
    """Control characters (other than newline and tab) never enter an answer, even pasted."""
    from deflect_cli.controlchars import find_control

    found = find_control(text)
    if found is None:
        return None
    return f"The answer has a control character, {found[1]}, at character {found[0] + 1}; delete it and try again."


def _without_controls(text: str) -> str:
    from deflect_cli.controlchars import find_control

    while (found := find_control(text)) is not None:
        text = text[: found[0]] + text[found[0] + 1:]
    return text


def _text_validator(rule, required: bool, skip_hint: str):
    def check(text: str):
        problem = _control_problem(text)
        if problem:
            return problem
        value, error = parse_text(rule, text)
        if error:
            return _sentence(error)
        if required and is_empty(value):
            return f"This answer is required: type it, or {skip_hint}."
        return True

    return check


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


class Wizard:
    def __init__(self, content: Content, plan: Plan, console=None, ui=None, plain: bool = False):
        self.content = content
        self.plan = plan
        self.ui = ui or make_prompter(plain, console)
        self.console = getattr(self.ui, "console", None)
        self._introduced: set = set()
        # The question whose prompt the person left with typed, unsubmitted text (Ctrl-C, Ctrl-Q,
        # the menu): on leaving, that text is saved as the answer if valid, else kept as a draft.
        self._pending: Optional[Question] = None
        self._ticked: dict = {}  # question key -> what was ticked when Ctrl-O opened the menu
        # (where the person was, where a menu jump took them): Ctrl-B at the landing question goes
        # back to where they were, like a browser's back button.
        self._jumps: list = []
        # A section whose opening choice is shown again after its menu closed with nothing chosen.
        self._reopen: Optional[str] = None

    # ------------------------------------------------------------------ helpers

    def _evaluate(self):
        # Worded for the plan's lead, so every label on screen (changes, review) reads as asked.
        return flow.evaluate(self.content.worded(self.plan.answers), self.plan.answers, self.plan.core)

    def _section(self, question: Question):
        worded = self.content.worded(self.plan.answers)  # its summary and guide as this plan's lead reads them
        return next(s for s in worded.all_sections if s.id == question.section_id)

    def _sep(self) -> str:
        return " - " if self.ui.plain else " · "

    def where(self, question: Question, evaluation=None) -> str:
        """"Section 3 of 12 · question 4 of 9", counted over the questions that apply now."""
        from deflect_cli.session.report import where

        return where(self.content, evaluation or self._evaluate(), question, self._sep())

    def _percent_done(self, evaluation) -> int:
        from deflect_cli.session.report import percent

        answered = sum(1 for q in evaluation.applicable
                       if flow.status(q, self.plan.answers, self.plan.skipped) == flow.ANSWERED)
        return percent(answered, len(evaluation.applicable))

    # ------------------------------------------------------------------ the walk

    def run(self, start: Optional[Question] = None, welcome: bool = False) -> int:
        """Walk the questions from `start`; returns the process exit code."""
        evaluation = self._evaluate()
        current = start or flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
        try:
            if welcome and self._welcome() is QUIT:
                return self._leave(current, 0)
            while True:
                if current is None:
                    current = self._end_of_workbook()
                    if current is None:
                        return 0
                    if current is QUIT:
                        return self._leave(None, 0)
                    continue
                evaluation = self._evaluate()
                if not evaluation.applies(current):  # hidden by an answer changed in the menu
                    current = flow.step(evaluation, current, 1)
                    continue
                header = self._section_header(current)
                result = self.ask_question(current) if header is None else header
                if result is QUIT:
                    return self._leave(current, 0)
                if result is MENU:
                    target = self.menu(current)
                    if target is QUIT:
                        return self._leave(current, 0)
                    if target is not None:
                        if target.key != current.key:
                            self._jumps.append((current, target))
                        current = target
                    elif header is MENU:  # e.g. the glossary, opened from the section's opening choice
                        self._reopen = current.section_id
                    continue
                if result is BACK:
                    if self._jumps and self._jumps[-1][1].key == current.key:
                        origin = self._jumps.pop()[0]
                        if evaluation.applies(origin):
                            self.ui.note(f"Back to where you were before the jump: {origin.label}.")
                            current = origin
                            continue
                    previous = flow.step(evaluation, current, -1)
                    if previous is None:
                        self.ui.note("This is the first question.")
                    else:
                        current = previous
                    continue
                following = self.record(current, result, walking=True)
                current = following
        except Interrupted as stop:
            if isinstance(stop, EndOfInput) and self.ui.plain and current is not None:
                self.ui.blank()
                self.ui.say(f"End of input: stopped at '{current.label}' ({current.key}); "
                            f"continue with `deflect resume{plan_flag(self.plan.path)}`.")
            return self._leave(current, stop.code)

    def record(self, question: Question, result, walking: bool = False):
        """Store an answer (or a skip), save, say so, and report what the change did to conditions.

        Returns the next question in the walk when `walking`, else the questions that this change
        newly brought into play and that still need an answer.
        """
        before = self._evaluate()
        if result is SKIP:
            self.plan.skip(question.key)
        else:
            self.plan.set_answer(question.key, result)
        after = self._evaluate()
        following = flow.step(after, question, 1)
        if walking:
            self.plan.position = following.key if following else None
        save_plan(self.plan)
        if result is SKIP:
            self.ui.note("Skipped for now; it stays on the Still to decide list.")
        else:
            self.ui.saved(display(self.content.wording(question, self.plan.answers), result))
        new_open = self._changes(before, after, announce_new=not walking)
        new_open += [q for q in self._newly_stale(question, before, after) if q not in new_open]
        if result is not SKIP:
            self._warn_checks(question, after)
        return following if walking else new_open

    def _newly_stale(self, question: Question, before, after) -> list:
        """Later answers this change contradicts (a first model no longer among the chosen ones):
        said now, asked again on the way through, and listed by `status` until they agree again."""
        was = {q.key for q, _ in flow.stale_answers(self.content, before)}
        stale = list({q.key: q for q, _ in flow.stale_answers(self.content, after)
                      if q.key not in was and q.key != question.key}.values())  # a table once, however many rows
        if stale:
            names = ", ".join(q.label for q in stale)
            self.ui.note(f"{plural(len(stale), 'later answer')} no longer fit{'s' if len(stale) == 1 else ''} "
                         f"this change ({names}) and will be asked again.")
        return stale

    def _warn_checks(self, question: Question, evaluation) -> None:
        """A plan check this answer makes fire, said now in one line rather than only in `status`."""
        for check in flow.checks_involving(self.content, evaluation, question.key, self.plan.answers,
                                           self.plan.skipped):
            self.ui.warn(f"Worth a second look: {_first_sentence(check.message)} "
                         "(listed under Things to double-check)")

    def _changes(self, before, after, announce_new: bool) -> list:
        answers = self.plan.answers
        hidden = [q for q in before.applicable if not after.applies(q)
                  and not is_empty(flow.answer_of(answers, q))]
        appeared = [q for q in after.applicable if not before.applies(q)]
        restored = [q for q in appeared if not is_empty(flow.answer_of(answers, q))]
        new_open = [q for q in appeared if flow.status(q, answers, self.plan.skipped) == flow.OPEN]
        if hidden:
            names = ", ".join(q.label for q in hidden)
            self.ui.note(f"{plural(len(hidden), 'answer')} no longer apply after this change ({names}). "
                         "They are set aside, and come back if you change this answer back.")
        if restored:
            names = ", ".join(q.label for q in restored)
            self.ui.note(f"{plural(len(restored), 'earlier answer')} apply again and are back ({names}).")
        if new_open and announce_new:
            self.ui.note(f"This change brings up {plural(len(new_open), 'new question')}.")
        return new_open

    def _leave(self, current: Optional[Question], code: int) -> int:
        if current is not None:
            self.plan.position = current.key
        kept = self._keep_pending()
        save_plan(self.plan)
        self.ui.blank()
        self.ui.say(kept)
        self.ui.say(f"Pick up where you left off with: deflect resume{plan_flag(self.plan.path)}")
        return code

    def signed_off(self, code: int) -> int:
        """After `deflect review` or `deflect edit`: where the answers are and what to do next."""
        from deflect_cli.session.report import next_step

        kept = self._keep_pending()
        save_plan(self.plan)
        self.ui.blank()
        self.ui.say(kept)
        self.ui.say(next_step(self.content, self.plan, self._evaluate()))
        return code

    def _keep_pending(self) -> str:
        """Before leaving: the text typed at the prompt the person left becomes the answer when it is
        a valid one, else stays a draft. Returns the line saying exactly what was kept."""
        question, self._pending = self._pending, None
        typed = self.plan.drafts.get(question.key) if question is not None else None
        where = f"in {self.plan.path}"
        if typed is None:
            drafts = len(self.plan.drafts)
            later = (f"; {plural(drafts, 'unfinished answer')} {'is' if drafts == 1 else 'are'} kept as "
                     f"{'a draft' if drafts == 1 else 'drafts'} for when you return") if drafts else ""
            return f"Saved {plural(self.plan.answer_count(), 'answer')} {where}{later}."
        name = _shorten(question.prompt, 50)
        value, error = parse_text(question, typed)
        if _text_validator(question, False, "")(typed) is True and not is_empty(value):
            self.plan.set_answer(question.key, value)
            return (f"Saved {plural(self.plan.answer_count(), 'answer')} {where}, including the one you "
                    f"were typing to '{name}' ({display(question, value)}).")
        return (f"Saved {plural(self.plan.answer_count(), 'answer')} {where}; your unfinished answer to "
                f"'{name}' is kept as a draft and shown when you return.")

    def _end_of_workbook(self):
        """The last screen: finish, check the answers first, or go to what is still open.

        Returns None when finished, QUIT, or the question to go to.
        """
        while True:
            evaluation = self._evaluate()
            still = flow.still_to_decide(evaluation, self.plan.answers, self.plan.skipped)
            first = flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
            self.ui.heading("You have reached the end of the workbook")
            self.ui.say(f"The plan is {self._percent_done(evaluation)}% answered.")
            if still:
                self.ui.say(f"{plural(len(still), 'question')} still to decide; the plan lists them "
                            "so a planning meeting can settle them.")
            options = [Option("Finish for now (every answer is saved)", "finish"),
                       Option("Check your answers, section by section", "review")]
            if first is not None:
                options.append(Option(f"Go to the first question not yet answered ({self.where(first)})", "first"))
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
                target = self.menu(None)
                if target is None:
                    continue
                return target
            if choice is QUIT:
                return QUIT
            self.plan.position = None
            kept = self._keep_pending()
            save_plan(self.plan)
            self.ui.blank()
            self.ui.say(kept)
            self.ui.say(f"Write the plan document with: deflect export --format md{plan_flag(self.plan.path)}")
            return None

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
            self.console.render_lines(Text(self.ui.welcome_hint), pad=False))
        # The first question's screen: heading, position, a few lines of help, keys and the prompt.
        return self.ui.hold(shown, 12) if shown else None

    def welcome_back(self, start: Optional[Question]) -> None:
        """`deflect resume`: one screen saying what is done, where the person stopped, what is next."""
        from deflect_cli.session.report import resume_summary

        self.ui.heading("Welcome back")
        for line in resume_summary(self.content, self.plan, start, self.where):
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
        section = self._section(question)
        again, self._reopen = self._reopen == section.id, None
        if section.id in self._introduced and not again:
            return None
        self._introduced.add(section.id)
        if not again:
            self.ui.heading(section_title(self.content, section))
            if section.summary:
                self.ui.say(section.summary)
            if section.objectives:
                self.ui.markdown("\n".join(f"- {o}" for o in section.objectives))
            if self.ui.plain:
                self.ui.note(self.ui.nav_hint)
        evaluation = self._evaluate()
        opening = next((q for q in evaluation.applicable if q.section_id == section.id), None)
        if not section.guide or (opening is not None and opening.key != question.key):
            return None  # resuming mid-section: the heading orients; the guide is one Ctrl-O away
        self.ui.set_help("Choose 1 to go to this section's questions, or 2 to read its guide text first.")
        choice = self.ui.select("How would you like to begin this section?", [
            Option("Go to the questions", "questions"),
            Option("Read the guide text first", "guide"),
        ], default="questions")
        if choice == "guide":
            self.show_guide(section)
        if choice in (BACK, MENU, QUIT):
            if choice is BACK:
                self._introduced.discard(section.id)
            return choice
        return None

    def show_guide(self, section) -> None:
        from deflect_cli.content.guide import section_markdown

        self.ui.page(section_markdown(section))

    def show_glossary(self) -> None:
        from deflect_cli.content.guide import glossary_markdown

        self.ui.page(glossary_markdown(self.content))

    # ------------------------------------------------------------------ the section menu

    def menu(self, current: Optional[Question]):
        """The section menu. Returns a question to go to, QUIT, or None to stay where we are."""
        section = self._section(current) if current is not None else None
        while True:
            evaluation = self._evaluate()
            first = flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
            options = [Option("Back to the question" if current else "Back", "stay"),
                       Option("Jump to a section", "jump"),
                       Option("Check and change your answers", "review")]
            if first is not None and (current is None or first.key != current.key):
                options.append(Option(f"Go to the first question not yet answered ({self.where(first, evaluation)})",
                                      "first"))
            if section is not None and section.guide:
                options.append(Option(f"Read the guide for {section.title}", "guide"))
            if self.content.glossary:
                options.append(Option("Open the glossary", "glossary"))
            options.append(Option("Save and quit", "quit"))
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

    def choose_section(self, current_section=None):
        """Pick a section; returns its first question that applies, None to cancel, or QUIT."""
        evaluation = self._evaluate()
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
            self._introduced.discard(choice)
        return target

    # ------------------------------------------------------------------ review and edit

    def review(self, section=None):
        """Check your answers: a section's list, or first a choice of section. Returns QUIT or None."""
        if section is not None:
            return self.review_section(section)
        chosen = None
        while True:
            evaluation = self._evaluate()
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
            self._review_header = None
            options = self._plain_review_options(rows) if self.ui.plain else self._review_options(rows)
            options.append(Option("Done with this section", "done"))
            self.ui.set_help("Choose an answer to change it; you come back to this list afterwards.")
            choice = self.ui.select("Choose an answer to change, or Done.", options, default=pointer,
                                    header=self._review_header, menu=True)
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

    def _review_options(self, rows) -> list:
        """The check-your-answers table as the rows of a select: choosing a row changes that answer."""
        # A row is pointer (3) + indent (2) + "NN. " (4) + label + 2 + status + 2 + answer, and must fit
        # the terminal: prompt_toolkit cuts a longer list line at the edge with no sign of it.
        room = getattr(self.ui, "width", 100) - 1 - 3 - 2 - 4 - 2 - 2
        status_width = max(len(r.status_label) for r in rows)
        label_width = max(10, min(36, max(len(r.question.label) for r in rows), room - status_width - 12))
        answer_width = max(12, room - label_width - status_width)
        self._review_header = f"  {'#':>2}  {'Question':<{label_width}}  {'Status':<{status_width}}  Answer"
        options = []
        for i, row in enumerate(rows, 1):
            label = _fit(row.question.label, label_width)
            answer = _fit(row.answer, answer_width) if row.editable else ""
            text = f"{i:>2}. {label:<{label_width}}  {row.status_label:<{status_width}}  {answer}".rstrip()
            options.append(Option(("  " if row.editable else "") + text, row.question.key,
                                  disabled=None if row.editable else "does not apply", quiet=True))
        return options

    def edit(self, question: Question):
        """Change one answer, then ask any question the change newly brings up. Returns QUIT or None."""
        evaluation = self._evaluate()
        if not evaluation.applies(question):
            from deflect_cli.content.wording import describe

            self.ui.warn(f"{question.label} does not apply to this plan now: it is asked only when "
                         f"{describe(self.content, question.when)}. Any answer it had is set aside.")
            return None
        queue = [question]
        first = True
        while queue:
            current = queue.pop(0)
            if not self._evaluate().applies(current):
                continue
            before = self.plan.answer(current.section_id, current.id)
            result = self.ask_question(current)
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
            new_open = self.record(current, result)
            # Follow-ups in the same section are asked now; the person is not carried off to another
            # section: those wait where they are, and the walk or `resume` reaches them.
            here = [q for q in new_open if q.section_id == question.section_id]
            elsewhere = [q for q in new_open if q.section_id != question.section_id and q not in queue]
            if elsewhere:
                titles = list(dict.fromkeys(self._section(q).title for q in elsewhere))
                where = "another section" if len(titles) == 1 else "other sections"
                waits = ("waits there until you reach it" if len(elsewhere) == 1
                         else "wait there until you reach them")
                self.ui.note(f"This change also brings up {plural(len(elsewhere), 'new question')} in {where} "
                             f"({', '.join(titles)}); {waits}.")
            queue.extend(q for q in here if q not in queue)
            first = False
        return None

    # ------------------------------------------------------------------ questions

    def ask_question(self, question: Question):
        """Ask one question; returns a valid value, or BACK / SKIP / MENU / QUIT."""
        self._pending = None
        question = self.content.wording(question, self.plan.answers)
        current = self.plan.answer(question.section_id, question.id)
        if is_empty(current):
            current = question.default
        offered = []
        if question.prefill and is_empty(current) and question.key not in self.plan.skipped:
            offered = current = prefill_rows(question, self.plan.answers)
        self.ui.blank()
        evaluation = self._evaluate()
        self.ui.note(f"{self.where(question, evaluation)}{self._sep()}plan {self._percent_done(evaluation)}% done")
        if question.help:
            self.ui.note(question.help)
        if offered:
            self.ui.note(f"{plural(len(offered), 'row')} filled in from your earlier answers: edit or remove "
                         "any of them, and choose Done to keep them.")
        if not self.ui.plain:
            self.ui.note(NAV_KEYS)
        self.ui.set_help(question.help)
        handler = getattr(self, f"_ask_{question.type}")
        return handler(question, current)

    def _prompt(self, question: Question) -> str:
        suffix = f" ({question.unit})" if question.unit else ""
        required = "" if not question.required else self.ui.required_mark
        return f"{question.prompt}{suffix}{required}"

    def _typed(self, rule, current, message: str, *, multiline: bool = False, instruction=None):
        """A typed answer (text, number, date, long text), validated while it is typed.

        Text left unsubmitted (a navigation key, Ctrl-C, end of input) becomes the question's draft,
        filled in again next time; skipping drops it."""
        default = "" if is_empty(current) else _as_text(current)
        draft = self.plan.drafts.get(rule.key)
        if draft is not None:
            self.ui.note("What you typed before is filled in again: finish it, or clear it and start again.")
            default = draft
        while True:
            try:
                answer = self.ui.text(message, default=default, multiline=multiline, instruction=instruction,
                                      validate=_text_validator(rule, rule.required, self.ui.skip_hint))
            except Interrupted:
                self._keep_typed(rule, default)
                raise
            if is_signal(answer):
                if answer is not SKIP:
                    self._keep_typed(rule, default)
                return answer
            value, _ = parse_text(rule, answer)
            if is_empty(value):
                return SKIP
            try:
                confirmed = self._date_confirmed(rule, value, answer)
            except Interrupted:
                self.plan.drafts[rule.key] = answer  # not confirmed: a draft, never the answer
                raise
            if is_signal(confirmed):
                self.plan.drafts[rule.key] = answer
                return confirmed
            if confirmed:
                return value
            default = answer

    def _keep_typed(self, question, shown: str) -> None:
        typed = _without_controls(self.ui.draft or "")
        if not typed.strip() or typed == shown:
            return
        self.plan.drafts[question.key] = typed
        self._pending = question

    def _date_confirmed(self, rule, value, typed: str):
        """Read a date back when it was typed another way (12/31/2026), and confirm one in the past
        where the content expects a date still to come (`future: true`). Returns True, False or QUIT."""
        if rule.type != "date":
            return True
        if typed.strip() != value and not self.ui.plain:  # plain mode reads every answer back anyway
            self.ui.note(f"Read as {value} (year-month-day).")
        if not is_past(rule, value):
            return True
        choice = self.ui.select(f"{value} is in the past. Keep this date?",
                                [Option("Yes, keep it", True), Option("No, change it", False)], default=False)
        if choice is QUIT:  # save and quit still works here; anything else means "change it"
            return QUIT
        return choice is True
    def _ask_text(self, question, current):
        return self._typed(question, current, self._prompt(question), instruction=_pattern_hint(question))

    def _ask_number(self, question, current):
        hint = _number_hint(question)
        if hint and question.unit:  # one hint, "(people; a whole number, 0 or more)", not two in a row
            required = self.ui.required_mark if question.required else ""
            return self._typed(question, current, f"{question.prompt}{required}",
                               instruction=f"({question.unit}; {hint[1:]}")
        return self._typed(question, current, self._prompt(question), instruction=hint)

    def _ask_date(self, question, current):
        return self._typed(question, current, self._prompt(question), instruction=_DATE_HINT)

    def _ask_long_text(self, question, current):
        return self._typed(question, current, self._prompt(question), multiline=True,
                           instruction=self._long_text_hint())

    def _long_text_hint(self) -> str:
        from deflect_cli.session.prompter import editor_command

        editor = "  ·  Ctrl-E opens your editor" if editor_command() else ""
        return f"(Enter adds a line  ·  Esc then Enter finishes{editor})"

    def _ask_yes_no(self, question, current):
        return self.ui.select(self._prompt(question), [Option("Yes", True), Option("No", False)],
                              default=current if isinstance(current, bool) else None)

    def _choices(self, question) -> tuple:
        """The options to offer, and whether "Other" is one: a `choices_from` question offers only
        what its earlier question's answer holds (free text there included)."""
        offered = flow.offered_choices(self.content, question, self._evaluate().context)
        if offered is None:
            return [Option(c.label, c.value) for c in question.choices], question.other
        return [Option(label, value) for value, label in offered], False

    def _ask_choice(self, question, current):
        options, other = self._choices(question)
        is_other = other and not is_empty(current) and current not in {c.value for c in question.choices}
        if not other and current not in {o.value for o in options}:
            current = None  # no longer among what may be chosen: nothing is pre-selected
        if other:
            options.append(Option(OTHER_LABEL, _OTHER))
        answer = self.ui.select(self._prompt(question), options, default=_OTHER if is_other else current)
        if answer == _OTHER:
            return self._ask_other(question, current if is_other else "")
        return answer

    def _ask_other(self, question, current: str):
        """The description for "Other"; like a typed answer, text left unsubmitted is kept as a draft."""
        default = self.plan.drafts.get(question.key, current or "")
        try:
            answer = self.ui.text("Describe it:", default=default, validate=lambda t: (
                _control_problem(t) or bool(t.strip()) or "Type a short description."))
        except Interrupted:
            self._keep_typed(question, default)
            raise
        if is_signal(answer):
            if answer is not SKIP:
                self._keep_typed(question, default)
            return answer
        return answer.strip()

    def _ask_multi_choice(self, question, current):
        current = current if isinstance(current, list) else []
        options, other = self._choices(question)
        known = {o.value for o in options}
        others = [v for v in current if v not in known] if other else []
        checked = [v for v in current if v in known]
        if other:
            options.append(Option(OTHER_LABEL, _OTHER))
            if others:
                checked.append(_OTHER)
        def check(picked):
            if question.required and not picked:
                return f"Tick at least one, or {self.ui.skip_hint}."
            limit = choice_limit_error(question, len(picked)) if picked else None
            return _sentence(limit) if limit else True

        kept = self._ticked.pop(question.key, None)
        answer = self.ui.checkbox(self._prompt(question), options, checked=checked if kept is None else kept,
                                  validate=check)
        if is_signal(answer):
            if answer is MENU and self.ui.ticked is not None:
                self._ticked[question.key] = self.ui.ticked  # ticks made before Ctrl-O wait for the return
            return answer
        values = [v for v in answer if v != _OTHER]
        if _OTHER in answer:
            other = self._ask_other(question, "; ".join(others))
            if is_signal(other):
                return other
            values.append(other)
        return values  # nothing ticked, Enter pressed: "none of these" (Ctrl-N skips)

    # ------------------------------------------------------------------ tables

    def _ask_table(self, question, current):
        """Rows shown as a table; add, edit, remove and move rows. Every change is saved at once."""
        rows = [dict(r) for r in current] if isinstance(current, list) else []
        unfinished = self.plan.drafts.get(question.key)
        if unfinished:
            self.ui.note(f"When you left, you were filling in a row: {unfinished}. Add it with Add a row, "
                         "or change the row it belongs to.")
        while True:
            self._show_rows(question, rows)
            options = [Option("Add a row", "add")]
            options += [Option(f"Edit row {i}: {_row_title(question, r)}", ("edit", i - 1))
                        for i, r in enumerate(rows, 1)]
            if rows:
                options.append(Option("Remove a row", "remove"))
            if len(rows) > 1:
                options.append(Option("Move a row", "move"))
            options.append(Option("Done with this table", "done"))
            self.ui.set_help(f"{question.help}\nAdd one row at a time; choose Done when the table is complete.")
            action = self.ui.select(self._prompt(question), options, default="add")
            if is_signal(action):
                return action
            if action == "done":
                if question.required and not rows:
                    self.ui.warn(f"Add at least one row, or {self.ui.skip_hint}.")
                    continue
                gap = _missing_cell(question, rows)
                if gap:  # a row filled in from earlier answers may still lack a required cell
                    self.ui.warn(gap)
                    continue
                return rows or SKIP
            if action in ("remove", "move"):
                ask = "Remove which row?" if action == "remove" else "Move which row?"
                index = self._choose_row(question, rows, ask)
                if index is QUIT:
                    return QUIT
                if index is None:
                    continue
                if action == "remove":
                    removed = rows.pop(index)
                    self.ui.say(f"Removed row {index + 1}: {_row_title(question, removed)}")
                else:
                    target = self.ui.select("Move it to which place?", [
                        Option(f"Place {i}" + (" (where it is now)" if i - 1 == index else ""), i - 1)
                        for i in range(1, len(rows) + 1)
                    ], default=index, menu=True)
                    if target is QUIT:
                        return QUIT
                    if is_signal(target) or target == index:
                        continue
                    rows.insert(target, rows.pop(index))
                    self.ui.say(f"Moved to place {target + 1}.")
                self._store_rows(question, rows)
                continue
            index = action[1] if isinstance(action, tuple) else None
            row = self._ask_row(question, rows[index] if index is not None else {})
            if row is QUIT:
                return QUIT
            if isinstance(row, dict):
                if index is None:
                    rows.append(row)
                else:
                    rows[index] = row
                self._store_rows(question, rows)
                self.ui.saved(f"row {len(rows) if index is None else index + 1}: {_row_title(question, row)}")

    def _store_rows(self, question, rows) -> None:
        self.plan.drafts.pop(question.key, None)
        if rows:
            self.plan.set_answer(question.key, [dict(r) for r in rows])
        else:
            section = self.plan.answers.get(question.section_id) or {}
            section.pop(question.id, None)
            if question.section_id in self.plan.answers and not section:
                del self.plan.answers[question.section_id]
        save_plan(self.plan)

    def _choose_row(self, question, rows, message):
        index = self.ui.select(message, [
            Option(f"Row {i}: {_row_title(question, r)}", i - 1) for i, r in enumerate(rows, 1)
        ] + [Option("Cancel", "cancel")], menu=True)
        if index is QUIT:
            return QUIT
        return index if isinstance(index, int) and not isinstance(index, bool) else None

    def _ask_row(self, question, row: dict):
        """Ask each column in turn, validating each cell. Back goes to the previous column (or leaves
        the row unchanged from the first); skip asks what to do with cells already changed; quit keeps
        them as a draft."""
        self.ui.note(f"{'Back' if self.ui.plain else 'Ctrl-B'} goes to the previous column; "
                     f"{'skip' if self.ui.plain else 'Ctrl-N'} leaves the row (you choose what happens to "
                     "anything typed in it).")
        out = dict(row)
        i = 0
        columns = [c for c in question.columns if not c.computed]  # worked out, never typed
        while i < len(columns):
            column = columns[i]
            try:
                value = self._ask_cell(column, out.get(column.id))
            except Interrupted:
                self._keep_row(question, row, self._with_typed(column, out))
                raise
            if value in (QUIT, SKIP, MENU):
                out = self._with_typed(column, out)
            if value is QUIT:
                self._keep_row(question, row, out)
                return QUIT
            if value is BACK:
                if i == 0:
                    self.ui.note("The row is unchanged.")
                    return None
                i -= 1
                continue
            if value in (SKIP, MENU):
                decision = self._typed_cells(question, row, out)
                if decision == "go_on":
                    continue
                if decision is QUIT:
                    self._keep_row(question, row, out)
                    return QUIT
                if decision == "save":
                    break
                self.ui.note("The row is unchanged.")
                return None
            if is_empty(value):
                out.pop(column.id, None)
            else:
                out[column.id] = value
            i += 1
        clean, error = validate(question, [out])
        if error:
            self.ui.warn(_sentence(error))
            return None
        worked_out = [f"{c.label}: {display(c, cell(c, clean[0]))}" for c in question.columns
                      if c.computed and not is_empty(cell(c, clean[0]))]
        if worked_out:
            self.ui.note("Worked out: " + "; ".join(worked_out))
        return clean[0]

    def _typed_cells(self, question, row: dict, out: dict):
        """Ctrl-N or the menu in the middle of a row whose cells were changed: ask what to do with
        them rather than drop them. Returns "go_on", "save", "discard" or QUIT."""
        if out == row:
            return "discard"
        clean, error = validate(question, [out])
        options = [Option("Go on filling in this row", "go_on")]
        if not error:
            options.append(Option("Save the row with what is filled in", "save"))
        options.append(Option("Discard what was typed in this row", "discard"))
        self.ui.say(f"You have filled in part of this row: {_cells_text(question, out)}.")
        choice = self.ui.select("What should happen to it?", options, default="go_on", menu=True)
        if choice is QUIT:
            return QUIT
        return choice if choice in ("save", "discard") else "go_on"

    def _with_typed(self, column, out: dict) -> dict:
        """The cells with the text typed in this one but not submitted when the row was left (Ctrl-N,
        the menu, Ctrl-Q, Ctrl-C): it counts as typed in the row, to keep or discard, never dropped."""
        typed = "" if column.type in ("choice", "yes_no") else _without_controls(self.ui.draft or "")
        current = out.get(column.id)
        if not typed.strip() or typed == ("" if is_empty(current) else _as_text(current)):
            return out
        value, error = parse_text(column, typed)
        return {**out, column.id: typed if error or is_empty(value) else value}

    def _keep_row(self, question, row: dict, out: dict) -> None:
        """Leaving in the middle of a row: its cells are kept as a draft, shown with the table."""
        if out != row and any(not is_empty(v) for v in out.values()):
            self.plan.drafts[question.key] = _cells_text(question, out)

    def _ask_cell(self, column, current):
        label = column.label + (f" ({column.unit})" if column.unit else "")
        label += self.ui.required_mark if column.required else ""
        if column.help:
            self.ui.note(column.help)
        offered = flow.column_choices(column, self._evaluate().context) if column.choices_from else []
        if offered:  # only what an earlier table holds, so the plan cannot contradict itself
            options = [Option(v, v) for v in offered]
            if not column.required:
                options.append(Option("(leave blank)", _BLANK))
            value = self.ui.select(label, options, default=current if current in offered else None)
            return None if value == _BLANK else value
        if column.choices_from:
            source = self.content.question(column.choices_from.rsplit(".", 1)[0])
            self.ui.note(f"Nothing is listed yet under '{source.label if source else column.choices_from}' "
                         "to choose from; type it for now.")
        if column.type in ("choice", "yes_no"):
            options = ([Option(c.label, c.value) for c in column.choices] if column.type == "choice"
                       else [Option("Yes", True), Option("No", False)])
            if not column.required:
                options.append(Option("(leave blank)", _BLANK))
            default = current if not is_empty(current) else None
            value = self.ui.select(label, options, default=default)
            return None if value == _BLANK else value
        default = "" if is_empty(current) else _as_text(current)
        while True:
            text = self.ui.text(
                label, default=default,
                multiline=column.type == "long_text",
                instruction=self._long_text_hint() if column.type == "long_text"
                else _DATE_HINT if column.type == "date" else _number_hint(column) if column.type == "number"
                else _pattern_hint(column),
                validate=_text_validator(column, column.required,
                                         "type skip to leave the row" if self.ui.plain
                                         else "press Ctrl-N to leave the row"),
            )
            if is_signal(text):
                return text
            value = parse_text(column, text)[0]
            if is_empty(value):
                return value
            confirmed = self._date_confirmed(column, value, text)
            if is_signal(confirmed) or confirmed:
                return confirmed if is_signal(confirmed) else value
            default = text

    def _show_rows(self, question, rows) -> None:
        if not rows:
            self.ui.note("No rows yet.")
            return
        self.ui.table(["#", *(c.label for c in question.columns)],
                      [(str(i), *(display(c, cell(c, row)) for c in question.columns))
                       for i, row in enumerate(rows, 1)])


def _missing_cell(question, rows) -> str:
    """"Row 2 needs Objective: edit it or remove it.", or "" when every row has its required cells."""
    for number, row in enumerate(rows, 1):
        for column in question.columns:
            if column.required and is_empty(row.get(column.id)):
                return f"Row {number} needs {column.label}: edit it or remove it."
    return ""


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 3)].rstrip() + "..."


def _shorten(text: str, width: int) -> str:
    """Cut at a word boundary: "How many hours after an overdose does the QRT..."."""
    if len(text) <= width:
        return text
    cut = text[: width - 3].rsplit(" ", 1)[0] or text[: width - 3]
    return cut.rstrip(" ,;:") + "..."


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]




def _number_hint(rule) -> Optional[str]:
    """What a number question accepts, said before anything is typed: "(a whole number, 0 or more)"."""
    if rule.min is not None and rule.max is not None:
        limits = f"from {_as_text(rule.min)} to {_as_text(rule.max)}"
    elif rule.min is not None:
        limits = f"{_as_text(rule.min)} or more"
    elif rule.max is not None:
        limits = f"up to {_as_text(rule.max)}"
    else:
        limits = ""
    if not limits and not rule.integer:
        return None
    kind = "a whole number" if rule.integer else "a number"
    return f"({kind}, {limits})" if limits else f"({kind})"


def _pattern_hint(rule) -> Optional[str]:
    return f"({rule.pattern_help})" if getattr(rule, "pattern_help", "") else None


def _cells_text(question, row: dict) -> str:
    """`Organization: Clinic; Kind: Treatment`: a row's filled-in cells in words."""
    return "; ".join(f"{c.label}: {display(c, row[c.id])}" for c in question.columns
                     if not is_empty(row.get(c.id)))


def _row_title(question, row: dict) -> str:
    """The row's name in menus: its first required cell (the activity, not the objective code it
    points to), else its first column."""
    first = next((c for c in question.columns if c.required), question.columns[0])
    return display(first, row.get(first.id)) or display(question.columns[0], row.get(question.columns[0].id)) \
        or "(blank)"


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
