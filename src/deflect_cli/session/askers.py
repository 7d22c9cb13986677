"""Asking one question: the prompt line, what it accepts said before anything is typed (in the type's
words), the answer checked while it is typed, and one asker per input kind (every one-line answer
shares one; a table goes to the table editor), never one per type.

Text typed but not submitted is never dropped: when the person leaves a prompt with it (a
navigation key, Ctrl-C, the end of input) it becomes the question's draft, filled in again next
time, and `Session.pending` names the question so leaving can save it when it is a valid answer.
"""

from __future__ import annotations

from typing import Optional

from deflect_cli.content import qtypes
from deflect_cli.content.answers import choice_limit_error, is_empty, parse_text
from deflect_cli.content.model import OTHER_LABEL, Question, prefill_rows
from deflect_cli.grammar import plural
from deflect_cli.plan import flow
from deflect_cli.session.prompter import MENU, QUIT, SKIP, Interrupted, Option, RichPrompter, is_signal
from deflect_cli.session.state import Part

NAV_KEYS = RichPrompter.nav_hint
_OTHER = "<other>"


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


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class AskerBase(Part):
    """Shared with the table editor, whose cells are asked like questions: the same prompt line, the
    same hints and the same second look at what was typed."""

    def _prompt(self, question: Question) -> str:
        suffix = f" ({question.unit})" if question.unit else ""
        required = "" if not question.required else self.ui.required_mark
        return f"{question.prompt}{suffix}{required}"

    def _hint(self, rule):
        """What the type says its answer takes, as shown beside a one-line prompt: "(a number, 0 or more)"."""
        hint = qtypes.get(rule.type).typing_hint(rule)
        return f"({hint})" if hint else None

    def _confirmed(self, rule, value, typed: str):
        """The type's second look at a valid typed answer: how it was read, when that may not be what was
        meant (a date typed 12/31/2026), and a yes-or-no question when it is probably a slip (a date in
        the past where the content expects one still to come). Returns True, False or QUIT."""
        kind = qtypes.get(rule.type)
        read = kind.read_back(rule, value, typed)
        if read and not self.ui.plain:  # plain mode reads every answer back anyway
            self.ui.note(read)
        doubt = kind.doubt(rule, value)
        if not doubt:
            return True
        choice = self.ui.select(doubt, [Option("Yes, keep it", True), Option("No, change it", False)], default=False)
        if choice is QUIT:  # save and quit still works here; anything else means "change it"
            return QUIT
        return choice is True

    def _long_text_hint(self) -> str:
        from deflect_cli.session.prompter import editor_command

        editor = "  ·  Ctrl-E opens your editor" if editor_command() else ""
        return f"(Enter adds a line  ·  Esc then Enter finishes{editor})"


class Askers(AskerBase):
    def __init__(self, session, tables):
        super().__init__(session)
        self.tables = tables  # the table editor (tables.py), which asks a table question
        self._ticked: dict = {}  # question key -> what was ticked when Ctrl-O opened the menu

    def ask_question(self, question: Question):
        """Ask one question; returns a valid value, or BACK / SKIP / MENU / QUIT."""
        self.session.pending = None
        question = self.content.wording(question, self.plan.answers)
        current = self.plan.answer(question.section_id, question.id)
        if is_empty(current):
            current = question.default
        offered = []
        if question.prefill and is_empty(current) and question.key not in self.plan.skipped:
            offered = current = prefill_rows(question, self.plan.answers)
        self.ui.blank()
        evaluation = self.session.evaluate()
        self.ui.note(f"{self.session.where(question, evaluation)}{self.session.sep()}plan "
                     f"{self.session.percent_done(evaluation)}% done")
        if question.help:
            self.ui.note(question.help)
        if offered:
            self.ui.note(f"{plural(len(offered), 'row')} filled in from your earlier answers: edit or remove "
                         "any of them, and choose Done to keep them.")
        if not self.ui.plain:
            self.ui.note(NAV_KEYS)
        self.ui.set_help(question.help)
        kind = qtypes.get(question.type).input  # asked by its input kind, not its type's name
        handler = getattr(self.tables if kind == "table" else self, f"_ask_{kind}")
        return handler(question, current)

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
                confirmed = self._confirmed(rule, value, answer)
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
        self.session.pending = question

    def _ask_text(self, question, current):
        """One typed line, whatever its type reads it as (text, a number, a date): the type gives the hint
        and the reading, so every one-line answer is asked here."""
        words = qtypes.get(question.type).typing_hint(question)
        if words and question.unit:  # one hint, "(people; a whole number, 0 or more)", not two in a row
            required = self.ui.required_mark if question.required else ""
            return self._typed(question, current, f"{question.prompt}{required}",
                               instruction=f"({question.unit}; {words})")
        return self._typed(question, current, self._prompt(question), instruction=self._hint(question))

    # A number is typed on one line too; it is an input kind of its own because its shape is read elsewhere
    # (a computed table column does arithmetic on number columns only).
    _ask_number = _ask_text

    def _ask_long_text(self, question, current):
        return self._typed(question, current, self._prompt(question), multiline=True,
                           instruction=self._long_text_hint())

    def _ask_yes_no(self, question, current):
        return self.ui.select(self._prompt(question), [Option("Yes", True), Option("No", False)],
                              default=current if isinstance(current, bool) else None)

    def _choices(self, question) -> tuple:
        """The options to offer, and whether "Other" is one: a `choices_from` question offers only
        what its earlier question's answer holds (free text there included)."""
        offered = flow.offered_choices(self.content, question, self.session.evaluate().context)
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

