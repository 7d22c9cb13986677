"""A fast reader for the block YAML that deflect itself writes, so reading a plan needs no PyYAML.

Importing PyYAML costs about as much as the rest of `deflect status` (it compiles large regular
expressions at import), and the plan is the only YAML `status` and `export` read once the content
comes from the per-user cache. Keeping the parse of each plan in a file beside it avoided the import
but left a second copy of every answer on disk, written even by `status`. This reader replaces it.

It understands exactly the shapes `yamlio.dump` produces: block mappings and (indentless) sequences,
`{}` and `[]`, plain scalars (folded over lines), single- and double-quoted scalars (folded, with
escapes), and the plain words and whole numbers that need no guessing. On anything else it is unsure
and returns None, and the caller parses with yamlio (PyYAML), which then also gives the errors,
bounds and line numbers. So it can make a read faster, never different: whenever it returns a value,
that value equals what yamlio.parse returns (tests/test_planyaml.py checks this on generated plans).
"""

from __future__ import annotations

import re
from typing import Any, Optional

# Past this size PyYAML's C scanner reads faster than this pure-Python reader saves by not importing
# it (about 20 ms): a 4 MB plan takes about 270 ms here and 130 ms there. Fully answered plans of the
# bundled workbook are about 60 KB.
FAST_BYTES = 512 * 1024
MAX_DEPTH = 8  # a plan nests 6 deep; deeper goes to yamlio and its bounds


class _Unsure(Exception):
    """Not a shape this reader knows for certain; let PyYAML read the file."""


# Characters YAML forbids (PyYAML rejects the whole file), and those it reads as line breaks besides
# \n (\x85, \u2028, \u2029; CR is checked apart) or a byte-order mark: all left to PyYAML.
_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_FLOAT = re.compile(r"-?[0-9]{1,20}\.[0-9]{0,20}(?:[eE][-+][0-9]{1,3})?\Z")  # as PyYAML writes them
# A plain scalar starting with one of these could be a number, a date or a YAML indicator.
_NUMERIC_START = "-+.0123456789"
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_WORDS = {"true": True, "false": False, "null": None}
_OTHER_WORDS = {"yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "False", "FALSE", "on", "On", "ON",
                "off", "Off", "OFF", "~", "Null", "NULL", "<<", "=", ""}
