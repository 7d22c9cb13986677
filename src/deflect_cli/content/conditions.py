"""Conditions in content (`when:`): Jinja expressions, checked by Jinja, run by a tiny interpreter.

Content authors get one small documented language: Jinja's expression syntax, for example
`'qrt' in program_types.models and staffing.coordinator == false`. Names are `SECTION.QUESTION`,
resolved against the answers.

Why not run Jinja itself? Importing jinja2 and compiling every condition cost more than the rest of
`deflect status` put together. So Jinja's parser reads each condition once, when content is loaded
or linted, and we translate its syntax tree into a small evaluation tree of plain tuples. The tuples
are picklable (the content cache stores them) and evaluating them needs no jinja2 import.

The interpreter is stricter than Jinja's sandbox, never looser: names and `a.b` / `a['b']` are only
ever dictionary lookups in the answers (no Python attribute access at all), nothing can be called,
names starting with `_` are refused, and only a whitelist of node types, tests and filters exists:
the ones the bundled content uses (docs/content-schema.md), so there is little here to get wrong.
There is no `eval`. Everything it does support follows Jinja's semantics, including Jinja's
Undefined for missing values (tests/test_conditions.py cross-checks it against Jinja). Anything
outside the subset is a content error naming what was used. A condition that fails while it runs
(comparing nothing with a number, say) counts as false, with a one-line warning on stderr.

Everything is bounded, because a condition is content and content can be hostile: its shape when it
is compiled (length, parts, nesting), and while it runs the size of every value it computes, the
number of loop steps inside filters and `%` format widths. A bound that constant
parts already break is a lint error; one broken at run time by the answers counts as false, with a
one-line warning on stderr naming the condition, never a hang.
"""

from __future__ import annotations

import functools
import operator
from itertools import chain
from numbers import Number


class ConditionError(Exception):
    """A condition that does not compile, with a message for the content author."""


class LimitError(Exception):
    """Running a condition would go past one of the bounds below."""


MAX_SIZE = 1_000_000  # characters, or items and their characters, in any value a condition computes
MAX_INT_BITS = 100_000  # about 30,000 digits; answers are read with at most 4,300
MAX_FORMAT_WIDTH = 1000  # `'%05d' % n`: width and precision of each conversion
MAX_STEPS = 2_000_000  # items handled inside filters (select, selectattr, sum...) in one evaluation
_STEPS = [0]


def _step(count: int = 1) -> None:
    _STEPS[0] += count
    if _STEPS[0] > MAX_STEPS:
        raise LimitError(f"more than {MAX_STEPS:,} steps")


def _weight(value, budget: int = MAX_SIZE) -> int:
    """Characters plus items in `value`, nested lists and mappings included; counting stops past
    `budget`, so measuring never costs more than the bound."""
    total, stack = 0, [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple)):
            total += 1 + len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += 1 + len(item)
            stack.extend(item.values())
        else:
            total += 1
    return total


def _bounded(value):
    """`value`, if a condition may compute it; LimitError otherwise."""
    if isinstance(value, str):
        if len(value) > MAX_SIZE:
            raise LimitError(f"text longer than {MAX_SIZE:,} characters")
    elif isinstance(value, (list, tuple)):
        if _weight(value) > MAX_SIZE:
            raise LimitError(f"a list larger than {MAX_SIZE:,} items and characters")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitError(f"a number larger than {MAX_INT_BITS:,} bits")
    return value


