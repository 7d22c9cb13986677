"""The prompt seam: one small interface, two ways to talk to a person.

The wizard only calls `Prompter` methods, so its logic (order, conditions, saving, navigation) is
shared by both modes:

- `RichPrompter`: questionary prompts and rich screens. Navigation keys are bound on every prompt:
  Ctrl-B back, Ctrl-N skip for now, Ctrl-O section menu, Ctrl-Q save and quit.
- `PlainPrompter` (in `plain.py`): numbered choices typed as digits, one line read at a time from
  standard input, no colour or cursor movement, so it works with screen readers and through a pipe.

Every input method returns the value, or one of the navigation signals BACK, SKIP, MENU, QUIT.
Ctrl-C and Ctrl-D (end of input) raise `Interrupted`; the wizard saves and leaves with code 130.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from deflect_cli.controlchars import visible


class Signal:
    """A navigation request from a prompt; compared by identity, never equal to an answer."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


BACK, SKIP, MENU, QUIT = Signal("back"), Signal("skip"), Signal("menu"), Signal("quit")
SIGNALS = (BACK, SKIP, MENU, QUIT)


def is_signal(value: Any) -> bool:
    return isinstance(value, Signal)


class Interrupted(Exception):
    """Ctrl-C or Ctrl-D at a prompt: save and leave with exit code 130."""


@dataclass(frozen=True)
class Option:
    """One entry of a select or checkbox; `disabled` (a reason) shows it without letting it be chosen.

    `quiet` leaves the reason off screen in rich mode, where the label already says it (aligned rows).
    """

    label: str
    value: Any
    disabled: Optional[str] = None
    quiet: bool = False


Validator = Callable[[Any], Any]  # returns True, or a message saying what is expected


def editor_command() -> Optional[str]:
    """The person's chosen editor ($VISUAL, then $EDITOR), or None: we never guess one for them."""
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or None


def use_plain(requested: bool) -> bool:
    """Plain mode when asked for, or when the terminal says it cannot do more (TERM=dumb, NO_COLOR)."""
    return bool(requested or os.environ.get("TERM") == "dumb" or os.environ.get("NO_COLOR"))


