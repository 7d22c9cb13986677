"""Which prompter a session gets: the full-screen one, or plain line-by-line prompts.

Apart from prompter.py (the interface and the rich prompter) and plain.py (the plain prompter,
built on prompter.py) so that neither has to import the other back.
"""

from __future__ import annotations

import os

from deflect_cli.session.prompter import Prompter, RichPrompter


def use_plain(requested: bool) -> bool:
    """Plain mode when asked for, or when the terminal says it cannot do more (TERM=dumb).

    NO_COLOR is not such a signal: it asks for no color and nothing else (no-color.org), and rich and
    prompt_toolkit both honor it themselves, so arrow keys and screens stay as they are.
    """
    return bool(requested or os.environ.get("TERM") == "dumb")


def make_prompter(plain: bool, console=None) -> Prompter:
    if plain:
        from deflect_cli.session.plain import PlainPrompter

        return PlainPrompter()
    return RichPrompter(console)