def _text(value) -> str:
    """str(value) without ever building text past the bound (a list is measured before)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)) and _weight(value) > MAX_SIZE:
        raise LimitError(f"text longer than {MAX_SIZE:,} characters")
    return _bounded(str(value))


# --------------------------------------------------------------------------- Undefined


class UndefinedError(Exception):
    """Using a missing value in a way Jinja refuses (arithmetic, ordering, attribute of nothing)."""


def _fail(*_args, **_kwargs):
    raise UndefinedError("value is undefined")


class Undefined:
    """A missing value, with exactly the behavior of jinja2.Undefined.

    Falsy, empty when iterated or measured, equal only to another Undefined, "" as text; ordering,
    arithmetic and looking inside it raise UndefinedError (so the condition counts as false).
    """

    __slots__ = ()

    def __getattr__(self, name):
        if name[:2] == "__":
            raise AttributeError(name)
        return _fail()

    __add__ = __radd__ = __sub__ = __rsub__ = _fail
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail
    __pos__ = __neg__ = __call__ = __getitem__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = _fail
    __int__ = __float__ = __complex__ = __pow__ = __rpow__ = _fail

    def __eq__(self, other):
        return type(self) is type(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(type(self))

    def __str__(self):
        return ""

    def __len__(self):
        return 0

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False

    def __repr__(self):
        return "Undefined"


UNDEFINED = Undefined()

# --------------------------------------------------------------------------- lookups


def getattr_(obj, name):
    """`obj.name`: a key of a mapping, never a Python attribute."""
    if isinstance(obj, dict):
        return obj.get(name, UNDEFINED)
    if isinstance(obj, Undefined):
        _fail()
    return UNDEFINED


def getitem(obj, key):
    """`obj[key]`: a key of a mapping, or a position in a list or text."""
    if isinstance(obj, dict):
        try:
            return obj.get(key, UNDEFINED)
        except TypeError:  # an unhashable key
            return UNDEFINED
    if isinstance(obj, Undefined):
        _fail()
    if isinstance(key, int) and isinstance(obj, (list, tuple, str)):
        try:
            return obj[key]
        except IndexError:
            return UNDEFINED
    return UNDEFINED


def _attribute_parts(attribute):
    if attribute is None:
        return []
    if isinstance(attribute, str):
        return [int(x) if x.isdigit() else x for x in attribute.split(".")]
    return [attribute]


def _attrgetter(attribute):
    """jinja2.filters.make_attrgetter with our lookups: `'a.b'` walks keys, digits are positions."""
    parts = _attribute_parts(attribute)

    def get(item):
        for part in parts:
            item = getitem(item, part)
        return item

    return get


# --------------------------------------------------------------------------- tests (`x is NAME`)


TESTS = {  # `x is none`, and the tests select/selectattr/rejectattr name: all the content uses
    "none": lambda value: value is None,
    "in": lambda value, seq: value in seq,
    "equalto": operator.eq,
    "sameas": lambda value, other: value is other,
    "number": lambda value: isinstance(value, Number),
}


def _cost(values) -> int:
    """What one call inside a loop costs: 1, plus the length of what it searches or compares."""
    return 1 + sum(len(v) for v in values if isinstance(v, (str, list, tuple, dict)))


def _call_test(name, value, args=(), kwargs=None):
    test = TESTS.get(name) if isinstance(name, str) else None
    if test is None:
        raise UndefinedError(f"no test named {name!r}")
    _step(_cost((value, *args)))
    return test(value, *args, **(kwargs or {}))


# --------------------------------------------------------------------------- filters (`x | NAME`)
# Each one is jinja2.filters' function of the same name, minus the environment argument.


def _f_sum(iterable, attribute=None, start=0):
    if attribute is not None:
        iterable = map(_attrgetter(attribute), iterable)
    items = _f_list(iterable)
    if isinstance(start, (list, tuple)) or any(isinstance(item, (list, tuple)) for item in items):
        # Python adds lists pairwise, copying the total each time: join them once instead.
        kind = type(start)
        bad = next((item for item in items if type(item) is not kind), None)
        if bad is not None:
            raise TypeError(f"can only concatenate {kind.__name__} (not {type(bad).__name__})")
        return _bounded(kind(chain(start, *items)))
    return _bounded(sum(items, start))


def _f_list(value) -> list:
    """list(value), measured as it grows: a lazy `map` can make each item large."""
    if isinstance(value, (list, tuple, str)):
        return _bounded(list(value))
    items, total = [], 0
    for item in value:
        _step()
        total += _weight(item)
        if total > MAX_SIZE:
            raise LimitError(f"a list larger than {MAX_SIZE:,} items and characters")
        items.append(item)
    return items


def _select_or_reject(value, args, kwargs, keep, lookup_attr):
    if value:
        if lookup_attr:
            if not args:
                raise UndefinedError("missing attribute name")
            transform = _attrgetter(args[0])
            off = 1
        else:
            transform, off = None, 0
        if len(args) > off:
            name, rest = args[off], args[1 + off:]

            def test(item):
                return _call_test(name, item, rest, kwargs)
        else:
            test = bool
        for item in value:
            if keep(test(transform(item) if transform else item)):
                yield item


def _f_select(value, *args, **kwargs):
    return _select_or_reject(value, args, kwargs, bool, False)


def _f_reject(value, *args, **kwargs):
    return _select_or_reject(value, args, kwargs, operator.not_, False)


def _f_map(value, *args, attribute=None, **kwargs):
    """Only `map(attribute='x')`, the form the content uses: each item's `x`."""
    if args or kwargs or attribute is None:
        raise UndefinedError("map() in a condition takes only attribute='name'")
    get = _attrgetter(attribute)
    for item in value:
        _step()
        yield get(item)