_ESCAPES = {"0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}


def read(text: str) -> Optional[Any]:
    """The document in `text` as plain dicts, lists and scalars, or None when unsure (or when `text` is
    large enough that PyYAML is faster)."""
    if len(text) > FAST_BYTES or _ODD.search(text) or "\r" in text or "\t" in text:
        return None
    lines = text.split("\n")
    try:
        reader = _Reader(lines)
        reader.skip_blank()
        if reader.at_end():
            return None
        indent = reader.indent()
        if indent != 0:
            raise _Unsure
        value = reader.block(0, 0)
        reader.skip_blank()
        if not reader.at_end():
            raise _Unsure
        return value
    except (_Unsure, IndexError, ValueError, RecursionError):
        return None


class _Reader:
    def __init__(self, lines: list):
        self.lines = lines
        self.i = 0

    # ----------------------------------------------------------------- lines

    def at_end(self) -> bool:
        return self.i >= len(self.lines)

    def skip_blank(self) -> None:
        """Empty lines and whole-line comments between entries."""
        while self.i < len(self.lines):
            stripped = self.lines[self.i].lstrip(" ")
            if stripped and not stripped.startswith("#"):
                return
            if stripped.startswith("#") and self.lines[self.i].startswith(" "):
                raise _Unsure  # indented comments: rare, and PyYAML's rules for them are subtle
            self.i += 1

    def indent(self) -> int:
        line = self.lines[self.i]
        return len(line) - len(line.lstrip(" "))

    # ----------------------------------------------------------------- blocks

    def block(self, indent: int, depth: int):
        """The mapping or sequence whose entries start at column `indent` on the current line."""
        if depth > MAX_DEPTH:
            raise _Unsure
        line = self.lines[self.i]
        if line[indent:indent + 2] == "- " or line[indent:] == "-":
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int, first: Optional[str] = None) -> dict:
        """Entries at column `indent`; `first` is the rest of a `- key: value` line already consumed."""
        result: dict = {}
        while True:
            if first is not None:
                rest, first = first, None
            else:
                self.skip_blank()
                if self.at_end() or self.indent() != indent:
                    break
                rest = self.lines[self.i][indent:]
                if rest.startswith("- ") or rest == "-":
                    break
            key, sep, value = rest.partition(":")
            if not sep or not _KEY.match(key) or key in _OTHER_WORDS or key in _WORDS or key[0] in _NUMERIC_START:
                raise _Unsure
            if value and not value.startswith(" "):
                raise _Unsure
            if key in result:
                raise _Unsure  # a duplicate key: PyYAML says so, with its line
            result[key] = self.value(value[1:], indent, depth)
        self.skip_blank()
        if not self.at_end() and self.indent() > indent:
            raise _Unsure  # a line indented between two levels: not ours
        return result

    def sequence(self, indent: int, depth: int) -> list:
        result = []
        while True:
            self.skip_blank()
            if self.at_end() or self.indent() != indent:
                break
            rest = self.lines[self.i][indent:]
            if not rest.startswith("- "):
                break
            item = rest[2:]
            if not item or item.startswith((" ", "-", "?")):
                raise _Unsure
            key, sep, after = item.partition(":")
            if sep and _KEY.match(key) and (after == "" or after.startswith(" ")):
                # `- key: value`: a mapping whose entries sit under `key`
                result.append(self.mapping(indent + 2, depth + 1, first=item))
            else:
                result.append(self.value(item, indent, depth, in_sequence=True))
        return result

    # ----------------------------------------------------------------- values

    def value(self, text: str, indent: int, depth: int, in_sequence: bool = False):
        """The value after `key: ` (or `- `) on the current line; `indent` is the key's column."""
        if text == "":
            if in_sequence:
                raise _Unsure
            self.i += 1
            self.skip_blank()
            if self.at_end():
                raise _Unsure
            below = self.indent()
            rest = self.lines[self.i][below:]
            if below > indent or (below == indent and (rest.startswith("- ") or rest == "-")):
                return self.block(below, depth + 1)
            raise _Unsure  # `key:` with nothing under it
        if text in ("{}", "[]"):
            self.i += 1
            return {} if text == "{}" else []
        if text[0] == "'":
            return self.single_quoted(text, indent)
        if text[0] == '"':
            return self.double_quoted(text, indent)
        return self.plain(text, indent)

    def _continuations(self, indent: int) -> list:
        """The lines after the current one that continue a scalar: more indented than its key."""
        found = []
        j = self.i + 1
        while j < len(self.lines):
            line = self.lines[j]
            stripped = line.lstrip(" ")
            if stripped and len(line) - len(stripped) <= indent:
                break
            if not stripped:
                # an empty line inside a scalar, or the end of the document
                k = j
                while k < len(self.lines) and not self.lines[k].strip(" "):
                    k += 1
                if k >= len(self.lines) or len(self.lines[k]) - len(self.lines[k].lstrip(" ")) <= indent:
                    break
            found.append(line)
            j += 1
        return found

    def plain(self, text: str, indent: int):
        if text[0] in _INDICATORS and not (text[0] == "-" and text[1:2].isdigit()):
            raise _Unsure
        parts = [text]
        for line in self._continuations(indent):
            stripped = line.strip(" ")
            if not stripped or stripped[0] in _INDICATORS:
                raise _Unsure
            parts.append(stripped)
        self.i += len(parts)
        for part in parts:
            if ": " in part or " #" in part or part.endswith((":", " ")) or part.startswith(" "):
                raise _Unsure
        value = " ".join(parts)
        if value in _WORDS:
            return _WORDS[value]
        if value in _OTHER_WORDS:
            raise _Unsure
        if value[0] in _NUMERIC_START:
            if _INT.match(value):
                return int(value)
            if _FLOAT.match(value):
                return float(value)
            raise _Unsure  # dates, octal, sexagesimal, infinities...: PyYAML decides
        return value

    def _quoted_lines(self, text: str, indent: int, closing) -> tuple:
        """(the scalar's source lines, the first with its opening quote removed) up to the closing quote;
        the rest of the last line after the quote must be empty."""
        lines = [text[1:]]
        end = closing(lines[0])
        if end is None:
            for line in self._continuations(indent):
                lines.append(line)
                end = closing(line)
                if end is not None:
                    break
            else:
                raise _Unsure
        if lines[-1][end + 1:].strip(" "):
            raise _Unsure  # something after the closing quote (a comment, say)
        lines[-1] = lines[-1][:end]
        self.i += len(lines)
        return lines

    def single_quoted(self, text: str, indent: int) -> str:
        lines = self._quoted_lines(text, indent, _single_closing)
        return _fold(lines, [False] * len(lines), lambda part: part.replace("''", "'"), lambda part: part.rstrip(" "))

    def double_quoted(self, text: str, indent: int) -> str:
        lines = self._quoted_lines(text, indent, _double_closing)
        escaped = []
        for n, line in enumerate(lines):
            ends_escaped = n < len(lines) - 1 and _odd_backslashes(line)
            if ends_escaped:
                lines[n] = line[:-1]
            escaped.append(ends_escaped)
        return _fold(lines, escaped, _unescape, _rstrip_unescaped)


