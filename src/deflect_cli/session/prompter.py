"""The prompt seam: one small interface, two ways to talk to a person.

The wizard only calls `Prompter` methods, so its logic (order, conditions, saving, navigation) is
shared by both modes:

- `RichPrompter`: questionary prompts and rich screens. Navigation keys are bound on every prompt:
  Ctrl-B back, Ctrl-N skip for now, Ctrl-O section menu, Ctrl-Q save and quit.
- `PlainPrompter` (in `plain.py`): numbered choices typed as digits, one line read at a time from
  standard input, no color or cursor movement, so it works with screen readers and through a pipe.

Every input method returns the value, or one of the navigation signals BACK, SKIP, MENU, QUIT.
Ctrl-C raises `Interrupted` (the wizard saves and leaves with code 130); Ctrl-D or the end of piped
input raises `EndOfInput` (saves and leaves with 0); a closed terminal (SIGHUP) or a `kill` (SIGTERM)
at a prompt raises `HungUp` or `Terminated`, saved the same way. Whatever was typed but not submitted
when a prompt ends without an answer is left in `Prompter.draft`, so the wizard can keep it: nothing a
person typed is dropped. Ctrl-Z suspends the program as in any terminal tool.
"""

from __future__ import annotations

import errno
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
    """Ctrl-C at a prompt: save and leave with exit code 130."""

    code = 130


class EndOfInput(Interrupted):
    """Ctrl-D, or the end of piped input: a normal way to stop, so save and leave with exit code 0."""

    code = 0


class HungUp(Interrupted):
    """The terminal closed under a prompt (SIGHUP): save what was typed and leave, 128 + 1."""

    code = 129


class Terminated(Interrupted):
    """`kill` (SIGTERM) at a prompt: save what was typed and leave, 128 + 15."""

    code = 143


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


class Prompter:
    """What the wizard needs from a user interface. Subclasses implement every method."""

    plain = False
    required_mark = " *"
    skip_hint = "press Ctrl-N to skip for now"
    nav_hint = ""
    welcome_hint = ""
    # What was typed at the last text prompt when it ended without an answer (a navigation key,
    # Ctrl-C, end of input); None when nothing was typed there.
    draft: Optional[str] = None
    # What was ticked at the last checkbox when it ended without an answer (a navigation key).
    ticked: Optional[list] = None

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

    def hold(self, lines_shown: int, lines_next: int):
        """Wait for Enter when what comes next would scroll the last `lines_shown` lines off screen.

        Returns None to go on, or a navigation signal. Plain mode never waits: a screen reader
        reads the lines as they come, and a pipe must not have to send an extra line."""
        return None

    # --- input
    def text(self, message: str, *, default: str = "", validate: Optional[Validator] = None,
             multiline: bool = False, instruction: Optional[str] = None): ...
    def select(self, message: str, options: Sequence[Option], *, default: Any = None,
               header: Optional[str] = None, menu: bool = False):
        """One choice. A `menu` (not a question) can also be canceled: Esc returns BACK."""
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

    def panel_height(self, title: str, markdown: str) -> int:
        """How many lines `panel` takes at the terminal's width now."""
        from rich.markdown import Markdown
        from rich.panel import Panel

        return len(self.console.render_lines(Panel(Markdown(markdown), title=title, expand=False), pad=False))

    def hold(self, lines_shown: int, lines_next: int):
        if lines_shown + lines_next <= self.console.height:
            return None
        answer = self.select("Press Enter to begin", [Option("Begin with the first question", "go")])
        return answer if is_signal(answer) else None

    def page(self, markdown: str) -> None:
        from deflect_cli.content.guide import page

        page(self.console, markdown)

    def saved(self, text: str) -> None:
        """questionary already shows the answer on the prompt line; nothing more to say."""

    @property
    def width(self) -> int:
        return self.console.width

    # --- input
    def text(self, message, *, default="", validate=None, multiline=False, instruction=None):
        import questionary

        self.draft = None
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
        return ask(question, editor=multiline, keep=self)

    def select(self, message, options, *, default=None, header=None, menu=False):
        import questionary

        choices = [questionary.Separator(header)] if header else []
        choices += [questionary.Choice(o.label, value=o.value, disabled=(True if o.quiet else o.disabled)
                                      if o.disabled else None) for o in options]
        chosen = next((c for c in choices if not isinstance(c, questionary.Separator)
                       and c.value == default and not c.disabled), None) if default is not None else None
        question = questionary.select(message, choices=choices, default=chosen, style=_style())
        return ask(_wrap_choices(question, options, indent=3), menu=menu)

    def checkbox(self, message, options, *, checked=(), validate=None):
        import questionary

        choices = [questionary.Choice(o.label, value=o.value, disabled=o.disabled, checked=o.value in checked)
                   for o in options]
        question = questionary.checkbox(message, choices=choices, style=_style(),
                                        instruction="(Space to tick, Enter when done)",
                                        validate=validate or (lambda _picked: True))
        question.application.nothing_ticked = "None of these"  # questionary's answer line says "done"
        return ask(_wrap_choices(question, options, indent=5), keep=self)