def _f_selectattr(value, *args, **kwargs):
    return _select_or_reject(value, args, kwargs, bool, True)


def _f_rejectattr(value, *args, **kwargs):
    return _select_or_reject(value, args, kwargs, operator.not_, True)


FILTERS = {  # the filters the bundled content uses (docs/content-schema.md); lint refuses the rest
    "length": len,
    "list": _f_list,
    "select": _f_select,
    "reject": _f_reject,
    "map": _f_map,
    "selectattr": _f_selectattr,
    "rejectattr": _f_rejectattr,
    "sum": _f_sum,
}

# Filters whose result is a one-shot generator, as in Jinja: `| length` on it is an error and it is
# always true as a condition, so the compiler asks for `| list` in between.
_LAZY = frozenset({"select", "reject", "map", "selectattr", "rejectattr"})

# --------------------------------------------------------------------------- operators

_REPEAT_LIMIT = 100_000


def _mul(a, b):
    """`*`, with text or list repetition capped so an answer cannot exhaust memory."""
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > _REPEAT_LIMIT:
            raise LimitError(f"repetition to more than {_REPEAT_LIMIT:,} items or characters")
    return a * b


# A conversion of printf-style formatting: flags, width, precision, length modifier, type.
_CONVERSION = None


def _check_format(text: str) -> None:
    global _CONVERSION
    if _CONVERSION is None:
        import re

        _CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?.")
    for conversion in _CONVERSION.finditer(text):
        for number in conversion.groups():
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise LimitError(f"a format width or precision over {MAX_FORMAT_WIDTH}")


def _mod(a, b):
    """`%`: for text, printf-style formatting, with each width and precision bounded first."""
    if isinstance(a, str):
        _check_format(a)
        if isinstance(b, (list, tuple, dict)) and _weight(b) > MAX_SIZE:
            raise LimitError(f"text longer than {MAX_SIZE:,} characters")
    return a % b


_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": _mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": _mod,
}


def _not_in(a, b):
    return a not in b


def _in(a, b):
    return a in b


_COMPARE = {
    "==": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge,
    "<": operator.lt, "<=": operator.le, "in": _in, "not in": _not_in,
}

# --------------------------------------------------------------------------- Jinja AST -> tuples

_JINJA_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=",
                  "in": "in", "notin": "not in"}
_JINJA_BINARY = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "FloorDiv": "//", "Mod": "%"}
_DESCRIBE = {
    "Pow": "the ** operator",
    "Call": "a function or method call",
    "Slice": "a slice ([a:b])",
    "Dict": "a dictionary literal ({...})",
    "NSRef": "a namespace reference",
}


@functools.lru_cache(maxsize=1)
def _environment():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment()


# Bounds on a condition's shape. Jinja's parser and our translator and interpreter all recurse, so a
# condition 100 parentheses deep or a chain of 900 `+` would otherwise end in RecursionError: at load
# time a traceback, at run time a condition that silently counted as false. The bundled content's
# largest condition has 81 tokens and nests 8 deep.
MAX_SOURCE_CHARS = 4000
MAX_TOKENS = 400
MAX_BRACKETS = 32  # each level costs Jinja's parser about 13 stack frames
MAX_DEPTH = 64
_OPEN, _CLOSE = frozenset({"lparen", "lbracket", "lbrace"}), frozenset({"rparen", "rbracket", "rbrace"})