def _single_closing(line: str):
    """Where the closing quote of a single-quoted scalar is on `line` ('' is a quote inside), or None."""
    k = 0
    while True:
        k = line.find("'", k)
        if k < 0:
            return None
        if line[k + 1:k + 2] == "'":
            k += 2
            continue
        return k


_DOUBLE_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def _double_closing(line: str):
    end = _DOUBLE_BODY.match(line).end()
    return end if line[end:end + 1] == '"' else None


def _odd_backslashes(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _rstrip_unescaped(line: str) -> str:
    """Trailing spaces go before a line break, but not an escaped one (`\\ `)."""
    stripped = line.rstrip(" ")
    if len(stripped) < len(line) and _odd_backslashes(stripped):
        stripped += " "
    return stripped


def _escape(match) -> str:
    code = match.group(1)
    if code in _ESCAPES:
        return _ESCAPES[code]
    if len(code) == 1:
        raise _Unsure
    value = int(code[1:], 16)
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        raise _Unsure
    return chr(value)


def _unescape(part: str) -> str:
    if "\\" not in part:
        return part
    if _odd_backslashes(part):
        raise _Unsure
    return _ESCAPE.sub(_escape, part)


def _fold(lines: list, escaped_breaks: list, decode, rstrip) -> str:
    """YAML's line folding of a quoted scalar's source lines: inner line ends and starts lose their
    spaces; a single line break becomes a space, each further (empty) line a newline; an escaped line
    break (double quotes, a line ending in `\\`) joins with nothing."""
    count = len(lines)
    pieces = []
    k = 0
    while k < count:
        line = lines[k]
        if k > 0:
            line = line.lstrip(" ")
        if k < count - 1 and not escaped_breaks[k]:
            line = rstrip(line)
        pieces.append(decode(line))
        if k == count - 1:
            break
        if escaped_breaks[k]:
            if not lines[k + 1].strip(" "):
                raise _Unsure  # an escaped break before an empty line: leave it to PyYAML
            k += 1
            continue
        empties = 0
        while k + 1 + empties < count - 1 and not lines[k + 1 + empties].strip(" "):
            empties += 1
        pieces.append("\n" * empties if empties else " ")
        k += 1 + empties
    return "".join(pieces)
