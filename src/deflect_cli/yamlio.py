"""YAML in and out: libyaml when present, line numbers for content errors, no tags, aliases or merge keys.

`yaml.safe_load` never uses libyaml (about 20x slower on our content), so we pick the C classes
ourselves. Content loaded here remembers the line of every mapping and key, so the content model can
report `FILE:LINE: message`.

Plans, answers files and content are all read here, and any of them may be hostile, so every bound on
what a file can make the parser do lives here too: no anchors or aliases (a reused 1 MB value would
multiply memory by the number of uses), at most MAX_DEPTH levels of nesting (deeper input exhausted
Python's recursion), numbers at most MAX_NUMBER_CHARS long (longer ones overflow int() or take
quadratic time as base-60 `1:2:3...`), and date-like values kept as the text written (an impossible
`2027-13-45` made the date constructor raise). Every breach is a YAMLProblem with its line.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64  # plans nest 6 levels deep and content 8: anything near this is not ours
MAX_NUMBER_CHARS = 4300  # Python's own limit on decimal digits in int() and str()


class LineDict(dict):
    """A mapping that knows the line it started on and the line of each key."""

    line = 0
    key_lines: dict


class LineList(list):
    line = 0


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_INT, _FLOAT, _TIMESTAMP = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"
_ANCHORS = "anchors and aliases (& and *) are not allowed"


def _refuse(message: str, mark):
    raise yaml.constructor.ConstructorError(None, None, message, mark)


class _LineLoader(_Loader):
    _depth = 0

    def construct_object(self, node, deep=False):
        # An alias makes the same node appear twice (parse() refuses anchors before this runs; this
        # guards the loader on its own).
        if node in self.constructed_objects:
            _refuse(_ANCHORS, node.start_mark)
        if node.tag != self._implicit_tag(node):
            # An explicit tag (`!!binary`, `!!set`, `!!str 12`, `!custom`) would turn text into
            # something else; plain YAML is all content and plans need.
            _refuse(f"YAML tags are not allowed (found {node.tag.replace('tag:yaml.org,2002:', '!!')})",
                    node.start_mark)
        if isinstance(node, ScalarNode):
            if node.tag in (_INT, _FLOAT) and len(node.value) > MAX_NUMBER_CHARS:
                _refuse(f"a number longer than {MAX_NUMBER_CHARS} digits", node.start_mark)
            return super().construct_object(node, deep=deep)
        if self._depth >= MAX_DEPTH:
            _refuse(f"lists and mappings nested more than {MAX_DEPTH} levels deep", node.start_mark)
        self._depth += 1
        try:
            return super().construct_object(node, deep=deep)
        finally:
            self._depth -= 1

    def construct_timestamp_as_written(self, node) -> str:
        """An unquoted 2027-03-01 stays the text written: answers store dates as ISO text anyway, and
        an impossible date is then an answer problem rather than a parser crash."""
        return node.value

    def _implicit_tag(self, node) -> str:
        """The tag the node would have had without one written in the file."""
        if isinstance(node, MappingNode):
            return _MAP
        if isinstance(node, SequenceNode):
            return _SEQ
        if node.style:  # quoted or block scalars are always text
            return _STR
        return self.resolve(ScalarNode, node.value, (True, False))

    def construct_line_mapping(self, node):
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_line_sequence(self, node):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_sequence)
_LineLoader.add_constructor(_TIMESTAMP, _LineLoader.construct_timestamp_as_written)


class YAMLProblem(Exception):
    """YAML that does not parse; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str, max_bytes: int = MAX_BYTES):
    """Parse one YAML document into LineDict/LineList/scalars, or raise YAMLProblem.

    Bounded: more than `max_bytes` characters is refused before parsing, and the limits in the
    module docstring hold while it is built, so a hostile file cannot exhaust memory or time."""
    if len(text) > max_bytes:
        raise YAMLProblem(f"file is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        if "&" in text:  # no `&` means no anchor, so no alias either: the common case skips the scan
            _refuse_anchors(text)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:  # the pure-Python parser (no libyaml) recurses while composing
        raise YAMLProblem(f"not valid YAML: lists and mappings nested more than {MAX_DEPTH} levels deep") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = exc.problem or exc.context or "not valid YAML"
        raise YAMLProblem(f"not valid YAML: {_one_line(what)}", line) from None
    except yaml.reader.ReaderError as exc:
        # A control character or invalid byte: libyaml reports a position, not a line.
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else 0
        raise YAMLProblem(f"not valid YAML: {_one_line(str(exc).splitlines()[0])}", line) from None
    except yaml.YAMLError as exc:
        raise YAMLProblem(f"not valid YAML: {_one_line(str(exc))}") from None


def _refuse_anchors(text: str) -> None:
    """Refuse the first anchor or alias, before anything is built: an anchored value costs nothing
    until it is reused, and then each use is a full copy."""
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                _refuse(_ANCHORS, event.start_mark)
    finally:
        loader.dispose()


def _one_line(message: str) -> str:
    """Problems are shown one per line, so a parser message never spans two."""
    return " ".join(str(message).split())


class _PlainDumper(_Dumper):
    def ignore_aliases(self, data):
        return True


# Loaded plans contain LineDict/LineList; they dump as the plain mappings and lists they are.
_PlainDumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
_PlainDumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def _dump_whole(data) -> str:
    return yaml.dump(
        data,
        Dumper=_PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


# Saving after every answer re-dumps the whole plan, and PyYAML's representer is pure Python (about
# 8 ms for a fully answered plan). In block style every entry of a mapping is emitted independently
# of its neighbors, so the text of a top-level mapping is the concatenation of the texts of its
# entries. dump() therefore keeps the text of each group of entries keyed by an exact, type-strict
# snapshot of its value (JSON: 1, 1.0 and true differ) and only re-dumps the groups that changed;
# the result is byte-for-byte what one yaml.dump of the whole would give (tests/test_cache.py).
_FRAGMENTS: dict = {}
_FRAGMENT_LIMIT = 20000


def _groups(mapping: dict) -> list:
    """Runs of entries dumped together: one per key whose value is a mapping, else runs of keys that
    share the prefix before the first dot (`section.question`)."""
    runs, current, prefix = [], [], object()
    for key, value in mapping.items():
        group = key if isinstance(value, dict) else (key.split(".", 1)[0] if isinstance(key, str) else None)
        if current and (group != prefix or isinstance(value, dict)):
            runs.append(current)
            current = []
        current.append((key, value))
        prefix = group
    if current:
        runs.append(current)
    return runs


def _fragment(name: str, run: list) -> str:
    import json

    try:
        snapshot = json.dumps(run, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # dates and the like: no snapshot, dump as is
        snapshot = None
    key = (name, snapshot)
    text = _FRAGMENTS.get(key) if snapshot is not None else None
    if text is None:
        text = _dump_whole({name: dict(run)})
        text = text[len(name) + 2:] if text.startswith(f"{name}:\n") else None
        if text is None:
            raise ValueError("unexpected YAML layout")
        if snapshot is not None:
            if len(_FRAGMENTS) > _FRAGMENT_LIMIT:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = text
    return text


def dump(data) -> str:
    """Human-readable block YAML, keys in the order given, any Unicode kept as-is."""
    if not isinstance(data, dict) or not all(isinstance(k, str) and "\n" not in k for k in data):
        return _dump_whole(data)
    parts, plain = [], {}
    for name, value in data.items():
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            if plain:
                parts.append(_dump_whole(plain))
                plain = {}
            try:
                parts.append(f"{name}:\n" + "".join(_fragment(name, run) for run in _groups(value)))
            except ValueError:
                parts.append(_dump_whole({name: value}))
        else:
            plain[name] = value
    if plain:
        parts.append(_dump_whole(plain))
    return "".join(parts)