def _too_large(what: str) -> ConditionError:
    return ConditionError(f"condition is too large: {what}; split it into simpler conditions")


def _check_size(source: str, env) -> None:
    """Refuse an oversized condition from its tokens, before anything recursive runs."""
    if len(source) > MAX_SOURCE_CHARS:
        raise _too_large(f"more than {MAX_SOURCE_CHARS} characters")
    count = depth = 0
    for token in env.lexer.tokenize(source, state="variable"):
        count += 1
        depth += (token.type in _OPEN) - (token.type in _CLOSE)
        if count > MAX_TOKENS:
            raise _too_large(f"more than {MAX_TOKENS} parts")
        if depth > MAX_BRACKETS:
            raise _too_large(f"brackets nested more than {MAX_BRACKETS} deep")


def _depth(tree) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in _children(node))
    return deepest


def _parse(source: str):
    """Jinja's own expression parser, as `compile_expression` uses it."""
    from jinja2 import TemplateSyntaxError
    from jinja2.parser import Parser

    env = _environment()
    try:
        _check_size(source, env)
        parser = Parser(env, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
    except TemplateSyntaxError as exc:
        raise ConditionError(f"condition does not compile: {exc.message}") from None
    except ValueError as exc:  # a number constant longer than Python's int() allows
        raise ConditionError(f"condition does not compile: {exc}") from None
    return expr


def _unsupported(what: str) -> ConditionError:
    return ConditionError(f"condition uses {what}, which deflect conditions do not support")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or name.startswith("_"):
        raise ConditionError(f"condition uses the {what} {name!r}; names starting with '_' are not allowed")


def _check_signature(func, kind: str, name: str, n_args: int, keywords) -> None:
    import inspect

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # builtins such as len: one positional value
        signature = inspect.Signature([inspect.Parameter("value", inspect.Parameter.POSITIONAL_ONLY)])
    try:
        signature.bind(None, *([None] * n_args), **{k: None for k in keywords})
    except TypeError:
        raise ConditionError(f"condition gives the {kind} {name!r} arguments it does not take") from None


def _translate(node, *, as_bool: bool = False):
    """One Jinja expression node -> a tuple tree; ConditionError for anything outside the subset.

    `as_bool` where Jinja takes the node's truth (and, or, not, if), which a lazy filter's result fails."""
    kind = type(node).__name__
    if as_bool:
        _refuse_lazy(node, "tests the truth of")
    translate = _TRANSLATE.get(kind)
    if translate is None:
        raise _unsupported(_DESCRIBE.get(kind, f"a {kind} expression"))
    return translate(node)


def _truth(node):
    return _translate(node, as_bool=True)


def _translate_all(items) -> tuple:
    return tuple(_translate(item) for item in items)


def _refuse_lazy(node, how: str) -> None:
    if type(node).__name__ == "Filter" and node.name in _LAZY:
        raise ConditionError(
            f"condition {how} the result of `{node.name}`, which is a one-shot sequence in Jinja; "
            f"add `| list` after `{node.name}(...)`"
        )


def _t_const(node):
    if not isinstance(node.value, (str, int, float, bool, type(None))):
        raise _unsupported(f"the constant {node.value!r}")
    return ("const", node.value)


def _t_name(node):
    _check_name(node.name, "name")
    return ("name", node.name)


def _var(node, key: str):
    """`section.question` and `section['question']` as the one lookup they are, when `node` is a name."""
    if type(node).__name__ != "Name":
        return None
    _check_name(node.name, "name")
    return ("var", node.name, key)


def _t_getattr(node):
    _check_name(node.attr, "attribute")
    return _var(node.node, node.attr) or ("attr", _translate(node.node), node.attr)


def _t_getitem(node):
    from jinja2 import nodes

    if isinstance(node.arg, nodes.Slice):
        raise _unsupported(_DESCRIBE["Slice"])
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        _check_name(node.arg.value, "key")
        var = _var(node.node, node.arg.value)
        if var is not None:
            return var
    return ("item", _translate(node.node), _translate(node.arg))


def _t_tuple(node):
    if node.ctx != "load":
        raise _unsupported("an assignment")
    return ("tuple", _translate_all(node.items))


def _t_compare(node):
    ops = []
    for operand in node.ops:
        if operand.op not in _JINJA_COMPARE:
            raise _unsupported(f"the comparison {operand.op!r}")
        ops.append((_JINJA_COMPARE[operand.op], _translate(operand.expr)))
    return ("cmp", _translate(node.expr), tuple(ops))


def _t_binary(node):
    return ("bin", _JINJA_BINARY[type(node).__name__], _translate(node.left), _translate(node.right))


def _t_call(node):
    """A filter (`x | length`) or a test (`x is none`): a supported one, given arguments it takes."""
    is_filter = type(node).__name__ == "Filter"
    what = "filter" if is_filter else "test"
    table = FILTERS if is_filter else TESTS
    if node.node is None or node.dyn_args is not None or node.dyn_kwargs is not None:
        raise _unsupported(f"*args or **kwargs in the {what} {node.name!r}")
    if node.name not in table:
        raise ConditionError(f"{what} {node.name!r} is not supported in conditions; "
                             f"supported: {', '.join(sorted(table))}")
    if is_filter and node.name == "length":
        _refuse_lazy(node.node, f"applies `{node.name}` to")
    for keyword in node.kwargs:
        _check_name(keyword.key, "argument")
    _check_attribute_names(node)
    _check_signature(table[node.name], what, node.name, len(node.args), [k.key for k in node.kwargs])
    _check_named_helpers(node)
    return (
        what,
        node.name,
        _translate(node.node),
        _translate_all(node.args),
        tuple((k.key, _translate(k.value)) for k in node.kwargs),
    )


def _check_attribute_names(node) -> None:
    """`attribute='a.b'` and `selectattr('a.b', ...)` read a row's fields: each part is held to the
    rules of a name."""
    from jinja2 import nodes

    attributes = [k.value for k in node.kwargs if k.key == "attribute"]
    if node.name in ("selectattr", "rejectattr") and node.args:
        attributes.append(node.args[0])
    for attribute in attributes:
        if isinstance(attribute, nodes.Const) and isinstance(attribute.value, str):
            for part in attribute.value.split("."):
                _check_name(part, "attribute")


# Jinja node type -> its translation: the node types a condition may use, the mirror of _EVAL below.
_TRANSLATE = {
    "Const": _t_const,
    "Name": _t_name,
    "Getattr": _t_getattr,
    "Getitem": _t_getitem,
    "List": lambda node: ("list", _translate_all(node.items)),
    "Tuple": _t_tuple,
    "Compare": _t_compare,
    "And": lambda node: ("and", _truth(node.left), _truth(node.right)),
    "Or": lambda node: ("or", _truth(node.left), _truth(node.right)),
    "Not": lambda node: ("not", _truth(node.node)),
    "Neg": lambda node: ("neg", _translate(node.node)),
    "Pos": lambda node: ("pos", _translate(node.node)),
    "CondExpr": lambda node: ("if", _truth(node.test), _translate(node.expr1),
                              None if node.expr2 is None else _translate(node.expr2)),
    "Concat": lambda node: ("concat", _translate_all(node.nodes)),
    "Filter": _t_call,
    "Test": _t_call,
    **dict.fromkeys(_JINJA_BINARY, _t_binary),
}


def _check_named_helpers(node) -> None:
    """`select('in', ...)` and `selectattr('x', 'equalto', ...)` name a test: when the name is
    written out, it must be one we support."""
    from jinja2 import nodes

    position = {"select": 0, "selectattr": 1, "rejectattr": 1}.get(node.name)
    if position is None or not isinstance(node, nodes.Filter) or len(node.args) <= position:
        return
    arg = node.args[position]
    if not isinstance(arg, nodes.Const):
        return
    if arg.value not in TESTS:
        raise ConditionError(f"test {arg.value!r} (inside {node.name}()) is not supported in conditions; "
                             f"supported: {', '.join(sorted(TESTS))}")


@functools.lru_cache(maxsize=None)
def compile_condition(source: str) -> tuple:
    """Parse with Jinja and translate to an evaluation tree; ConditionError if it is not allowed.

    Imports jinja2: called when content is loaded from its YAML, not when it comes from the cache.
    """
    if not isinstance(source, str):
        raise ConditionError("a condition must be text")
    try:
        tree = _translate(_parse(source), as_bool=True)
    except RecursionError:  # a chain of `not` or of filters within the token limit, deep in a stack
        raise _too_large(f"nested more than {MAX_DEPTH} deep") from None
    if _depth(tree) > MAX_DEPTH:
        raise _too_large(f"nested more than {MAX_DEPTH} deep")
    _constant_limits(tree)
    _TREES[source] = tree
    return tree


def referenced_names(source: str) -> frozenset:
    """The `SECTION.QUESTION` (or bare `SECTION`) names a condition reads."""
    found: set = set()
    _names(_tree(source), found)
    return frozenset(found)


def _names(tree, found: set) -> None:
    op = tree[0]
    if op == "var":
        found.add(f"{tree[1]}.{tree[2]}")
    elif op == "name":
        found.add(tree[1])
    for child in _children(tree):
        _names(child, found)


def _children(tree) -> list:
    """The sub-trees of one node, whatever its shape."""
    op = tree[0]
    if op in ("const", "var", "name"):
        return []
    if op in ("attr", "not", "neg", "pos"):
        return [tree[1]]
    if op in ("item", "and", "or"):
        return [tree[1], tree[2]]
    if op in ("list", "tuple", "concat"):
        return list(tree[1])
    if op == "cmp":
        return [tree[1], *(t for _, t in tree[2])]
    if op == "if":
        return [t for t in tree[1:] if t is not None]
    if op == "bin":
        return [tree[2], tree[3]]
    if op in ("filter", "test"):
        return [tree[2], *tree[3], *(t for _, t in tree[4])]
    raise ConditionError(f"unknown condition operation {op!r}")


# --------------------------------------------------------------------------- running a tree

_TREES: dict = {}


def remember(trees: dict) -> None:
    """Trees that came from the content cache: later evaluations need no Jinja parse."""
    _TREES.update(trees)


def trees_for(sources) -> dict:
    """The evaluation trees of these conditions (compiling any not seen yet), for the cache."""
    return {source: _tree(source) for source in sources}


def _tree(source: str) -> tuple:
    tree = _TREES.get(source)
    return tree if tree is not None else compile_condition(source)


# The trees are walked directly rather than turned into closures: with a hundred times the bundled
# content, closures for every condition would take about 18 MB, and thanks to flow's memo only the
# conditions of changed sections run again after an answer.


def run(tree: tuple, context: dict):
    """The value of an evaluation tree against the answers; only the operations below exist."""
    return _EVAL[tree[0]](tree, context)


def _e_var(tree, ctx):
    values = ctx.get(tree[1], UNDEFINED)
    if type(values) is dict:
        return values.get(tree[2], UNDEFINED)
    return getattr_(values, tree[2])


def _e_compare(tree, ctx):
    left = run(tree[1], ctx)
    result = True
    for name, right_tree in tree[2]:
        right = run(right_tree, ctx)
        result = _COMPARE[name](left, right)
        if not result:
            return result
        left = right
    return result


def _e_if(tree, ctx):
    if run(tree[1], ctx):
        return run(tree[2], ctx)
    return UNDEFINED if tree[3] is None else run(tree[3], ctx)


def _call(table):
    def call(tree, ctx):
        func = table[tree[1]]
        value = run(tree[2], ctx)
        if not tree[3] and not tree[4]:
            return func(value)
        return func(value, *[run(a, ctx) for a in tree[3]], **{k: run(v, ctx) for k, v in tree[4]})

    return call


def _e_concat(tree, ctx):
    parts, total = [], 0
    for child in tree[1]:
        part = _text(run(child, ctx))
        total += len(part)
        if total > MAX_SIZE:
            raise LimitError(f"text longer than {MAX_SIZE:,} characters")
        parts.append(part)
    return "".join(parts)


_call_filter = _call(FILTERS)

_EVAL = {
    "const": lambda tree, ctx: tree[1],
    "var": _e_var,
    "name": lambda tree, ctx: ctx.get(tree[1], UNDEFINED),
    "attr": lambda tree, ctx: getattr_(run(tree[1], ctx), tree[2]),
    "item": lambda tree, ctx: getitem(run(tree[1], ctx), run(tree[2], ctx)),
    "list": lambda tree, ctx: _bounded([run(t, ctx) for t in tree[1]]),
    "tuple": lambda tree, ctx: _bounded(tuple([run(t, ctx) for t in tree[1]])),
    "cmp": _e_compare,
    "and": lambda tree, ctx: run(tree[1], ctx) and run(tree[2], ctx),
    "or": lambda tree, ctx: run(tree[1], ctx) or run(tree[2], ctx),
    "not": lambda tree, ctx: not run(tree[1], ctx),
    "neg": lambda tree, ctx: -run(tree[1], ctx),
    "pos": lambda tree, ctx: +run(tree[1], ctx),
    "if": _e_if,
    "bin": lambda tree, ctx: _bounded(_BINARY[tree[1]](run(tree[2], ctx), run(tree[3], ctx))),
    "concat": _e_concat,
    "filter": lambda tree, ctx: _bounded(_call_filter(tree, ctx)),
    "test": _call(TESTS),
}


def evaluate(source: str, context: dict, where: str = "") -> bool:
    """True when the condition holds. One that fails at run time (goes past a bound, or compares a
    text with a number) counts as false and says so once per process on stderr, naming the condition
    and `where` it is (a question's or check's id): it is the content's problem, not the person's,
    and a silently false condition hides a question for good."""
    tree = _TREES.get(source) or _tree(source)
    _STEPS[0] = 0
    try:
        return bool(run(tree, context))
    except LimitError as exc:
        _warn(source, where, f"went past a limit ({exc})")
        return False
    except Exception as exc:  # noqa: BLE001 - content's mistake: never a traceback for the person
        _warn(source, where, f"failed ({exc or type(exc).__name__})")
        return False


def compute(source: str, numbers: dict):
    """A computed column's value from its row's number cells, or None when it cannot be worked out
    (a cell is blank, the result is not a finite number). Same interpreter and bounds as a condition."""
    tree = _TREES.get(source) or _tree(source)
    _STEPS[0] = 0
    try:
        value = run(tree, numbers)
    except LimitError as exc:
        _warn(source, exc)
        return None
    except Exception:  # noqa: BLE001 - a blank cell or a division by zero: nothing to show
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
            float("inf"), float("-inf")):
        return None
    return value


