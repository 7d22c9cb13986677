"""Conditions said in words, for people: `'hub' in program_types.models` becomes
"the answer to 'Program models chosen' includes 'HUB or situation table'".

Content authors write conditions in Jinja syntax; users never see that syntax. The words are built
from the condition's evaluation tree (see `conditions`) and the labels of the questions and choices
it names. Shapes with no plain reading (filters over table rows, arithmetic) fall back to naming the
questions the condition depends on.
"""

from __future__ import annotations

from deflect_cli.content import conditions

_COMPARE = {"==": "is", "!=": "is not", ">": "is more than", "<": "is less than", ">=": "is at least",
            "<=": "is at most", "in": "is one of", "not in": "is not one of"}


class _Unsaid(Exception):
    """A part of a condition with no plain reading."""


def describe(content, source: str) -> str:
    """One condition as a phrase that follows "when", e.g. "when <phrase>"."""
    try:
        tree = conditions.trees_for([source])[source]
    except conditions.ConditionError:
        tree = None
    if tree is not None:
        try:
            return _say(content, tree)
        except _Unsaid:
            pass
    names = sorted(n for n in conditions.referenced_names(source) if "." in n) if tree is not None else []
    labels = [_question_label(content, n) for n in names]
    if not labels:
        return "an earlier answer calls for it"
    return (f"your answer{'s' if len(labels) > 1 else ''} to {_join(labels, 'and')} "
            f"call{'' if len(labels) > 1 else 's'} for it")


def _say(content, tree, inner: bool = False) -> str:
    op = tree[0]
    if op in ("and", "or"):
        children = _flatten(tree, op)
        if op == "and":  # "X is answered and X is not V" reads as "X is not V"
            children = [c for c in children if not (_guard_of(c) and any(
                c is not other and _guard_of(c) in _var_keys(other) for other in children))] or children
        same = _membership_of_one_question(children)
        if same is not None:
            key, verb = same
            question = content.question(key)
            values = [_value(question, c[1][1]) for c in children]
            return f"{_question_label(content, key)} {verb} {_join(values, op)}"
        text = _join([_say(content, child, inner=True) for child in children], op)
        return f"either {text}" if op == "or" and inner else text
    if op == "var":
        return f"{_question_label(content, _key(tree))} is answered"
    if op == "not":
        child = tree[1]
        if child[0] == "var":
            return f"{_question_label(content, _key(child))} has no answer"
        if child[0] == "test" and child[1] == "none" and child[2][0] == "var":
            return f"{_question_label(content, _key(child[2]))} is answered"
        if child[0] == "or":
            same = _membership_of_one_question(_flatten(child, "or"))
            if same is not None and same[1] == "includes":
                question = content.question(same[0])
                values = [_value(question, c[1][1]) for c in _flatten(child, "or")]
                return f"{_question_label(content, same[0])} includes none of {_join(values, 'or')}"
        return f"it is not the case that {_say(content, child, inner=True)}"
    if op == "test" and tree[1] == "none" and tree[2][0] == "var":
        return f"{_question_label(content, _key(tree[2]))} has no answer"
    if op == "cmp":
        left, comparisons = tree[1], tree[2]
        if len(comparisons) != 1:
            raise _Unsaid
        operator, right = comparisons[0]
        if operator in ("in", "not in") and left[0] == "const" and right[0] == "var":
            question = content.question(_key(right))
            verb = "includes" if operator == "in" else "does not include"
            return f"{_question_label(content, _key(right))} {verb} {_value(question, left[1])}"
        if left[0] == "var" and operator in _COMPARE:
            question = content.question(_key(left))
            if right[0] == "const":
                return f"{_question_label(content, _key(left))} {_COMPARE[operator]} {_value(question, right[1])}"
            if right[0] == "list" and all(item[0] == "const" for item in right[1]):
                values = [_value(question, item[1]) for item in right[1]]
                return f"{_question_label(content, _key(left))} {_COMPARE[operator]} {_join(values, 'or')}"
            if right[0] == "var":
                return (f"{_question_label(content, _key(left))} {_COMPARE[operator]} "
                        f"{_question_label(content, _key(right))}")
    raise _Unsaid


def _guard_of(tree):
    """The question a bare "is answered" test looks at (`x`, `x is not none`), else None."""
    if tree[0] == "var":
        return _key(tree)
    if tree[0] == "not" and tree[1][0] == "test" and tree[1][1] == "none" and tree[1][2][0] == "var":
        return _key(tree[1][2])
    return None


def _var_keys(tree) -> set:
    found = set()
    if tree[0] == "var":
        found.add(_key(tree))
    for child in conditions._children(tree):
        found |= _var_keys(child)
    return found


def _membership_of_one_question(children):
    """`'a' in Q or 'b' in Q` -> (Q, "includes"), so it reads "Q includes 'a' or 'b'"."""
    keys, verbs = set(), set()
    for child in children:
        if not (child[0] == "cmp" and child[1][0] == "const" and len(child[2]) == 1
                and child[2][0][0] in ("in", "not in") and child[2][0][1][0] == "var"):
            return None
        keys.add(_key(child[2][0][1]))
        verbs.add(child[2][0][0])
    if len(keys) != 1 or len(verbs) != 1 or len(children) < 2:
        return None
    return keys.pop(), "includes" if verbs.pop() == "in" else "does not include"


def _flatten(tree, op: str) -> list:
    if tree[0] != op:
        return [tree]
    return _flatten(tree[1], op) + _flatten(tree[2], op)


def _key(var_tree) -> str:
    return f"{var_tree[1]}.{var_tree[2]}"


def _question_label(content, key: str) -> str:
    question = content.question(key)
    return f"'{question.label if question is not None else key}'"


def _value(question, value) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "empty"
    for choice in getattr(question, "choices", ()) if question is not None else ():
        if choice.value == value:
            return f"'{choice.label}'"
    return f"'{value}'" if isinstance(value, str) else f"{value:,}" if isinstance(value, int) else str(value)


def _join(parts: list, word: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]