def _wrap_choices(question, options, indent: int):
    """List entries wider than the terminal wrap at words, under their own first letter.

    prompt_toolkit cuts a list line at the terminal's edge with no sign that anything is missing
    ("citation with asse"). Entries are re-wrapped before every drawing, so a resized terminal gets
    them wrapped to its new width; the answer line shows the chosen entry on one line again.
    `indent` is the width of the pointer and tick box in front of an entry.
    """
    import textwrap

    from questionary.prompts.common import InquirerControl

    labels = {id(o.value): o.label for o in options if not o.disabled}
    control = next((c for c in question.application.layout.find_all_controls()
                    if isinstance(c, InquirerControl)), None)

    def fit(app):
        width = app.output.get_size().columns - indent - 1
        for choice in control.choices if control is not None else ():
            label = labels.get(id(choice.value))
            if label is None or not isinstance(choice.title, str):
                continue
            if control.is_answered or len(label) <= width or width < 20:
                choice.title = label
            else:
                choice.title = ("\n" + " " * indent).join(textwrap.wrap(label, width, break_on_hyphens=False))

    question.application.before_render += fit
    return question


def _wrap_fragments(fragments, width: int, then: str = ""):
    """Styled prompt text with each space that would run past `width` turned into a line break.

    `then` is the text typed after the prompt: when its first word does not fit on the prompt's last
    line, or the whole of it does not but would fit on a line of its own, the prompt ends with a line
    break so the answer starts on the next line instead of being cut mid-word at the edge ("Lane
    County Health Dep" / "artment"). An answer shown after the question (a chosen entry) is kept
    whole the same way ("* Add" / "a row"). Typed text longer than a line still wraps where the
    terminal cuts it (prompt_toolkit has no word wrap for input), and so does a word longer than the
    whole line; nothing is lost."""
    import re

    from prompt_toolkit.utils import get_cwidth

    out, column, pending = [], 0, None  # pending: the (style, spaces) not yet written
    for style, text, *rest in fragments:
        if rest:  # a fragment with a mouse handler: keep it whole
            out.append((style, text, *rest))
            column += get_cwidth(text)
            continue
        if (style.endswith("class:answer") and column > 0
                and column + get_cwidth(text) > width >= get_cwidth(text.strip())):
            out.append((style, "\n"))  # a chosen answer that fits on a line of its own starts one
            column, pending, text = 0, None, text.strip()
        for piece in re.split(r"( +|\n)", text):
            if not piece:
                continue
            if piece == "\n":
                pending = None
                out.append((style, piece))
                column = 0
            elif piece.startswith(" "):
                pending = (style, piece)
            else:
                size = get_cwidth(piece)
                spaces = get_cwidth(pending[1]) if pending else 0
                if pending and column > 0 and column + spaces + size > width:
                    out.append((pending[0], "\n"))
                    column = 0
                elif pending:
                    out.append(pending)
                    column += spaces
                pending = None
                out.append((style, piece))
                column += size
    if pending:
        out.append(pending)
        column += get_cwidth(pending[1])
    first = then.split(maxsplit=1)[0] if then.strip() else ""
    whole = get_cwidth(then.rstrip())
    if first and column > 0 and (column + get_cwidth(first) > width or column + whole > width >= whole):
        out.append(("", "\n"))
    return out


