"""Control characters in answers: kept out of answers where they arrive, shown visibly where printed.

An answer is printed back on terminals (`review`, `status`, plain mode's "Saved: ..."), and a
terminal obeys the control characters in what it prints: ESC starts a sequence that can retitle or
clear the window, CR rewrites the line, BEL rings. So answers never gain a control character other
than newline and tab (`find_control`, for keyboard input and answers files), and text printed to a
terminal shows any that are there anyway, from an older or hand-edited plan, as `\\x1b` (`visible`).
The bidirectional overrides are shown too: they reorder what follows them on the screen.
"""

from __future__ import annotations

import re
from typing import Optional

# C0 controls except tab and newline, DEL, and the C1 controls (U+0080-U+009F; U+009B is CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def find_control(text: str) -> Optional[tuple[int, str]]:
    """The index and a readable name (`Ctrl-Z`, `ESC`, `U+009B`) of the first control character
    other than newline and tab, or None."""
    found = _CONTROL.search(text or "")
    if found is None:
        return None
    return found.start(), name(found.group())


def visible(text: str) -> str:
    """`text` with each control character other than newline and tab (and each bidirectional
    override) written out as `\\xNN` or `\\uNNNN`, so printing it cannot drive the terminal."""
    if not text or _SHOWN.search(text) is None:
        return text
    return _SHOWN.sub(_escape, text)


def _escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def name(char: str) -> str:
    """How to call one control character in a message."""
    code = ord(char)
    if code == 0x1B:
        return "ESC (\\x1b)"
    if code < 0x20:
        return f"Ctrl-{chr(code + 0x40)} (\\x{code:02x})"
    return f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}"