class Prompter:
    """What the wizard needs from a user interface. Subclasses implement every method."""

    plain = False
    required_mark = " *"
    skip_hint = "press Ctrl-N to skip for now"
    nav_hint = ""
    welcome_hint = ""

    # --- output
    def blank(self) -> None: ...
    def heading(self, text: str) -> None: ...
    def say(self, text: str) -> None: ...
    def note(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def markdown(self, text: str) -> None: ...
    def panel(self, title: str, markdown: str) -> None: ...
    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> None: ...
    def page(self, markdown: str) -> None: ...
    def saved(self, text: str) -> None: ...

    def set_help(self, text: str) -> None:
        """The help for the prompt about to be shown (plain mode prints it on `help`)."""

    # --- input
    def text(self, message: str, *, default: str = "", validate: Optional[Validator] = None,
             multiline: bool = False, instruction: Optional[str] = None): ...
    def select(self, message: str, options: Sequence[Option], *, default: Any = None,
               header: Optional[str] = None): ...
    def checkbox(self, message: str, options: Sequence[Option], *, checked: Sequence = (),
                 validate: Optional[Validator] = None): ...


# --------------------------------------------------------------------------- rich


class RichPrompter(Prompter):
    """questionary prompts with the navigation keys bound, and rich output."""

    nav_hint = "Ctrl-B back  ·  Ctrl-N skip for now  ·  Ctrl-O menu  ·  Ctrl-Q save and quit"
    welcome_hint = (f"At every question: {nav_hint}. Ctrl-C also saves and quits. "
                    "Questions marked * are needed for a complete plan; you can still skip them for now.")

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(highlight=False)

    # --- output
    def blank(self) -> None:
        self.console.print()

    def heading(self, text: str) -> None:
        from rich.text import Text

        self.console.print()
        self.console.rule(Text(text))

    # Answers reach these, and rich passes ESC through: show control characters (controlchars).
    def say(self, text: str) -> None:
        self.console.print(visible(text), markup=False)

    def note(self, text: str) -> None:
        self.console.print(visible(text), style="dim", markup=False)

    def warn(self, text: str) -> None:
        self.console.print(visible(text), style="yellow", markup=False)

    def markdown(self, text: str) -> None:
        from rich.markdown import Markdown

        self.console.print(Markdown(text))

    def panel(self, title: str, markdown: str) -> None:
        from rich.markdown import Markdown
        from rich.panel import Panel

        self.console.print(Panel(Markdown(markdown), title=title, expand=False))

    def table(self, columns, rows, title: str = "") -> None:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title or None, title_justify="left", show_lines=False)
        for i, column in enumerate(columns):
            table.add_column(column, justify="right" if column == "#" else "left", no_wrap=i == 0 and column == "#")
        for row in rows:
            table.add_row(*(Text(visible(str(cell))) for cell in row))
        self.console.print(table)

    def page(self, markdown: str) -> None:
        from deflect_cli.guide import page

        page(self.console, markdown)

    def saved(self, text: str) -> None:
        """questionary already shows the answer on the prompt line; nothing more to say."""

    @property
    def width(self) -> int:
        return self.console.width

    # --- input
    def text(self, message, *, default="", validate=None, multiline=False, instruction=None):
        import questionary

        if multiline:
            # prompt_toolkit draws nothing at all for a multi-line prompt whose first line is wider
            # than the terminal, so the question and how to finish go above it on lines of their own.
            from rich.text import Text

            self.console.print(Text.assemble(("? ", "bold #5f87af"), (message, "bold")))
            if instruction:
                self.note(instruction)
            question = questionary.text(">", qmark="", default=default or "", multiline=True, instruction="",
                                        validate=validate, style=_style())
        else:
            question = questionary.text(message, default=default or "", instruction=instruction,
                                        validate=validate, style=_style())
        return ask(question, editor=multiline)

    def select(self, message, options, *, default=None, header=None):
        import questionary

        choices = [questionary.Separator(header)] if header else []
        choices += [questionary.Choice(o.label, value=o.value, disabled=(True if o.quiet else o.disabled)
                                      if o.disabled else None) for o in options]
        chosen = next((c for c in choices if not isinstance(c, questionary.Separator)
                       and c.value == default and not c.disabled), None) if default is not None else None
        return ask(questionary.select(message, choices=choices, default=chosen, style=_style()))

    def checkbox(self, message, options, *, checked=(), validate=None):
        import questionary

        choices = [questionary.Choice(o.label, value=o.value, disabled=o.disabled, checked=o.value in checked)
                   for o in options]
        return ask(questionary.checkbox(message, choices=choices, style=_style(),
                                        instruction="(Space to tick, Enter when done)",
                                        validate=validate or (lambda _picked: True)))


def _style():
    import questionary

    return questionary.Style([("instruction", "fg:#888888 italic"), ("answer", "fg:#5fafff bold")])


def _nav_bindings(editor: bool):
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()
    for key, result in (("c-b", BACK), ("c-n", SKIP), ("c-o", MENU), ("c-q", QUIT)):
        bindings.add(key, eager=True)(lambda event, result=result: event.app.exit(result=result))
    if editor and editor_command():
        @bindings.add("c-e", eager=True)
        def _open_editor(event):
            event.current_buffer.open_in_editor(validate_and_handle=False)
    return bindings


def ask(question, editor: bool = False):
    """Run one questionary prompt with the navigation keys; Ctrl-C/Ctrl-D raise Interrupted."""
    from prompt_toolkit.key_binding import merge_key_bindings

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, _nav_bindings(editor)])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted() from None


def make_prompter(plain: bool, console=None) -> Prompter:
    if plain:
        from deflect_cli.plain import PlainPrompter

        return PlainPrompter()
    return RichPrompter(console)
