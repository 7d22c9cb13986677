"""Conditions in content (`when:`), compiled by Jinja's sandboxed expression compiler.

Content authors get one small documented language; no Python `eval`, no attribute access to
internals (the sandbox refuses it). Names are `SECTION.QUESTION`, resolved against the answers.
"""

from __future__ import annotations

from functools import lru_cache


class ConditionError(Exception):
    """A condition that does not compile, with a message for the content author."""


@lru_cache(maxsize=1)
def _environment():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment()


@lru_cache(maxsize=None)
def compile_condition(source: str):
    """Compile once per process; raises ConditionError for a syntax error."""
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().compile_expression(source, undefined_to_none=True)
    except TemplateSyntaxError as exc:
        raise ConditionError(f"condition does not compile: {exc.message}") from None


@lru_cache(maxsize=None)
def referenced_names(source: str) -> frozenset[str]:
    """The `SECTION.QUESTION` (or bare `SECTION`) names a condition reads."""
    from jinja2 import nodes

    env = _environment()
    try:
        tree = env.parse("{{ (" + source + ") }}")
    except Exception as exc:  # noqa: BLE001 - any parse failure is a content error
        raise ConditionError(f"condition does not compile: {exc}") from None
    found: set[str] = set()
    attribute_bases: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        base = node.node
        if isinstance(base, nodes.Name):
            attribute_bases.add(id(base))
            if isinstance(node, nodes.Getattr):
                found.add(f"{base.name}.{node.attr}")
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                found.add(f"{base.name}.{node.arg.value}")
            else:
                found.add(base.name)
    for name in tree.find_all(nodes.Name):
        if id(name) not in attribute_bases and name.ctx == "load":
            found.add(name.name)
    return frozenset(found)


def evaluate(source: str, context: dict) -> bool:
    """True when the condition holds; a condition that fails at run time counts as false."""
    try:
        return bool(compile_condition(source)(**context))
    except ConditionError:
        raise
    except Exception:  # noqa: BLE001 - e.g. comparing None with a number: not applicable
        return False
