"""The interactive session: guide text on screen, one prompt per question, a save after each answer.

Navigation keys are bound on every prompt: Ctrl-B goes back, Ctrl-N skips for now, Ctrl-Q saves
and quits. Ctrl-C and Ctrl-D do the same as Ctrl-Q but exit with 130, as a terminal user expects.
Which question comes next is decided by `flow`; this module only asks and shows.
"""

from __future__ import annotations

from typing import Optional

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from deflect_cli import flow
from deflect_cli.answers import display, is_empty, parse_text, validate
from deflect_cli.content import OTHER_LABEL, Content, Question
from deflect_cli.plan import Plan, save_plan

BACK, SKIP, QUIT = "<back>", "<skip>", "<quit>"
NAV_KEYS = "Ctrl-B back  ·  Ctrl-N skip for now  ·  Ctrl-Q save and quit"
_OTHER = "<other>"
_STYLE = questionary.Style([("instruction", "fg:#888888 italic"), ("answer", "fg:#5fafff bold")])


class Interrupted(Exception):
    """Ctrl-C or Ctrl-D at a prompt: save and leave with exit code 130."""


class QuitRequested(Exception):
    """Ctrl-Q somewhere other than a question prompt: save and leave normally."""


def _nav_bindings() -> KeyBindings:
    bindings = KeyBindings()
    for key, result in (("c-b", BACK), ("c-n", SKIP), ("c-q", QUIT)):
        bindings.add(key, eager=True)(lambda event, result=result: event.app.exit(result=result))
    return bindings


def ask(question) -> object:
    """Run one questionary prompt with the navigation keys; Ctrl-C/Ctrl-D raise Interrupted."""
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, _nav_bindings()])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted() from None


def _text_validator(rule, required: bool):
    def check(text: str):
        value, error = parse_text(rule, text)
        if error:
            return error
        if required and is_empty(value):
            return "This answer is required: type it, or press Ctrl-N to skip for now."
        return True

    return check