_WARNED: set = set()


def _warn(source: str, where: str, what: str) -> None:
    if source in _WARNED:
        return
    _WARNED.add(source)
    import sys

    shown = " ".join(source.split())
    shown = shown if len(shown) <= 70 else shown[:67] + "..."
    place = f" (when: of {where})" if where else ""
    print(f"deflect: warning: the condition `{shown}`{place} {what}; it counts as false.", file=sys.stderr)


def _constant_arguments(node) -> None:
    """Bounds that a constant breaks whatever the answers are: the widths in a constant format text."""
    if node[0] == "bin" and node[1] == "%" and node[2][0] == "const" and isinstance(node[2][1], str):
        _check_format(node[2][1])


def _constant_limits(tree) -> None:
    """Run every part of a condition that reads no answers: a bound it breaks is broken for every
    plan, so it is a content error now rather than a warning later."""
    stack = [tree]
    while stack:
        node = stack.pop()
        try:
            _constant_arguments(node)
        except LimitError as exc:
            raise ConditionError(f"condition goes past a limit: {exc}") from None
        found: set = set()
        _names(node, found)
        if found:
            stack.extend(_children(node))
            continue
        if node[0] == "const":
            continue
        _STEPS[0] = 0
        try:
            run(node, {})
        except LimitError as exc:
            raise ConditionError(f"condition goes past a limit: {exc}") from None
        except Exception:  # noqa: BLE001 - other failures are the run-time "counts as false"
            pass