def _wrapping_session():
    """prompt_toolkit's PromptSession with the question, hint and answer wrapped at words.

    Left alone, prompt_toolkit cuts the prompt line at the terminal's edge mid-word ("(Y" / "YYY-MM-DD",
    "Deflectio" / "n"). The prompt is re-wrapped at every drawing, so a resized terminal gets it wrapped
    to its new width. questionary builds its sessions itself, so its modules are pointed at this class.
    """
    global _WrappingSession
    if _WrappingSession is None:
        from prompt_toolkit.application.current import get_app
        from prompt_toolkit.filters import to_filter
        from prompt_toolkit.shortcuts.prompt import PromptSession

        class WrappingSession(PromptSession):
            def _get_prompt(self):
                fragments = super()._get_prompt()
                app = get_app()
                nothing = getattr(app, "nothing_ticked", None)
                if nothing and app.is_done:
                    fragments = [(style, nothing) if text == "done" and style.endswith("class:answer")
                                 else (style, text)
                                 for style, text, *_ in fragments]
                width = app.output.get_size().columns - 1
                then = "" if to_filter(self.multiline)() else self.default_buffer.text
                return _wrap_fragments(fragments, width, then) if width >= 20 else fragments

        _WrappingSession = WrappingSession
    import questionary.prompts.common
    import questionary.prompts.text

    questionary.prompts.common.PromptSession = questionary.prompts.text.PromptSession = _WrappingSession


_WrappingSession = None


def _style():
    import questionary

    _wrapping_session()  # every prompt is built with this style, so every prompt wraps

    return questionary.Style([("instruction", "fg:#888888 italic"), ("answer", "fg:#5fafff bold")])


def _nav_bindings(editor: bool, keep: Optional[Prompter] = None):
    from prompt_toolkit.application.current import get_app
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.utils import suspend_to_background_supported

    def leave(event, **how) -> None:
        _keep_draft(event.app, keep)
        event.app.exit(**how)

    bindings = KeyBindings()
    for key, result in (("c-b", BACK), ("c-n", SKIP), ("c-o", MENU), ("c-q", QUIT)):
        bindings.add(key, eager=True)(lambda event, result=result: leave(event, result=result))
    for key in ("c-c", "<sigint>"):  # the key, and SIGINT sent with `kill -INT`, which prompt_toolkit feeds in as a key
        bindings.add(key, eager=True)(lambda event: leave(event, exception=KeyboardInterrupt, style="class:aborting"))

    @Condition
    def at_end() -> bool:  # Ctrl-D still deletes the character under the cursor inside a text
        buffer = get_app().current_buffer
        return buffer.cursor_position >= len(buffer.text)

    bindings.add("c-d", eager=True, filter=at_end)(
        lambda event: leave(event, exception=EOFError, style="class:exiting"))

    # Ctrl-Z stops the program as in any terminal tool (`fg` comes back to this prompt); without
    # this binding prompt_toolkit types a literal 0x1A into the answer.
    @bindings.add("c-z", eager=True)
    def _suspend(event):
        if suspend_to_background_supported():
            event.app.suspend_to_background()

    if editor:
        # Esc then Enter finishes a long answer. Keys typed before the prompt took over the terminal
        # arrive with Enter translated to Ctrl-J; finish on that too instead of adding a line.
        @bindings.add("escape", "c-j")
        def _finish(event):
            event.current_buffer.validate_and_handle()

    if editor and editor_command():
        @bindings.add("c-e", eager=True)
        def _open_editor(event):
            event.current_buffer.open_in_editor(validate_and_handle=False)
    return bindings


def _keep_draft(app, keep: Optional[Prompter]) -> None:
    """What is typed in the input, and what is ticked in a list, as the prompt ends unanswered."""
    if keep is not None:
        keep.draft = app.current_buffer.text or None
        ticks = next((c for c in app.layout.find_all_controls() if hasattr(c, "selected_options")), None)
        keep.ticked = list(ticks.selected_options) if ticks is not None else None