class Wizard:
    def __init__(self, content: Content, plan: Plan, console: Optional[Console] = None):
        self.content = content
        self.plan = plan
        self.console = console or Console(highlight=False)
        self._introduced: set = set()

    # ------------------------------------------------------------------ the walk

    def run(self, start: Optional[Question] = None, welcome: bool = False) -> int:
        """Walk the questions from `start`; returns the process exit code."""
        evaluation = flow.evaluate(self.content, self.plan.answers)
        current = start or flow.first_open(evaluation, self.plan.answers, self.plan.skipped)
        try:
            if welcome:
                self._welcome()
            while current is not None:
                self._section_header(current, evaluation)
                result = self.ask_question(current)
                if result is QUIT:
                    return self._leave(current, 0)
                if result is BACK:
                    previous = flow.step(evaluation, current, -1)
                    if previous is None:
                        self.console.print("[dim]This is the first question.[/dim]")
                    else:
                        current = previous
                    continue
                if result is SKIP:
                    self.plan.skip(current.key)
                else:
                    self.plan.set_answer(current.key, result)
                evaluation = flow.evaluate(self.content, self.plan.answers)
                following = flow.step(evaluation, current, 1)
                self.plan.position = following.key if following else None
                save_plan(self.plan)
                self._echo(current, result)
                current = following
        except Interrupted:
            return self._leave(current, 130)
        except QuitRequested:
            return self._leave(current, 0)
        self._finished(evaluation)
        return 0

    def _leave(self, current: Optional[Question], code: int) -> int:
        if current is not None:
            self.plan.position = current.key
        save_plan(self.plan)
        self.console.print()
        self.console.print(f"Your answers are saved in {self.plan.path}.", markup=False)
        self.console.print(f"Pick up where you left off with: deflect resume{_plan_flag(self.plan)}", markup=False)
        return code

    def _finished(self, evaluation) -> None:
        still = flow.still_to_decide(evaluation, self.plan.answers, self.plan.skipped)
        self.console.print()
        self.console.rule("You have reached the end of the workbook")
        if still:
            self.console.print(f"{len(still)} question(s) are still to decide; the plan lists them so a planning meeting can settle them.")
        self.console.print(f"Your answers are saved in {self.plan.path}.", markup=False)
        self.console.print(f"Write the plan document with: deflect export --format md{_plan_flag(self.plan)}", markup=False)

    def _echo(self, question: Question, result) -> None:
        if result is SKIP:
            self.console.print("[dim]Skipped for now; it stays on the Still to decide list.[/dim]")

    # ------------------------------------------------------------------ screens

    def _welcome(self) -> None:
        self.console.print(Panel(Markdown(self.content.welcome or ""), title=self.content.title, expand=False))
        self.console.print(f"[dim]At every question: {NAV_KEYS}. Ctrl-C also saves and quits.[/dim]")

    def _section_header(self, question: Question, evaluation) -> None:
        section = next(s for s in self.content.all_sections if s.id == question.section_id)
        if section.id in self._introduced:
            return
        self._introduced.add(section.id)
        self.console.print()
        if section.number:
            self.console.rule(Text(f"Section {section.number} of {len(self.content.sections)}: {section.title}"))
        else:
            self.console.rule(Text(section.title))
        if section.summary:
            self.console.print(section.summary, markup=False)
        if section.objectives:
            self.console.print(Markdown("\n".join(f"- {o}" for o in section.objectives)))
        first_in_section = next(q for q in evaluation.applicable if q.section_id == section.id)
        if section.guide and question.key == first_in_section.key:
            choice = ask(questionary.select(
                "How would you like to begin this section?",
                choices=[
                    questionary.Choice("Go to the questions", value="questions"),
                    questionary.Choice("Read the guide text first", value="guide"),
                ],
                style=_STYLE,
            ))
            if choice == "guide":
                self.show_guide(section)
            elif choice is QUIT:
                raise QuitRequested()

    def show_guide(self, section) -> None:
        from deflect_cli.guide import section_markdown

        with self.console.pager(styles=True):
            self.console.print(Markdown(section_markdown(section)))

    def _position_line(self, question: Question) -> str:
        evaluation = flow.evaluate(self.content, self.plan.answers)
        in_section = [q for q in evaluation.applicable if q.section_id == question.section_id]
        index = next((i for i, q in enumerate(in_section, 1) if q.key == question.key), None)
        section = next(s for s in self.content.all_sections if s.id == question.section_id)
        where = f"Section {section.number} of {len(self.content.sections)}" if section.number else section.title
        count = f"question {index} of {len(in_section)}" if index else "question"
        return f"{where} · {count}"

    # ------------------------------------------------------------------ questions

    def ask_question(self, question: Question):
        """Ask one question; returns a valid value, or BACK / SKIP / QUIT."""
        current = self.plan.answer(question.section_id, question.id)
        if is_empty(current):
            current = question.default
        self.console.print()
        self.console.print(self._position_line(question), style="dim", markup=False)
        if question.help:
            self.console.print(question.help, style="dim", markup=False)
        self.console.print(NAV_KEYS, style="dim", markup=False)
        handler = getattr(self, f"_ask_{question.type}")
        return handler(question, current)

    def _prompt(self, question: Question) -> str:
        suffix = f" ({question.unit})" if question.unit else ""
        required = "" if not question.required else " *"
        return f"{question.prompt}{suffix}{required}"

    def _typed(self, question: Question, current, *, multiline: bool = False, instruction=None):
        default = "" if is_empty(current) else _as_text(current)
        answer = ask(questionary.text(
            self._prompt(question), default=default, multiline=multiline,
            instruction=instruction, validate=_text_validator(question, question.required), style=_STYLE,
        ))
        if answer in (BACK, SKIP, QUIT):
            return answer
        value, _ = parse_text(question, answer)
        return SKIP if is_empty(value) else value

    def _ask_text(self, question, current):
        return self._typed(question, current)

    def _ask_number(self, question, current):
        return self._typed(question, current)

    def _ask_date(self, question, current):
        return self._typed(question, current, instruction="(YYYY-MM-DD)")

    def _ask_long_text(self, question, current):
        return self._typed(question, current, multiline=True,
                           instruction="(Enter adds a line; press Esc then Enter to finish)")

    def _ask_yes_no(self, question, current):
        choices = [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
        default = next((c for c in choices if c.value == current), None) if isinstance(current, bool) else None
        return ask(questionary.select(self._prompt(question), choices=choices, default=default, style=_STYLE))

    def _ask_choice(self, question, current):
        choices = [questionary.Choice(c.label, value=c.value) for c in question.choices]
        is_other = not is_empty(current) and current not in {c.value for c in question.choices}
        if question.other:
            choices.append(questionary.Choice(OTHER_LABEL, value=_OTHER))
        default = next((c for c in choices if c.value == (_OTHER if is_other else current)), None)
        answer = ask(questionary.select(self._prompt(question), choices=choices, default=default, style=_STYLE))
        if answer == _OTHER:
            return self._ask_other(question, current if is_other else "")
        return answer

    def _ask_other(self, question, current: str):
        answer = ask(questionary.text("Describe it:", default=current or "", style=_STYLE,
                                      validate=lambda t: bool(t.strip()) or "Type a short description."))
        return answer.strip() if isinstance(answer, str) and answer not in (BACK, SKIP, QUIT) else answer

    def _ask_multi_choice(self, question, current):
        current = current if isinstance(current, list) else []
        known = {c.value for c in question.choices}
        others = [v for v in current if v not in known]
        choices = [questionary.Choice(c.label, value=c.value, checked=c.value in current) for c in question.choices]
        if question.other:
            choices.append(questionary.Choice(OTHER_LABEL, value=_OTHER, checked=bool(others)))
        answer = ask(questionary.checkbox(
            self._prompt(question), choices=choices, style=_STYLE,
            instruction="(Space to tick, Enter when done)",
            validate=(lambda picked: bool(picked) or "Tick at least one, or press Ctrl-N to skip for now.")
            if question.required else None,
        ))
        if answer in (BACK, SKIP, QUIT):
            return answer
        values = [v for v in answer if v != _OTHER]
        if _OTHER in answer:
            other = self._ask_other(question, "; ".join(others))
            if other in (BACK, SKIP, QUIT):
                return other
            values.append(other)
        return values or SKIP

    # ------------------------------------------------------------------ tables

    def _ask_table(self, question, current):
        rows = [dict(r) for r in current] if isinstance(current, list) else []
        while True:
            self._show_rows(question, rows)
            choices = [questionary.Choice("Add a row", value="add")]
            choices += [questionary.Choice(f"Edit row {i}: {_row_title(question, r)}", value=("edit", i - 1))
                        for i, r in enumerate(rows, 1)]
            if rows:
                choices.append(questionary.Choice("Remove a row", value="remove"))
            choices.append(questionary.Choice("Done with this table", value="done"))
            action = ask(questionary.select(self._prompt(question), choices=choices, style=_STYLE))
            if action in (BACK, SKIP, QUIT):
                return action
            if action == "done":
                if question.required and not rows:
                    self.console.print("[yellow]Add at least one row, or press Ctrl-N to skip for now.[/yellow]")
                    continue
                return rows or SKIP
            if action == "remove":
                index = ask(questionary.select("Remove which row?", style=_STYLE, choices=[
                    questionary.Choice(f"{i}: {_row_title(question, r)}", value=i - 1) for i, r in enumerate(rows, 1)
                ]))
                if isinstance(index, int):
                    rows.pop(index)
                elif index is QUIT:
                    return QUIT
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
                self.plan.set_answer(question.key, rows)
                save_plan(self.plan)

    def _ask_row(self, question, row: dict):
        """Ask each column in turn; Ctrl-B or Ctrl-N abandons the row, Ctrl-Q quits."""
        self.console.print("[dim]Ctrl-B or Ctrl-N leaves this row unchanged.[/dim]")
        out = {}
        for column in question.columns:
            current = row.get(column.id)
            if column.type == "choice":
                choices = [questionary.Choice(c.label, value=c.value) for c in column.choices]
                if not column.required:
                    choices.append(questionary.Choice("(leave blank)", value=None))
                default = next((c for c in choices if c.value == current), None)
                value = ask(questionary.select(column.label, choices=choices, default=default, style=_STYLE))
            elif column.type == "yes_no":
                choices = [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
                if not column.required:
                    choices.append(questionary.Choice("(leave blank)", value=None))
                default = next((c for c in choices if c.value == current), None) if isinstance(current, bool) else None
                value = ask(questionary.select(column.label, choices=choices, default=default, style=_STYLE))
            else:
                text = ask(questionary.text(
                    column.label + (f" ({column.unit})" if column.unit else ""),
                    default="" if is_empty(current) else _as_text(current),
                    multiline=column.type == "long_text",
                    validate=_text_validator(column, column.required), style=_STYLE,
                ))
                value = text if text in (BACK, SKIP, QUIT) else parse_text(column, text)[0]
            if value in (BACK, SKIP, QUIT):
                return value
            if not is_empty(value):
                out[column.id] = value
        clean, error = validate(question, [out])
        if error:
            self.console.print(error, style="yellow", markup=False)
            return None
        return clean[0]

    def _show_rows(self, question, rows) -> None:
        if not rows:
            self.console.print("[dim]No rows yet.[/dim]")
            return
        table = Table(show_lines=False)
        table.add_column("#", justify="right")
        for column in question.columns:
            table.add_column(column.label)
        for i, row in enumerate(rows, 1):
            table.add_row(str(i), *(Text(display(c, row.get(c.id))) for c in question.columns))
        self.console.print(table)


def _row_title(question, row: dict) -> str:
    first = question.columns[0]
    return display(first, row.get(first.id)) or "(blank)"


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plan_flag(plan: Plan) -> str:
    from deflect_cli.plan import DEFAULT_NAME

    return "" if str(plan.path) == DEFAULT_NAME else f" --plan {plan.path}"
