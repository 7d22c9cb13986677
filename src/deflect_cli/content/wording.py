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
    """The phrase for one evaluation tree; `inner` when it stands inside a longer "and" or "or"."""
    op = tree[0]
    if op in ("and", "or"):
        return _say_junction(content, tree, op, inner)
    if op == "var":
        return f"{_question_label(content, _key(tree))} is answered"
    if op == "not":
        return _say_not(content, tree[1])
    if (tested := _none_test(tree)) is not None:
        return f"{_question_label(content, _key(tested))} has no answer"
    if op == "cmp":
        return _say_comparison(content, tree[1], tree[2])
    raise _Unsaid


def _say_junction(content, tree, op: str, inner: bool) -> str:
    children = _flatten(tree, op)
    if op == "and":  # "X is answered and X is not V" reads as "X is not V"
        children = [c for c in children if not (_guard_of(c) and any(
            c is not other and _guard_of(c) in _var_keys(other) for other in children))] or children
    same = _membership_of_one_question(children)
    if same is not None:
        return _say_membership(content, *same, op)
    text = _join([_say(content, child, inner=True) for child in children], op)
    return f"either {text}" if op == "or" and inner else text


def _say_not(content, child) -> str:
    if child[0] == "var":
        return f"{_question_label(content, _key(child))} has no answer"
    if (tested := _none_test(child)) is not None:
        return f"{_question_label(content, _key(tested))} is answered"
    same = _membership_of_one_question(_flatten(child, "or")) if child[0] == "or" else None
    if same is not None and same[1] == "includes":
        return _say_membership(content, same[0], "includes none of", same[2], "or")
    return f"it is not the case that {_say(content, child, inner=True)}"


def _say_comparison(content, left, comparisons) -> str:
    if len(comparisons) != 1:
        raise _Unsaid
    operator, right = comparisons[0]
    if operator in ("in", "not in") and left[0] == "const" and right[0] == "var":
        verb = "includes" if operator == "in" else "does not include"
        return _say_membership(content, _key(right), verb, [left[1]], "or")
    if left[0] != "var" or operator not in _COMPARE:
        raise _Unsaid
    question = content.question(_key(left))
    said = f"{_question_label(content, _key(left))} {_COMPARE[operator]}"
    if right[0] == "const":
        return f"{said} {_value(question, right[1])}"
    if right[0] == "list" and all(item[0] == "const" for item in right[1]):
        return f"{said} {_join([_value(question, item[1]) for item in right[1]], 'or')}"
    if right[0] == "var":
        return f"{said} {_question_label(content, _key(right))}"
    raise _Unsaid


def _say_membership(content, key: str, verb: str, values: list, word: str) -> str:
    """"Q includes 'a' or 'b'", with the choices' labels for their values."""
    question = content.question(key)
    return f"{_question_label(content, key)} {verb} {_join([_value(question, v) for v in values], word)}"


def _none_test(tree):
    """The question `x is none` tests, as its var tree, else None."""
    if tree[0] == "test" and tree[1] == "none" and tree[2][0] == "var":
        return tree[2]
    return None


def _guard_of(tree):
    """The question a bare "is answered" test looks at (`x`, `x is not none`), else None."""
    if tree[0] == "var":
        return _key(tree)
    tested = _none_test(tree[1]) if tree[0] == "not" else None
    return None if tested is None else _key(tested)


def _var_keys(tree) -> set:
    found = set()
    if tree[0] == "var":
        found.add(_key(tree))
    for child in conditions._children(tree):
        found |= _var_keys(child)
    return found


def _membership_of_one_question(children):
    """`'a' in Q or 'b' in Q` -> (Q, "includes", ['a', 'b']), so it reads "Q includes 'a' or 'b'"."""
    keys, verbs = set(), set()
    for child in children:
        if not (child[0] == "cmp" and child[1][0] == "const" and len(child[2]) == 1
                and child[2][0][0] in ("in", "not in") and child[2][0][1][0] == "var"):
            return None
        keys.add(_key(child[2][0][1]))
        verbs.add(child[2][0][0])
    if len(keys) != 1 or len(verbs) != 1 or len(children) < 2:
        return None
    return keys.pop(), "includes" if verbs.pop() == "in" else "does not include", [c[1][1] for c in children]


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
