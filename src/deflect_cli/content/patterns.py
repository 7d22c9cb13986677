"""`pattern:` in content: regular expressions an answer must match, refused when they can backtrack for ever.

Python's `re` backtracks, and some shapes take exponential time on an answer that almost matches:
`(a+)+$` on 41 characters never finishes, and nothing can interrupt it. Rather than add a regex
engine with a timeout, lint refuses the known shapes, read from the parsed pattern:

- a repeat inside an unbounded repeat that can match a varying length: `(a+)+`, `(a|b?)*`, `(\\d{1,3})+`;
- an unbounded repeat over alternatives that can start with the same character: `(a|ab)+`, `(\\w|\\d)*`;
- three or more unbounded repeats in a row that can match the same characters: `\\d*\\d*\\d*` (time grows as
  the answer's length to that power).

What remains is at worst quadratic in the answer's length, and answers checked against a pattern
are at most MAX_INPUT characters (patterns are for short codes: ZIP codes, phone numbers, ids).
"""

from __future__ import annotations

from typing import Optional

MAX_INPUT = 1000

try:  # Python 3.11+: sre_parse is deprecated in favor of the same module here
    from re import _constants as _c
    from re import _parser as _parse
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_constants as _c
    import sre_parse as _parse

# A sample of characters to tell whether two character classes can match the same one.
_SAMPLE = [chr(c) for c in range(0x250)] + list("\u0660\u0966\u2003\u3000\u4e2d\u00a0\u2028\U0001f600")
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT) + ((_c.POSSESSIVE_REPEAT,) if hasattr(_c, "POSSESSIVE_REPEAT") else ())
_UNBOUNDED = 10  # a repeat allowing more than this many times counts as unbounded: (.*a){20} is n**20


class _Refused(Exception):
    pass


def problem(pattern: str) -> Optional[str]:
    """Why `pattern` cannot be used (it does not compile, or it can backtrack for ever), or None."""
    import re

    try:
        re.compile(pattern)
        parsed = _parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"is not a valid regular expression: {exc}"
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    try:
        _check(parsed, ignore_case)
    except _Refused as exc:
        return f"can take forever to check an answer ({exc}); rewrite it without that shape"
    except RecursionError:
        return "is nested too deeply"
    return None


def _repeat(item):
    """(min, max, body) when `item` is a repeat, else None."""
    op, av = item
    if op in _REPEATS:
        return av[0], av[1], av[2]
    return None


def _unbounded(maximum) -> bool:
    return maximum == _c.MAXREPEAT or maximum > _UNBOUNDED


def _children(item) -> list:
    """The sub-sequences inside a group, alternation, repeat or lookaround."""
    op, av = item
    if op is _c.SUBPATTERN:
        return [av[-1]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in _REPEATS:
        return [av[2]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op is _c.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _varies(body) -> bool:
    """Whether a parsed sub-pattern can match texts of different lengths."""
    low, high = body.getwidth()
    return low != high


def _overlapping_branch(sequence, ignore_case: bool) -> bool:
    """Whether an alternation in `sequence` has two branches that can start with the same character."""
    for item in sequence:
        if item[0] is _c.BRANCH:
            starts = [_chars(branch, ignore_case, first_only=True) for branch in item[1][1]]
            if any(one & other for i, one in enumerate(starts) for other in starts[i + 1:]):
                return True
        if any(_overlapping_branch(child, ignore_case) for child in _children(item)):
            return True
    return False


def _matcher(item, ignore_case: bool):
    """A test for one character, for a single-character item; None for anything else."""
    op, av = item
    fold = (lambda ch: ch.lower()) if ignore_case else (lambda ch: ch)
    if op is _c.LITERAL:
        return lambda ch: fold(ch) == fold(chr(av))
    if op is _c.NOT_LITERAL:
        return lambda ch: fold(ch) != fold(chr(av))
    if op is _c.ANY:
        return lambda ch: True
    if op is _c.IN:
        negate = bool(av) and av[0][0] is _c.NEGATE
        tests = [_set_member(member, fold) for member in av if member[0] is not _c.NEGATE]
        return lambda ch: any(test(ch) for test in tests) != negate
    return None


_CATEGORIES = {
    "CATEGORY_DIGIT": str.isdecimal, "CATEGORY_SPACE": str.isspace,
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
}


def _set_member(member, fold):
    op, av = member
    if op is _c.LITERAL:
        return lambda ch: fold(ch) == fold(chr(av))
    if op is _c.RANGE:
        low, high = av
        return lambda ch: low <= ord(ch) <= high or low <= ord(fold(ch)) <= high
    if op is _c.CATEGORY:
        name = str(av).upper()
        negate = "NOT_" in name
        test = next((t for key, t in _CATEGORIES.items() if key.replace("CATEGORY_", "") in name), None)
        if test is None:
            return lambda ch: True
        return lambda ch: test(ch) != negate
    return lambda ch: True  # anything else: assume it can match any character


def _chars(sequence, ignore_case: bool, first_only: bool = False) -> frozenset:
    """The sample characters a sequence can match (only at its start, with first_only)."""
    found: set = set()
    for item in sequence:
        test = _matcher(item, ignore_case)
        if test is not None:
            found.update(ch for ch in _SAMPLE if test(ch))
            if first_only:
                return frozenset(found)
            continue
        for child in _children(item):
            found |= _chars(child, ignore_case, first_only)
        rep = _repeat(item)
        optional = rep is not None and rep[0] == 0
        if first_only and not optional and item[0] not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return frozenset(found)
    return frozenset(found)


def _check(sequence, ignore_case: bool) -> None:
    chain: list = []  # character sets of unbounded repeats in a row that can take the same text
    for item in sequence:
        rep = _repeat(item)
        if rep is not None and _unbounded(rep[1]):
            body = rep[2]
            if _varies(body):
                raise _Refused("a repeat over something of varying length, like (a+)+ or (a|ab)+")
            if _overlapping_branch(body, ignore_case):
                raise _Refused("a repeat over alternatives that can start alike, like (1\\d|\\d\\d)+")
            chars = _chars(body, ignore_case)
            chain = chain + [chars] if chain and chain[-1] & chars else [chars]
            if len(chain) >= 3:
                raise _Refused(r"several repeats in a row that can match the same characters, like \d*\d*\d*")
        elif not (rep is not None and rep[0] == 0) and item[0] is not _c.AT:
            chain = []  # a required part separates the repeats around it; an optional one does not
        for child in _children(item):
            _check(child, ignore_case)
