"""The command line's own few lines and questions, outside the wizard's prompter: a message, a y/N
confirmation, and whether a person is there to answer at all.

Built on typer's echo and prompts (already loaded by the command line), so a command that only
confirms or reports never loads the wizard's prompt libraries.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from typing import Optional

import typer

_ITEM = re.compile(r"\s*(?:[-*] |\d+\. )?")


def say(message: str = "", err: bool = False) -> None:
    """A message; in a terminal its lines are broken at words to fit (the terminal itself cuts them
    anywhere: "`deflect resume --ful`" / "l`" at 60 columns). Piped, each line stays whole."""
    columns = width(err)
    if columns and message:
        message = "\n".join(part for line in message.split("\n") for part in wrap(line, columns - 1))
    typer.echo(message, err=err)


def width(err: bool = False) -> Optional[int]:
    """The terminal's width in columns, or None when the output is not a terminal."""
    return shutil.get_terminal_size().columns if (sys.stderr if err else sys.stdout).isatty() else None


def wrap(line: str, columns: int) -> list:
    """One line as terminal lines broken at spaces, never inside a word or at a hyphen (a path or a
    web address longer than the line stays whole, to copy); a list item's later lines line up under
    its text."""
    indent = " " * len(_ITEM.match(line).group())
    return textwrap.wrap(line, columns, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) or [""]


def interactive(no_input: bool, plain: bool = False) -> bool:
    """Prompt only in a terminal; `--plain` reads lines, so it also works from a pipe."""
    if no_input:
        return False
    return plain or (sys.stdin.isatty() and sys.stdout.isatty())


def terminal(no_input: bool = False) -> bool:
    """A person at a keyboard who can answer a confirmation (plain mode from a pipe cannot)."""
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


def confirm(question: str) -> bool:
    """y/N in the terminal; Ctrl-C or end of input mean no. The question is broken at words like a
    message, leaving room for the " [y/N]: " that follows it."""
    columns = width()
    if columns:
        question = "\n".join(wrap(question, columns - 10))
    try:
        return typer.confirm(question, default=False)
    except (typer.Abort, EOFError):
        say()
        return False
