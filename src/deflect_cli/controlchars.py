"""Control characters in text a person gave: found before they reach a plan, shown visibly when printed.

Newline and tab are ordinary in answers; any other C0/C1 control character (or DEL) is not.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def find_control(text: str) -> tuple[int, str] | None:
    """The index and a readable name (`Ctrl-Z`, `U+009B`) of the first control character other than
    newline and tab, or None."""
    found = _CONTROL.search(text or "")
    if found is None:
        return None
    return found.start(), _name(found.group())


def visible(text: str) -> str:
    """`text` with each control character other than newline and tab shown as `<Ctrl-X>`/`<U+XXXX>`."""
    return _CONTROL.sub(lambda m: f"<{_name(m.group())}>", text or "")


def _name(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return f"Ctrl-{chr(code + 0x40)}"
    if code == 0x7F:
        return "DEL"
    return f"U+{code:04X}"