def _stop_on_signals(app, keep: Optional[Prompter]) -> None:
    """While a prompt runs, a closed terminal or a `kill` ends it as Ctrl-C does, keeping the text
    typed so far; without this, Python's default ended the process on the spot, dropping the text
    and leaving the lock file behind. Called inside the prompt's event loop; the handlers go when the
    prompt ends. Windows has neither signal nor signal handlers on its event loop: nothing to do."""
    import asyncio
    import signal

    if not hasattr(signal, "SIGHUP"):
        return
    loop = asyncio.get_running_loop()
    stops = ((signal.SIGHUP, HungUp), (signal.SIGTERM, Terminated))

    def stop(exception) -> None:
        _keep_draft(app, keep)
        if exception is HungUp:
            _silence()  # before prompt_toolkit tidies a screen that is gone
        if not app.future.done():
            app.exit(exception=exception)

    for number, exception in stops:
        loop.add_signal_handler(number, stop, exception)
    app.future.add_done_callback(lambda _: [loop.remove_signal_handler(number) for number, _ in stops])


def _hung_up(app, keep: Optional[Prompter]) -> HungUp:
    """The terminal is gone, by its signal or by its input ending first: keep what was typed, say the
    rest to nowhere, and let no hang-up still to come end the saving."""
    import signal

    _keep_draft(app, keep)
    _silence()
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    return HungUp()


def _silence() -> None:
    """No terminal to write to any more: what is still said (the saved message) goes nowhere instead of
    failing with an I/O error halfway through leaving."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _list_bindings(app, menu: bool):
    """Home and End in a list; Esc cancels a menu."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()
    control = next((c for c in app.layout.find_all_controls() if hasattr(c, "pointed_at")), None)
    if control is not None:
        def go(step, start):
            def move(event):
                control.pointed_at = start()
                for _ in range(control.choice_count):
                    if control.is_selection_valid():
                        return
                    step()
            return move

        bindings.add("home", eager=True)(go(control.select_next, lambda: 0))
        bindings.add("end", eager=True)(go(control.select_previous, lambda: control.choice_count - 1))
    if menu:
        bindings.add("escape", eager=True)(lambda event: event.app.exit(result=BACK))
    return bindings


def ask(question, editor: bool = False, keep: Optional[Prompter] = None, menu: bool = False):
    """Run one questionary prompt with the navigation keys; Ctrl-C raises Interrupted, Ctrl-D
    EndOfInput. With `keep`, text left unsubmitted is put in `keep.draft`; a `menu` closes on Esc."""
    from prompt_toolkit.key_binding import merge_key_bindings

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, _nav_bindings(editor, keep),
                                           _list_bindings(app, menu)])
    app._on_resize = lambda: _redraw_after_resize(app)  # read at run time, when SIGWINCH is attached
    app.pre_run_callables.append(lambda: _stop_on_signals(app, keep))
    try:
        return question.unsafe_ask()
    except KeyboardInterrupt:
        raise Interrupted() from None
    except EOFError:
        if not app.input.closed:  # Ctrl-D
            raise EndOfInput() from None
        raise _hung_up(app, keep) from None  # the terminal closed and its input ended before the signal came
    except OSError as error:
        if error.errno != errno.EIO:
            raise
        raise _hung_up(app, keep) from None  # prompt_toolkit tidying the screen of a terminal that is gone
    except HungUp:
        raise _hung_up(app, keep) from None


def _redraw_after_resize(app) -> None:
    """prompt_toolkit's own resize handling, minus the duplicated prompt line.

    On a resize prompt_toolkit moves the cursor up by the rows it drew at the old width and redraws.
    Most terminals (tmux, VTE, iTerm2, Windows Terminal) re-wrap what is on screen to the new width
    first, so a narrower terminal has more rows above the cursor than that, and the top of the old
    prompt was left behind as a copy. Count the rows as re-wrapped at the new width, go to the start
    of the first, and erase from there.
    """
    renderer, output = app.renderer, app.output
    screen, cursor = renderer._last_screen, renderer._cursor_pos
    width = output.get_size().columns
    if screen is None or width <= 0:
        renderer.erase(leave_alternate_screen=False)
    else:
        rows = cursor.x // width
        for y in range(cursor.y):
            cells = screen.data_buffer.get(y) or {}
            used = max((x + 1 for x, cell in cells.items() if cell.char.strip()), default=0)
            rows += max(1, -(-used // width))
        output.write_raw("\r")
        output.cursor_up(rows)
        output.erase_down()
        output.reset_attributes()
        output.enable_autowrap()
        output.flush()
        renderer.reset(leave_alternate_screen=False)
    app._request_absolute_cursor_position()
    app._redraw()

