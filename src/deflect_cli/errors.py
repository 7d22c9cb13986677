"""Errors the user can act on: the CLI prints them as one line each, never as a traceback."""

from __future__ import annotations


def describe_os_error(exc: OSError) -> str:
    """An OSError as the end of one line: "permission denied", not "[Errno 13] Permission denied: 'x'"."""
    return (exc.strerror or str(exc)).lower()


class DeflectError(Exception):
    """A failure with a message meant for the person at the keyboard."""

    exit_code = 1


class ContentError(DeflectError):
    """Content that does not load; carries every problem found, one `FILE:LINE: message` each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class PlanError(DeflectError):
    """A plan file that cannot be read or written as asked."""
