"""The command line's own few lines and questions, outside the wizard's prompter: a message, a y/N
confirmation, and whether a person is there to answer at all.

Built on typer's echo and prompts (already loaded by the command line), so a command that only
confirms or reports never loads the wizard's prompt libraries.
"""

from __future__ import annotations

import sys

import typer


def say(message: str = "", err: bool = False) -> None:
    typer.echo(message, err=err)


def interactive(no_input: bool, plain: bool = False) -> bool:
    """Prompt only in a terminal; `--plain` reads lines, so it also works from a pipe."""
    if no_input:
        return False
    return plain or (sys.stdin.isatty() and sys.stdout.isatty())


def terminal(no_input: bool = False) -> bool:
    """A person at a keyboard who can answer a confirmation (plain mode from a pipe cannot)."""
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


def confirm(question: str) -> bool:
    """y/N in the terminal; Ctrl-C or end of input mean no."""
    try:
        return typer.confirm(question, default=False)
    except (typer.Abort, EOFError):
        say()
        return False
