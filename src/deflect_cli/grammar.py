"""Counted nouns in messages and documents ("1 answer", "3 answers"): one rule, in the lowest layer so
every layer can say it the same way. This module imports nothing from deflect."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`count` and `word`, with an "s" unless there is exactly one (English regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"
