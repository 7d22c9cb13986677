"""Plain mode: every prompt is one line of text in, plain text out. For screen readers, plain
terminals (TERM=dumb), NO_COLOR, and keystrokes piped from a file.

Choices are numbered and chosen by typing the number (or the label). Navigation is typed as a
word on its own line: back, skip, menu, help, quit (a leading colon also works: `:back`).
Nothing here moves the cursor, draws boxes or writes color or any other escape sequence, and every
answer is echoed back ("Saved: Weekly") so a listener hears what was stored.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from typing import Optional

from deflect_cli.session.prompter import BACK, MENU, QUIT, SKIP, EndOfInput, Interrupted, Prompter, editor_command

COMMANDS = {"back": BACK, "skip": SKIP, "menu": MENU, "quit": QUIT, "exit": QUIT}
COMMAND_HELP = (
    "Commands you can type at any question: back (previous question), skip (leave it for now), "
    "menu (sections, review, guide, glossary), help (this help), quit (save and stop)."
)
_END_OF_TEXT = "."


def plain_markdown(text: str) -> str:
    """Markdown as text a screen reader reads cleanly: no emphasis marks, links spelled out."""
    out = []
    for line in (text or "").splitlines():
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
        line = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", line)
        line = line.replace("`", "")
        line = re.sub(r"^(\s*)[*+] ", r"\1- ", line)
        out.append(line.rstrip())
    return "\n".join(out).strip("\n")


class PlainPrompter(Prompter):
    """Reads whole lines from standard input (a terminal or a pipe) and writes plain text."""

    plain = True
    required_mark = " (required)"
    skip_hint = "type skip to leave it for now"
    nav_hint = "Type back, skip, menu, help or quit at any question."
    welcome_hint = COMMAND_HELP + " Every answer is saved as soon as you give it."

    def __init__(self, stdin=None, stdout=None):
        self._stdin = stdin
        self._stdout = stdout
        self._help = ""
        self.partial = ""  # a line cut short by Ctrl-C or Ctrl-D on a terminal

    @property
    def stdin(self):
        return self._stdin or sys.stdin

    @property
    def stdout(self):
        return self._stdout or sys.stdout

    # --- output
    def _write(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def blank(self) -> None:
        self._write()

    def heading(self, text: str) -> None:
        self._write()
        self._write(text)

    def say(self, text: str) -> None:
        self._write(text)

    note = say

    def warn(self, text: str) -> None:
        self._write(text)

    def markdown(self, text: str) -> None:
        self._write(plain_markdown(text))

    def panel(self, title: str, markdown: str) -> None:
        self._write(title)
        self._write()
        self._write(plain_markdown(markdown))

    def table(self, columns, rows, title: str = "") -> None:
        """Each row as one sentence of `Column: value` pairs: a screen reader reads it in order."""
        if title:
            self._write(title)
        for row in rows:
            cells = list(zip(columns, row))
            number = ""
            if cells and cells[0][0] == "#":
                number = f"{cells[0][1]}. "
                cells = cells[1:]
            self._write("  " + number + "; ".join(f"{c}: {v}" for c, v in cells if str(v).strip()))

    def page(self, markdown: str) -> None:
        self._write(plain_markdown(markdown))
        self._write()
        self._write("(End of the text.)")

    def saved(self, text: str) -> None:
        from deflect_cli.controlchars import visible

        self._write(f"Saved: {visible(text)}")

    def set_help(self, text: str) -> None:
        self._help = text

    # --- input
    def _read(self, prompt: str = "> ") -> str:
        """One line of input (a last line without a newline counts); Ctrl-C becomes Interrupted,
        the end of input EndOfInput (both save and leave)."""
        stream = self.stdin
        self.partial = ""
        terminal = stream is sys.__stdin__ and stream.isatty() and self.stdout is sys.__stdout__
        try:
            if terminal:
                _line_editing()
                return input(prompt)
            self.stdout.write(prompt)
            self.stdout.flush()
            line = stream.readline()
        except (KeyboardInterrupt, EOFError) as stop:
            if terminal:
                self.partial = _typed_so_far()  # what Ctrl-C or Ctrl-D cut short, kept by the caller
            self._write()
            raise (Interrupted() if isinstance(stop, KeyboardInterrupt) else EndOfInput()) from None
        if not line:
            self._write()
            raise EndOfInput()
        line = line.rstrip("\r\n")
        # Input from a pipe is not echoed by a terminal: keep the transcript readable (and inert).
        from deflect_cli.controlchars import visible

        self._write(visible(line))
        return line

    def _command(self, line: str):
        word = line.strip().lower()
        if word.startswith(":"):
            word = word[1:]
        if word == "help":
            return "help"
        return COMMANDS.get(word)

    def _show_help(self) -> None:
        if self._help:
            self._write(self._help)
        self._write(COMMAND_HELP)

    def _read_answer(self, prompt: str = "> "):
        """A line, or a navigation signal; `help` is answered here and the line read again."""
        while True:
            line = self._read(prompt)
            command = self._command(line)
            if command == "help":
                self._show_help()
                continue
            return command if command is not None else line

    def text(self, message, *, default="", validate=None, multiline=False, instruction=None):
        self.draft = None
        self._write(message)
        if instruction and not multiline:
            self._write(instruction)
        if multiline:
            return self._long_text(default, validate)
        if default:
            self._write(f"Press Enter to keep: {default}")
        while True:
            line = self._read_keeping()
            if not isinstance(line, str):
                return line
            if not line.strip() and default:
                line = default
            verdict = validate(line) if validate else True
            if verdict is True:
                self.draft = None
                return line
            self.draft = line  # kept if the person leaves now rather than correct it
            self._write(f"Not saved: {verdict}")

    def _read_keeping(self):
        """`_read_answer`; a line cut short by Ctrl-C or Ctrl-D becomes the draft, never dropped."""
        try:
            return self._read_answer()
        except Interrupted:
            if self.partial:
                self.draft = self.partial
            raise

    def _long_text(self, default: str, validate):
        editor = editor_command()
        self._write("You can type several lines. When you are done, type a line with only a full stop (.) on it.")
        if editor:
            self._write("Or type edit on the first line to write the answer in your text editor.")
        if default:
            self._write("The current answer is:")
            for line in default.splitlines():
                self._write(f"  {line}")
            self._write("Press Enter on the first line to keep it.")
        while True:
            first = self._read_keeping()
            if not isinstance(first, str):
                return first
            answer = self._long_answer(first, default, editor)
            if answer is None:
                continue
            verdict = validate(answer) if validate else True
            if verdict is True:
                self.draft = None
                return answer
            self.draft = answer
            self._write(f"Not saved: {verdict}")
            self._write("Type the answer again, ending with a line with only a full stop (.).")

    def _long_answer(self, first: str, default: str, editor: Optional[str]) -> Optional[str]:
        """The answer that starts with the line `first`: written in the editor, the current one kept,
        empty, or the lines typed up to the full stop. None to read a first line again."""
        if first.strip().lower() in ("edit", ":edit") and not editor:
            self._write("No text editor is set, so the answer was not changed. Type it here instead, or "
                        "set one for next time (for example `export EDITOR=nano`) and type edit again.")
            return None
        if first.strip().lower() in ("edit", ":edit"):
            edited = edit_in_editor(default, editor)
            if edited is None:
                self._write("The editor did not finish; nothing was changed. Type the answer instead.")
            return edited
        if not first.strip() and default:
            return default
        if first.strip() == _END_OF_TEXT:
            return ""
        lines = [first]
        while True:
            try:
                line = self._read("  ")
            except Interrupted:
                # the lines so far (and a line cut short) are kept, not dropped
                self.draft = "\n".join(lines + ([self.partial] if self.partial else []))
                raise
            if line.strip() == _END_OF_TEXT:
                return "\n".join(lines)
            lines.append(line)

    def _list(self, options, checked=()):
        numbers = {}
        n = 0
        for option in options:
            if option.disabled:
                self._write(f"  -  {option.label} ({option.disabled})")
                continue
            n += 1
            numbers[n] = option
            mark = " (chosen)" if option.value in checked else ""
            self._write(f"  {n}. {option.label}{mark}")
        return numbers

    def _match(self, numbers: dict, token: str):
        token = token.strip()
        if token.isdigit():
            return numbers.get(int(token))
        lowered = token.lower()
        return next((o for o in numbers.values() if o.label.lower() == lowered), None)

    def select(self, message, options, *, default=None, header=None, menu=False):
        self._write(message)
        numbers = self._list(options)
        if not numbers:
            return BACK
        current = next((n for n, o in numbers.items() if default is not None and o.value == default), None)
        if current is not None:
            self._write(f"Press Enter for {current} ({numbers[current].label}).")
        ask = f"Type a number from 1 to {len(numbers)}: " if len(numbers) > 1 else "Type 1: "
        while True:
            line = self._read_answer(ask)
            if not isinstance(line, str):
                return line
            if not line.strip() and current is not None:
                chosen = numbers[current]
            else:
                chosen = self._match(numbers, line)
            if chosen is not None:
                return chosen.value
            self._write(f"Not understood: {ask.rstrip(': ').lower()}, or type help.")

    def checkbox(self, message, options, *, checked=(), validate=None):
        self._write(message)
        numbers = self._list(options, checked)
        current = [n for n, o in numbers.items() if o.value in checked]
        self._write("Type the numbers of every choice that applies, separated by commas (for example 1, 3), "
                    "or none if none of them apply.")
        if current:
            self._write(f"Press Enter to keep {', '.join(map(str, current))}, or type none to clear the choices.")
        while True:
            line = self._read_answer()
            if not isinstance(line, str):
                return line
            if not line.strip() and current:
                picked = [numbers[n] for n in current]
            elif line.strip().lower() in ("none", ""):
                picked = []
            else:
                tokens = [t for t in re.split(r"[,\s]+", line.strip()) if t]
                picked = [self._match(numbers, t) for t in tokens]
                if None in picked or not tokens:
                    bad = next(t for t, p in zip(tokens, picked) if p is None) if tokens else line
                    self._write(f"Not understood: {bad!r}. Type numbers from 1 to {len(numbers)}, like 1, 3.")
                    continue
            values = list(dict.fromkeys(o.value for o in picked))
            verdict = validate(values) if validate else True
            if verdict is True:
                return values
            self._write(f"Not saved: {verdict}")


def _line_editing() -> None:
    """readline for input() on a terminal (so a line cut short by Ctrl-C can be kept), with
    bracketed paste off: plain mode writes no escape sequences."""
    try:
        import readline
    except ImportError:  # Windows: input() still works, only the cut-short line is not recovered
        return
    readline.parse_and_bind("set enable-bracketed-paste off")


def _typed_so_far() -> str:
    try:
        import readline
    except ImportError:
        return ""
    return readline.get_line_buffer()


def edit_in_editor(text: str, editor: Optional[str] = None) -> Optional[str]:
    """Open `text` in the person's editor and return what they saved, or None if it failed."""
    editor = editor or editor_command()
    if not editor:
        return None
    fd, path = tempfile.mkstemp(prefix="deflect-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text or "")
        try:
            code = subprocess.call([*shlex.split(editor), path])
        except OSError:
            return None
        if code != 0:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\n")
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
