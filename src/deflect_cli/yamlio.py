"""YAML in and out: libyaml when present, line numbers for content errors, no tags or aliases.

`yaml.safe_load` never uses libyaml (about 20x slower on our content), so we pick the C classes
ourselves. Content loaded here remembers the line of every mapping and key, so the content model can
report `FILE:LINE: message`.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_BYTES = 8 * 1024 * 1024


class LineDict(dict):
    """A mapping that knows the line it started on and the line of each key."""

    line = 0
    key_lines: dict


class LineList(list):
    line = 0


class _LineLoader(_Loader):
    def construct_object(self, node, deep=False):
        # An alias makes the same node appear twice; refuse it so "billion laughs" documents and
        # shared mutable structures never reach the model.
        if isinstance(node, (MappingNode, SequenceNode)) and node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (& and *) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep=deep)

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


class YAMLProblem(Exception):
    """YAML that does not parse; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str):
    """Parse one YAML document into LineDict/LineList/scalars, or raise YAMLProblem."""
    if len(text) > MAX_BYTES:
        raise YAMLProblem(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = exc.problem or exc.context or "not valid YAML"
        return_msg = f"not valid YAML: {what}"
        raise YAMLProblem(return_msg, line) from None
    except yaml.YAMLError as exc:
        raise YAMLProblem(f"not valid YAML: {exc}") from None


class _PlainDumper(_Dumper):
    def ignore_aliases(self, data):
        return True


# Loaded plans contain LineDict/LineList; they dump as the plain mappings and lists they are.
_PlainDumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
_PlainDumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def dump(data) -> str:
    """Human-readable block YAML, keys in the order given, any Unicode kept as-is."""
    return yaml.dump(
        data,
        Dumper=_PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
