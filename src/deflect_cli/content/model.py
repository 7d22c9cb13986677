"""The content model: workbook, sections and questions, loaded from YAML and fully validated.

Loading collects *every* problem (one `FILE:LINE: message` each) before refusing the content, so
an author fixes a file in one pass. Nothing here knows about terminals or plan files.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

# yamlio is imported where files are parsed: a cached load needs no YAML.
from deflect_cli.content import conditions, qtypes
from deflect_cli.content.qtypes import LIST_TYPES as LIST_TYPES  # the plan's flow reads it from here
from deflect_cli.errors import ContentError

PROFILE_ID = "profile"
OTHER_LABEL = "Other (describe)"
LEAD_QUESTION = "agency_type"      # profile question: the kind of the (primary) lead agency
CO_LEAD_QUESTION = "co_lead_type"  # profile question: the kind of a co-lead agency, or NO_CO_LEAD
NO_CO_LEAD = "none"
FREE_TEXT_LEAD = "other"           # in lead_groups: a kind typed under "Other (describe)"
MAX_MINUTES = 10_000  # `estimated_minutes`: a week of work is already far more than a workbook takes
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    type: str
    required: bool = False
    choices: tuple = ()
    help: str = ""
    min: Optional[float] = None
    max: Optional[float] = None
    integer: bool = False
    unit: str = ""
    pattern: str = ""
    pattern_help: str = ""
    other: bool = False
    min_choices: Optional[int] = None
    max_choices: Optional[int] = None
    future: bool = False
    # A question's `section.question` (an earlier multi_choice) or a column's `section.question.column`
    # (a column of an earlier table): only the values given there are offered. See _check_choices_from.
    choices_from: str = ""
    computed: str = ""  # a column's arithmetic over the row's number cells: shown, never typed or stored


@dataclass(frozen=True)
class Question(Column):
    """A workbook question; shares its value rules with a table column."""

    section_id: str = ""
    prompt: str = ""
    default: Any = None
    when: Optional[str] = None
    columns: tuple = ()
    renamed_from: tuple = ()
    core: bool = False     # on the core path: a plan made at depth "core" asks only these (see flow)
    prefill: tuple = ()    # table: rows offered when first asked and empty (see prefill_rows)
    file: str = ""
    line: int = 0
    leads: tuple = ()      # lead groups: asked only when the lead or a co-lead is one of them
    variants: tuple = ()   # Variant: other wording when the primary lead is in a group

    @functools.cached_property  # read in every loop over the questions: computed once
    def key(self) -> str:
        return f"{self.section_id}.{self.id}"

    @functools.cached_property  # computed once; the content cache stores it (see resources.load)
    def fingerprint(self) -> str:
        """`TYPE/HASH` of what a stored answer depends on: the type, choice values, table columns.

        A plan records it beside each answer, so a later session can tell that a question changed
        shape since it was answered (prompt and help wording changes do not count)."""
        import hashlib
        import json

        def shape(rule) -> list:
            return [rule.type, sorted(c.value for c in rule.choices), rule.other]

        data = shape(self) + [sorted([c.id] + shape(c) for c in self.columns)]
        digest = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()
        return f"{self.type}/{digest[:10]}"


@dataclass(frozen=True)
class Variant:
    """Wording of a question for plans whose primary lead is in one of `when_lead` (lead groups).

    Only words change (prompt, help, label, choice and column labels); values, types and ids stay,
    so an answer means the same thing whoever leads and a change of lead never sets one aside."""

    when_lead: tuple
    prompt: str = ""
    help: str = ""
    label: str = ""
    unit: str = ""        # a number's unit as shown ("% of staff who refer"); the value is unchanged
    choices: tuple = ()   # Choice(value, new label)
    columns: tuple = ()   # (column id, new label, new help, (Choice, ...)); "" or () keeps the column's own
    line: int = 0


@dataclass(frozen=True)
class Check:
    id: str
    when: str
    message: str
    section_id: str
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    summary: str = ""
    guide: str = ""
    objectives: tuple = ()
    practices: tuple = ()
    recommendations: tuple = ()
    sources: tuple = ()
    basis: str = ""
    questions: tuple = ()
    checks: tuple = ()
    file: str = ""
    number: int = 0
    variants: tuple = ()  # SectionVariant: other summary, objectives, recommendations per lead group

    def heading(self, label: str = "", of: int = 0) -> str:
        """`3. Title`, `Section 3: Title` (label="Section") or `Section 3 of 12: Title` (of=12), one
        style wherever a section is named; the profile has no number and is just its title."""
        if not self.number:
            return self.title
        if not label:
            return f"{self.number}. {self.title}"
        return f"{label} {self.number}{f' of {of}' if of else ''}: {self.title}"


@dataclass(frozen=True)
class SectionVariant:
    """A section's opening words for plans whose primary lead is in one of `when_lead`."""

    when_lead: tuple
    summary: str = ""
    objectives: tuple = ()
    recommendations: tuple = ()
    line: int = 0


@dataclass(frozen=True)
class Carry:
    """A declared move of an old answer into a table of this workbook (`carry:` in workbook.yaml).

    `columns` maps an old table's columns to the target's ((old, new) pairs); `column` names the
    target column that an old single answer (or each item of an old list) becomes a row of; `set`
    gives constant cells for every carried row. Applied by migrate.reconcile."""

    source: str
    target: str
    columns: tuple = ()
    column: str = ""
    set: tuple = ()
    values: tuple = ()  # (new column, ((old value, new value), ...)): old choice values renamed on the way
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Content:
    title: str
    version: str
    profile: Section
    sections: tuple
    welcome: str = ""
    estimated_minutes: int = 0
    checks: tuple = ()
    sources: tuple = ()
    glossary: tuple = ()
    carry: tuple = ()
    root: str = ""
    _index: dict = field(default_factory=dict, compare=False, repr=False)
    lead_groups: tuple = ()  # ((group, (agency kind, ...)), ...); the first also stands for "not yet known"
    _base: Any = field(default=None, compare=False, repr=False)  # a worded view's loaded content
    _views: dict = field(default_factory=dict, compare=False, repr=False)  # lead group -> worded view

    @property
    def all_sections(self) -> tuple:
        """The plan profile first, then the guide sections: the order questions are asked in."""
        return (self.profile,) + self.sections

    def questions(self):
        for section in self.all_sections:
            yield from section.questions

    def question(self, key: str) -> Optional[Question]:
        return self._index.get(key)

    def section(self, ref: str) -> Optional[Section]:
        """Find a section by id, number (`5`) or file slug (`05-partnerships`)."""
        for section in self.all_sections:
            if ref in (section.id, str(section.number), Path(section.file).stem):
                return section
        if ref.isdigit():
            return next((s for s in self.sections if s.number == int(ref)), None)
        return None

    def all_checks(self):
        yield from self.checks
        for section in self.sections:
            yield from section.checks

    # ---- who leads: the wording a plan sees (see Variant and `leads:` in docs/content-schema.md)

    def lead_group(self, answers: dict) -> str:
        """The lead group of the plan's primary lead (profile.agency_type).

        Until the kind of agency is answered, the first declared group stands in, so the wording is
        the workbook's long-standing one."""
        if not self.lead_groups:
            return ""
        profile = answers.get(PROFILE_ID) if isinstance(answers, dict) else None
        kind = profile.get(LEAD_QUESTION) if isinstance(profile, dict) else None
        return _group_of(self.lead_groups, kind) or self.lead_groups[0][0]

    def wording(self, question: Question, answers: dict) -> Question:
        """`question` worded for this plan's primary lead: the one way every screen and document
        gets a prompt, help text, label, choice or column label."""
        return self.worded(answers)._index.get(question.key, question)

    def worded(self, answers: dict) -> "Content":
        """The whole content worded for this plan's primary lead (the loaded content itself when no
        variant applies). Views are built once per lead group and shared, so this costs a lookup."""
        base = self._base if self._base is not None else self
        group = base.lead_group(answers)
        view = base._views.get(group)
        if view is None:
            view = base._views[group] = _worded_view(base, group)
        return view


# --------------------------------------------------------------------------- loading


class _Collector:
    """Accumulates problems as `FILE:LINE: message`."""

    def __init__(self):
        self.problems: list[str] = []
        self.files: list = []  # (display, parsed data, text) of each file read, for the language lint

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(f"{file}:{line}: {message}")


def _line(node, key=None) -> int:
    if key is not None and key in getattr(node, "key_lines", ()):
        return node.key_lines[key]
    return getattr(node, "line", 0)


def _read(path: Path, display: str, out: _Collector):
    from deflect_cli import yamlio
    from deflect_cli.safeio import FileProblem, read_text

    try:  # type and size checked before reading: a FIFO or /dev/zero never hangs or fills memory
        text = read_text(path, yamlio.MAX_BYTES)
    except FileProblem as problem:
        out.add(display, 0, str(problem))
        return None
    except FileNotFoundError:
        out.add(display, 0, "file not found")
        return None
    except UnicodeDecodeError:
        out.add(display, 0, "not UTF-8 text")
        return None
    except OSError as exc:
        out.add(display, 0, f"cannot read: {exc.strerror or exc}")
        return None
    try:
        data = yamlio.parse(text)
    except yamlio.YAMLProblem as problem:
        out.add(display, problem.line, problem.message)
        return None
    if not isinstance(data, dict):
        out.add(display, getattr(data, "line", 1), "expected a mapping of fields at the top level")
        return None
    out.files.append((display, data, text))
    return data


class _Reader:
    """Typed field access on one YAML mapping, recording problems instead of raising."""

    def __init__(self, node: dict, file: str, out: _Collector, what: str, known: tuple):
        self.node, self.file, self.out, self.what = node, file, out, what
        for key in node:
            if key not in known:
                self.problem(key, f"{what}: unknown field {key!r}")

    def problem(self, key, message: str) -> None:
        self.out.add(self.file, _line(self.node, key), message)

    def str(self, key, required=False, default="") -> str:
        value = self.node.get(key)
        if value is None:
            if required:
                self.out.add(self.file, _line(self.node), f"{self.what}: missing required field {key!r}")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(key, f"{self.what}: {key!r} must be text")
            return default
        value = str(value)
        if required and not value.strip():
            self.problem(key, f"{self.what}: {key!r} must not be empty")
        return value

    def bool(self, key, default=False) -> bool:
        value = self.node.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"{self.what}: {key!r} must be true or false")
            return default
        return value

    def number(self, key, whole=False, low=None, high=None):
        """A finite number (YAML's .inf and .nan are numbers to the parser, not to a reader)."""
        value = self.node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.problem(key, f"{self.what}: {key!r} must be a number")
            return None
        if whole and not float(value).is_integer():
            self.problem(key, f"{self.what}: {key!r} must be a whole number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(key, f"{self.what}: {key!r} must be between {low} and {high}")
            return None
        return value

    def list(self, key, required=False) -> list:
        value = self.node.get(key)
        if value is None:
            if required:
                self.out.add(self.file, _line(self.node), f"{self.what}: missing required field {key!r}")
            return []
        if not isinstance(value, list):
            self.problem(key, f"{self.what}: {key!r} must be a list")
            return []
        return value

    def strings(self, key) -> tuple:
        items = []
        for item in self.list(key):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                items.append(str(item))
            else:
                self.problem(key, f"{self.what}: every item of {key!r} must be text")
        return tuple(items)

    def records(self, key, fields: tuple, required_fields: tuple) -> tuple:
        items = []
        for item in self.list(key):
            if not isinstance(item, dict):
                self.out.add(self.file, _line(self.node, key), f"{self.what}: every item of {key!r} must be a mapping")
                continue
            reader = _Reader(item, self.file, self.out, f"{self.what} {key}", fields)
            items.append({f: reader.str(f, required=f in required_fields) for f in fields})
        return tuple(items)


_SECTION_FIELDS = (
    "id", "title", "summary", "objectives", "guide", "practices", "recommendations",
    "sources", "basis", "questions", "checks",
)
_QUESTION_FIELDS = (
    "id", "prompt", "label", "help", "type", "required", "default", "when", "choices", "other",
    "min", "max", "integer", "unit", "pattern", "pattern_help", "columns", "renamed_from",
    "min_choices", "max_choices", "future", "choices_from", "core", "prefill",
)
_COLUMN_FIELDS = (
    "id", "label", "type", "required", "choices", "help", "min", "max", "integer", "unit",
    "pattern", "pattern_help", "other", "future", "choices_from", "computed",
)
_PRACTICE_FIELDS = ("program", "place", "model", "what", "results", "source")
_LEAD_FIELDS = ("leads", "variants")  # who leads the plan: see _parse_lead_fields
_QUESTION_FIELDS += _LEAD_FIELDS
_SECTION_FIELDS += ("variants",)  # see _parse_section_variants
# A source a reader can find: `id` is the author-year key that text cites as [Schiff 2017] (see content_lint).
_SOURCE_FIELDS = ("id", "title", "author", "publisher", "year", "url", "doi", "pmid")


def reference(source: dict) -> str:
    """One source as a reader looks it up: `[Key] Authors. Title. Publisher, year. doi:...; PMID ...`

    The address is left out: every output already shows `url` beside it in its own way."""
    def field(name):
        return " ".join(str(source.get(name) or "").split())

    if not field("id"):
        return field("title")
    parts = [f"[{field('id')}]"]
    parts += [f"{field(name).rstrip('.')}." for name in ("author", "title") if field(name)]
    where = ", ".join(x for x in (field("publisher"), field("year")) if x)
    if where:
        parts.append(f"{where}.")
    ids = "; ".join(x for x in ((f"doi:{field('doi')}" if field("doi") else ""),
                                (f"PMID {field('pmid')}" if field("pmid") else "")) if x)
    if ids:
        parts.append(f"{ids}.")
    return " ".join(parts).rstrip(".")  # outputs follow it with ": <url>" or a space


def _parse_choices(reader: _Reader, what: str) -> tuple:
    choices, seen = [], set()
    for item in reader.list("choices"):
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            choice = Choice(str(item), str(item))
        elif isinstance(item, dict):
            sub = _Reader(item, reader.file, reader.out, f"{what} choice", ("value", "label"))
            value = sub.str("value", required=True)
            choice = Choice(value, sub.str("label") or value)
        else:
            reader.problem("choices", f"{what}: a choice must be text or {{value, label}}")
            continue
        if choice.value in seen:
            reader.problem("choices", f"{what}: duplicate choice value {choice.value!r}")
        seen.add(choice.value)
        choices.append(choice)
    return tuple(choices)


def _value_rules(reader: _Reader, node: dict, what: str, column: bool = False) -> dict:
    """The fields a question and a table column share, validated the same way."""
    qtype = reader.str("type", required=True)
    types = qtypes.names(column=column)
    if qtype and qtype not in types:
        reader.problem("type", f"{what}: unknown type {qtype!r} (expected one of: {', '.join(types)})")
    rules = dict(
        type=qtype,
        required=reader.bool("required"),
        help=reader.str("help"),
        choices=_parse_choices(reader, what) if "choices" in node else (),
        other=reader.bool("other"),
        min=reader.number("min"),
        max=reader.number("max"),
        integer=reader.bool("integer"),
        unit=reader.str("unit"),
        pattern=reader.str("pattern"),
        pattern_help=reader.str("pattern_help"),
        future=reader.bool("future"),
    )
    if "min_choices" in node or "max_choices" in node:  # columns have no multi_choice type
        _choice_limits(reader, node, what, rules)
    _type_fields(reader, node, what, rules)
    if rules["min"] is not None and rules["max"] is not None and rules["min"] > rules["max"]:
        reader.problem("min", f"{what}: 'min' is greater than 'max'")
    if rules["pattern"]:
        from deflect_cli.content import patterns
        trouble = patterns.problem(rules["pattern"])
        if trouble:
            reader.problem("pattern", f"{what}: 'pattern' {trouble}")
    return rules


def _choice_limits(reader: _Reader, node: dict, what: str, rules: dict) -> None:
    for key in ("min_choices", "max_choices"):
        number = reader.number(key)
        if number is not None and (not float(number).is_integer() or number < 0):
            reader.problem(key, f"{what}: {key!r} must be a whole number, 0 or more")
            number = None
        rules[key] = int(number) if number is not None else None
        if key in node and not qtypes.takes(rules["type"], key):
            reader.problem(key, f"{what}: {key!r} only applies to {qtypes.taking(key)}")
    low, high = rules["min_choices"], rules["max_choices"]
    if low is not None and high is not None and low > high:
        reader.problem("min_choices", f"{what}: 'min_choices' is greater than 'max_choices'")


# The fields only some types take (each type lists its own, qtypes/*.py), in the order they are checked;
# True: given when the key is there at all, False: given when it says something (`other: false` is fine).
_TYPE_FIELDS = {"future": False, "choices": False, "other": False,
                "min": True, "max": True, "integer": True, "unit": True, "pattern": False}


def _type_fields(reader: _Reader, node: dict, what: str, rules: dict) -> None:
    """A field on a type that does not take it ('unit' on a date) is a mistake worth a line."""
    qtype = rules["type"]
    kind = qtypes.TYPES.get(qtype)
    for key, by_key in _TYPE_FIELDS.items():
        if key == "choices" and kind is not None and kind.needs_choices and not rules["choices"]:
            reader.problem("type", f"{what}: a {qtype} question needs a non-empty 'choices' list")
        if (key in node if by_key else rules[key]) and not qtypes.takes(qtype, key):
            reader.problem(key, f"{what}: {key!r} only applies to {qtypes.taking(key)}")


def _parse_column(node, file: str, out: _Collector, what: str) -> Optional[Column]:
    if not isinstance(node, dict):
        out.add(file, getattr(node, "line", 0), f"{what}: a column must be a mapping")
        return None
    reader = _Reader(node, file, out, what, _COLUMN_FIELDS)
    cid = reader.str("id", required=True)
    if cid and not _ID.match(cid):
        reader.problem("id", f"{what}: column id {cid!r} must be snake_case (a-z, 0-9, _)")
    what = f"{what} column {cid!r}"
    rules = _value_rules(reader, node, what, column=True)
    computed = reader.str("computed")
    if computed:
        if not qtypes.takes(rules["type"], "computed"):
            reader.problem("computed", f"{what}: 'computed' only applies to {qtypes.taking('computed')}")
        if rules["required"]:
            reader.problem("computed", f"{what}: a computed column is never typed, so it cannot be required")
        try:
            conditions.compile_condition(computed)
        except conditions.ConditionError as exc:
            reader.problem("computed", f"{what}: 'computed' {exc}")
            computed = ""
    return Column(id=cid, label=reader.str("label") or cid.replace("_", " ").capitalize(),
                  choices_from=_parse_choices_from(reader, node, what, rules["type"], column=True),
                  computed=computed, **rules)


def _parse_question(node, section_id: str, file: str, out: _Collector) -> Optional[Question]:
    if not isinstance(node, dict):
        out.add(file, getattr(node, "line", 0), "a question must be a mapping")
        return None
    reader = _Reader(node, file, out, "question", _QUESTION_FIELDS)
    qid = reader.str("id", required=True)
    what = f"question {section_id}.{qid}" if qid else "question"
    reader.what = what
    if qid and not _ID.match(qid):
        reader.problem("id", f"{what}: id must be snake_case (a-z, 0-9, _)")
    prompt = reader.str("prompt", required=True)
    rules = _value_rules(reader, node, what)
    if not rules["help"].strip():
        out.add(file, _line(node), f"{what}: missing required field 'help' (say why it matters)")
    columns: list[Column] = []
    if qtypes.takes(rules["type"], "columns"):
        raw_columns = reader.list("columns", required=True)
        if "columns" in node and not raw_columns:
            reader.problem("columns", f"{what}: a table needs at least one column")
        seen = set()
        for raw in raw_columns:
            column = _parse_column(raw, file, out, what)
            if column is None:
                continue
            if column.id in seen:
                out.add(file, _line(raw), f"{what}: duplicate column id {column.id!r}")
            seen.add(column.id)
            columns.append(column)
    elif "columns" in node:
        reader.problem("columns", f"{what}: 'columns' only applies to {qtypes.taking('columns')}")
    when = reader.str("when") or None
    return Question(
        id=qid,
        section_id=section_id,
        prompt=prompt,
        label=reader.str("label") or prompt,
        default=node.get("default"),
        when=when,
        columns=tuple(columns),
        renamed_from=_parse_renamed_from(reader, node, what),
        choices_from=_parse_choices_from(reader, node, what, rules["type"]),
        core=reader.bool("core"),
        prefill=_parse_prefill(reader, node, what, rules["type"], columns),
        file=file,
        line=_line(node),
        **_parse_lead_fields(reader, node, what, rules, columns),
        **rules,
    )


_FULL_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _parse_renamed_from(reader: _Reader, node: dict, what: str) -> tuple:
    """`renamed_from: section.old_id` (or a list of them, newest first) so answers follow a rename."""
    value = node.get("renamed_from")
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if not isinstance(item, str) or not _FULL_ID.match(item):
            reader.problem("renamed_from", f"{what}: 'renamed_from' must be a previous full id like "
                                           f"section.old_id (or a list of them), got {item!r}")
        elif item not in found:
            found.append(item)
    return tuple(found)


_COLUMN_REF = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _parse_choices_from(reader: _Reader, node: dict, what: str, qtype: str, column: bool = False) -> str:
    """`choices_from`: a question offers only the choices an earlier multi_choice answer holds
    (`section.question`); a table column offers only the values typed in a column of an earlier
    table (`section.question.column`) and stores that text, so the column is `type: text`."""
    value = node.get("choices_from")
    if value is None:
        return ""
    shape, example = (_COLUMN_REF, "section.question.column") if column else (_FULL_ID, "section.question")
    if not isinstance(value, str) or not shape.match(value):
        reader.problem("choices_from", f"{what}: 'choices_from' must be a full id like {example}, got {value!r}")
        return ""
    if column and not qtypes.takes(qtype, "column choices_from"):
        reader.problem("choices_from", f"{what}: 'choices_from' on a column needs type "
                                       f"{qtypes.taking('column choices_from')} (it stores the text chosen)")
    elif not column and not qtypes.takes(qtype, "choices_from"):
        reader.problem("choices_from", f"{what}: 'choices_from' only applies to {qtypes.taking('choices_from')}")
    return value


def _parse_prefill(reader: _Reader, node: dict, what: str, qtype: str, columns: list) -> tuple:
    """`prefill:` rows a table offers when first asked: each cell a constant or `{from: SECTION.QUESTION}`.

    Stored as ((column, ("value", v) | ("from", key)), ...) per row, so nothing in it is ever
    evaluated: a copied answer is data, like any typed one."""
    value = node.get("prefill")
    if value is None:
        return ()
    if not qtypes.takes(qtype, "prefill"):
        reader.problem("prefill", f"{what}: 'prefill' only applies to {qtypes.taking('prefill')}")
        return ()
    if not isinstance(value, list) or not all(isinstance(row, dict) and row for row in value):
        reader.problem("prefill", f"{what}: 'prefill' must be a list of rows (mappings of column id to a value)")
        return ()
    by_id = {c.id: c for c in columns}
    rows = []
    for row in value:
        cells = []
        for column_id, cell in row.items():
            column = by_id.get(column_id)
            if column is None:
                reader.problem("prefill",
                               f"{what}: 'prefill' names column {column_id!r}, which the table does not have")
                continue
            if isinstance(cell, dict):
                source = cell.get("from")
                if set(cell) != {"from"} or not isinstance(source, str) or not _FULL_ID.match(source):
                    reader.problem("prefill", f"{what}: 'prefill' cell {column_id!r} must be a value or "
                                              "{from: SECTION.QUESTION}")
                    continue
                cells.append((column_id, ("from", source)))
            elif cell is None or isinstance(cell, (str, int, float, bool)):
                problem = _cell_problem(column, cell)
                if problem:
                    reader.problem("prefill", f"{what}: 'prefill' cell {column_id!r}: {problem}")
                    continue
                cells.append((column_id, ("value", cell)))
            else:
                reader.problem("prefill", f"{what}: 'prefill' cell {column_id!r} must be a value or "
                                          "{from: SECTION.QUESTION}")
        rows.append(tuple(cells))
    return tuple(rows)


def _cell_problem(column: Column, value) -> str:
    """Why a constant prefill cell cannot be stored in its column, or ""."""
    return "" if value is None else qtypes.get(column.type).prefill_problem(column, value)


def things_to_fill(questions) -> int:
    """What a person fills in: one per prompt, plus one per required cell of a table's row.

    The workbook's length is budgeted in this unit (issue 10: at most 140), so folding questions into
    the columns of a bigger table is not counted as a cut. Computed columns are never typed."""
    return sum(1 + sum(1 for c in q.columns if c.required and not c.computed) for q in questions)


def prefill_rows(question: Question, answers: dict) -> list:
    """The rows a table with `prefill:` offers now: copied earlier answers, as plain data.

    A cell whose earlier answer is empty (or does not fit the column) is left empty, and a row that
    copies answers but found none is not offered: only what the person gathered comes back."""
    by_id = {c.id: c for c in question.columns}
    rows = []
    for cells in question.prefill:
        row, copies, copied = {}, 0, 0
        for column_id, (kind, item) in cells:
            if kind == "from":
                copies += 1
                section_id, question_id = item.split(".", 1)
                item = (answers.get(section_id) or {}).get(question_id)
                if isinstance(item, (list, dict)) or _cell_problem(by_id[column_id], item):
                    item = None
                copied += item is not None and item != ""
            if item is not None and item != "":
                row[column_id] = item
        if row and (copied or not copies):
            rows.append(row)
    return rows


def _check_prefill(content: Content, out: _Collector) -> None:
    """`{from: ...}` in `prefill` names a question asked before the table, so its answer is there to copy."""
    order = {q.key: i for i, q in enumerate(content.questions())}
    for question in content.questions():
        for cells in question.prefill:
            for column_id, (kind, item) in cells:
                if kind != "from":
                    continue
                what = f"question {question.key}: 'prefill' cell {column_id!r} copies {item!r}"
                source = content.question(item)
                if source is None:
                    out.add(question.file, question.line, f"{what}, which is not a question")
                elif qtypes.get(source.type).list_value:
                    out.add(question.file, question.line, f"{what}, a list, which one cell cannot hold")
                elif order[source.key] >= order[question.key]:
                    out.add(question.file, question.line, f"{what}, which is not asked before this question")


def _parse_checks(reader: _Reader, section_id: str, file: str, out: _Collector) -> tuple:
    checks = []
    for node in reader.list("checks"):
        if not isinstance(node, dict):
            reader.problem("checks", "every check must be a mapping with id, when and message")
            continue
        sub = _Reader(node, file, out, "check", ("id", "when", "message"))
        checks.append(Check(
            id=sub.str("id", required=True), when=sub.str("when", required=True),
            message=sub.str("message", required=True), section_id=section_id,
            file=file, line=_line(node),
        ))
    return tuple(checks)


def _parse_section(data: dict, file: str, number: int, out: _Collector, *, profile=False) -> Section:
    fields = ("title", "questions") if profile else _SECTION_FIELDS
    reader = _Reader(data, file, out, "profile" if profile else "section", fields)
    sid = PROFILE_ID if profile else reader.str("id", required=True)
    if sid and not _ID.match(sid):
        reader.problem("id", f"section id {sid!r} must be snake_case (a-z, 0-9, _)")
    if not profile:
        reader.what = f"section {sid}"
    questions = []
    for node in reader.list("questions", required=True):
        question = _parse_question(node, sid, file, out)
        if question is not None:
            questions.append(question)
    if "questions" in data and not questions and isinstance(data.get("questions"), list):
        reader.problem("questions", f"{reader.what}: needs at least one question")
    if profile:
        return Section(id=sid, title=reader.str("title") or "Plan profile", questions=tuple(questions), file=file)
    return Section(
        id=sid,
        title=reader.str("title", required=True),
        summary=reader.str("summary", required=True),
        guide=reader.str("guide", required=True),
        objectives=reader.strings("objectives"),
        practices=reader.records("practices", _PRACTICE_FIELDS, ("program",)),
        recommendations=reader.strings("recommendations"),
        sources=reader.records("sources", _SOURCE_FIELDS, ("title",)),
        basis=reader.str("basis"),
        questions=tuple(questions),
        checks=_parse_checks(reader, sid, file, out),
        file=file,
        number=number,
        variants=_parse_section_variants(reader, f"section {sid}"),
    )


def _check_defaults(question, out: _Collector) -> None:
    from deflect_cli.content import answers
    if question.default is not None:
        error = answers.validate(question, question.default)[1]
        if error:
            out.add(question.file, question.line, f"question {question.key}: default is not valid: {error}")


def _check_renames(index: dict, out: _Collector) -> None:
    """A previous id may lead to one question only, and not to a question that still exists."""
    claimed: dict = {}
    for question in index.values():
        for old in question.renamed_from:
            if old == question.key:
                out.add(question.file, question.line,
                        f"question {question.key}: 'renamed_from' names the question itself")
            elif old in index:
                out.add(question.file, question.line, f"question {question.key}: 'renamed_from' names {old!r}, "
                                                      "which is still a question; its answers cannot belong to both")
            elif old in claimed:
                out.add(question.file, question.line, f"question {question.key}: 'renamed_from' names {old!r}, "
                                                      f"which question {claimed[old]} also names")
            else:
                claimed[old] = question.key


def _check_choices_from(content: Content, out: _Collector) -> None:
    """`choices_from` names an earlier multi_choice question (or a column of an earlier table), so its
    answer is known when this is asked; a computed column reads only its own table's number columns."""
    order = {q.key: i for i, q in enumerate(content.questions())}
    for question in content.questions():
        for column in question.columns:
            what = f"question {question.key} column {column.id!r}"
            if column.computed:
                _check_computed(question, column, what, out)
            if not column.choices_from:
                continue
            table_key, column_id = column.choices_from.rsplit(".", 1)
            source = content.question(table_key)
            what += f": 'choices_from' names {column.choices_from!r}"
            if source is None or source.type != "table":
                out.add(question.file, question.line, f"{what}, but {table_key!r} is not a table question")
            elif order[source.key] >= order[question.key]:
                out.add(question.file, question.line, f"{what}, which is not asked before this question")
            elif not any(c.id == column_id for c in source.columns):
                out.add(question.file, question.line, f"{what}, but table {table_key} has no column {column_id!r}")
        source = content.question(question.choices_from) if question.choices_from else None
        if not question.choices_from:
            continue
        what = f"question {question.key}: 'choices_from' names {question.choices_from!r}"
        if source is None:
            out.add(question.file, question.line, f"{what}, which is not a question")
        elif qtypes.get(source.type).input != "multi_choice":
            out.add(question.file, question.line, f"{what}, which is not a multi_choice question")
        elif order[source.key] >= order[question.key]:
            out.add(question.file, question.line, f"{what}, which is not asked before this question")


def _parse_carry(reader: _Reader, file: str, out: _Collector) -> tuple:
    found = []
    for node in reader.list("carry"):
        if not isinstance(node, dict):
            reader.problem("carry",
                           "workbook: every 'carry' entry must be a mapping with from, to and columns or column")
            continue
        sub = _Reader(node, file, out, "carry", ("from", "to", "columns", "column", "set", "values"))
        source, target = sub.str("from", required=True), sub.str("to", required=True)
        what = f"carry {source or '?'} -> {target or '?'}"
        for key, value in (("from", source), ("to", target)):
            if value and not _FULL_ID.match(value):
                sub.problem(key, f"{what}: {key!r} must be a full id like section.question, got {value!r}")
        pairs = {}
        for key in ("columns", "set"):
            value = node.get(key)
            if value is not None and not (isinstance(value, dict) and all(isinstance(k, str) for k in value)):
                wanted = "new column ids" if key == "columns" else "values"
                sub.problem(key, f"{what}: {key!r} must map column ids to {wanted}")
                value = None
            pairs[key] = tuple((k, v) for k, v in (value or {}).items())
        if any(not isinstance(v, str) for _, v in pairs["columns"]):
            sub.problem("columns", f"{what}: 'columns' must map each old column id to a new column id")
        values = node.get("values") or {}
        if not isinstance(values, dict) or not all(
                isinstance(k, str) and isinstance(m, dict) and all(isinstance(a, str) and isinstance(b, str)
                                                                  for a, b in m.items()) for k, m in values.items()):
            sub.problem("values", f"{what}: 'values' must map a new column id to {{old value: new value}}")
            values = {}
        pairs["values"] = tuple((k, tuple(m.items())) for k, m in values.items())
        column = sub.str("column")
        if bool(pairs["columns"]) == bool(column):
            sub.problem("from", f"{what}: give either 'columns' (an old table) or 'column' (an old single answer)")
        found.append(Carry(source=source, target=target, columns=pairs["columns"], column=column,
                           set=pairs["set"], values=pairs["values"], file=file, line=_line(node)))
    return tuple(found)


def _check_carry(content: Content, out: _Collector) -> None:
    """A carry moves an answer whose question left the workbook (or changed shape: an answer given to its
    older shape) into a table that is here now."""
    from deflect_cli.content import answers
    for carry in content.carry:
        what = f"carry {carry.source} -> {carry.target}"
        if any(carry.source in q.renamed_from for q in content.questions()):
            out.add(carry.file, carry.line, f"{what}: {carry.source} is also in a question's 'renamed_from'; "
                                            "an answer moves one way only")
        target = content.question(carry.target)
        if target is None or target.type != "table":
            out.add(carry.file, carry.line, f"{what}: {carry.target} is not a table question")
            continue
        columns = {c.id: c for c in target.columns}
        named = ([new for _, new in carry.columns] + ([carry.column] if carry.column else [])
                 + [k for k, _ in carry.set]
                 + [k for k, _ in carry.values])
        for column_id in named:
            if column_id not in columns or columns[column_id].computed:
                out.add(carry.file, carry.line, f"{what}: table {carry.target} has no typed column {column_id!r}")
        for column_id, renames in carry.values:
            for _old, new_value in renames:
                if column_id in columns and answers.validate(columns[column_id], new_value)[1]:
                    out.add(carry.file, carry.line,
                            f"{what}: 'values' {column_id}: {new_value!r} is not a choice there")
        for column_id, value in carry.set:
            if column_id in columns:
                error = answers.validate(columns[column_id], value)[1]
                if error:
                    out.add(carry.file, carry.line, f"{what}: 'set' {column_id}: {error}")


def _check_computed(question: Question, column: Column, what: str, out: _Collector) -> None:
    numbers = {c.id for c in question.columns if qtypes.get(c.type).input == "number" and not c.computed}
    for name in sorted(conditions.referenced_names(column.computed)):
        if name not in numbers:
            out.add(question.file, question.line, f"{what}: 'computed' reads {name!r}, which is not a typed "
                                                  "number column of this table")


def _check_conditions(content: Content, out: _Collector) -> None:
    """Every condition compiles and names only questions that come before it."""
    order = {q.key: i for i, q in enumerate(content.questions())}
    section_ids = {s.id for s in content.all_sections}

    def check(source, file, line, what, position):
        try:
            conditions.compile_condition(source)
            names = conditions.referenced_names(source)
        except conditions.ConditionError as exc:
            out.add(file, line, f"{what}: {exc}")
            return
        for name in sorted(names):
            if "." not in name:
                if name in section_ids:
                    out.add(file, line, f"{what}: condition names section {name!r}; name a question as {name}.QUESTION")
                elif name not in ("true", "false", "none", "True", "False", "None"):
                    out.add(file, line, f"{what}: condition names unknown question {name!r} (use SECTION.QUESTION)")
                continue
            if name not in order:
                out.add(file, line, f"{what}: condition names unknown question {name!r}")
            elif position is not None and order[name] >= position:
                out.add(file, line, f"{what}: condition names {name!r}, which is not asked before this question")

    for question in content.questions():
        if question.when:
            check(question.when, question.file, question.line, f"question {question.key}", order[question.key])
    for item in content.all_checks():
        if item.when:
            check(item.when, item.file, item.line, f"check {item.id}", None)


# --------------------------------------------------------------------------- who leads the plan
# A lead group (law_enforcement, health, ...) is declared once in workbook.yaml as a list of agency
# kinds, so authors name groups, never value lists. A question's `leads:` becomes part of its `when`
# (any lead counts: a health department co-leading with police still has officers), and `variants:`
# reword it for the primary lead only: the planner reading it works there.


def _group_of(groups: tuple, kind) -> Optional[str]:
    if kind is None or kind == "" or not isinstance(kind, str):
        return None
    for name, kinds in groups:
        if kind in kinds:
            return name
    return next((name for name, kinds in groups if FREE_TEXT_LEAD in kinds), None)


def _parse_lead_fields(reader: _Reader, node: dict, what: str, rules: dict, columns: list) -> dict:
    """`leads:` and `variants:` of one question, checked against the question's own choices and
    columns; group names are checked once the workbook's lead_groups are known (_apply_leads)."""
    leads = reader.strings("leads") if "leads" in node else ()
    if "leads" in node and not leads:
        reader.problem("leads", f"{what}: 'leads' needs at least one lead group")
    variants = []
    choice_values = {c.value for c in rules["choices"]}
    for item in reader.list("variants"):
        if not isinstance(item, dict):
            reader.problem("variants", f"{what}: every variant must be a mapping with when_lead and new wording")
            continue
        sub = _Reader(item, reader.file, reader.out, f"{what} variant",
                      ("when_lead", "prompt", "help", "label", "unit", "choices", "columns"))
        when_lead = sub.strings("when_lead")
        if not when_lead:
            sub.problem("when_lead", f"{what} variant: 'when_lead' must list at least one lead group")
        choices = _reworded_choices(sub, choice_values, f"{what} variant")
        worded_columns = []
        for column in sub.list("columns"):
            cread = _Reader(column, reader.file, reader.out, f"{what} variant column",
                            ("id", "label", "help", "choices")) if isinstance(column, dict) else None
            if cread is None:
                sub.problem("columns", f"{what} variant: a column must be {{id, label, help, choices}}")
                continue
            cid = cread.str("id", required=True)
            target = next((c for c in columns if c.id == cid), None)
            if cid and target is None:
                cread.problem("id", f"{what} variant: no column {cid!r} to reword")
            worded_columns.append((cid, cread.str("label"), cread.str("help"), _reworded_choices(
                cread, {c.value for c in target.choices} if target else set(), f"{what} variant column {cid!r}")))
        variant = Variant(when_lead=when_lead, prompt=sub.str("prompt"), help=sub.str("help"),
                          label=sub.str("label"), unit=sub.str("unit"), choices=choices,
                          columns=tuple(worded_columns),
                          line=_line(item))
        if variant.unit and not qtypes.takes(rules["type"], "unit"):
            sub.problem("unit", f"{what} variant: 'unit' only applies to {qtypes.taking('unit')}")
        if not (variant.prompt or variant.help or variant.label or variant.unit or variant.choices
                or variant.columns):
            reader.out.add(reader.file, variant.line, f"{what} variant: rewords nothing (give prompt, help, "
                                                      "label, unit, choices or columns)")
        variants.append(variant)
    return {"leads": leads, "variants": tuple(variants)}


def _parse_section_variants(reader: _Reader, what: str) -> tuple:
    variants = []
    for item in reader.list("variants"):
        if not isinstance(item, dict):
            reader.problem("variants", f"{what}: every variant must be a mapping with when_lead and new wording")
            continue
        sub = _Reader(item, reader.file, reader.out, f"{what} variant",
                      ("when_lead", "summary", "objectives", "recommendations"))
        variant = SectionVariant(when_lead=sub.strings("when_lead"), summary=sub.str("summary"),
                                 objectives=sub.strings("objectives"),
                                 recommendations=sub.strings("recommendations"), line=_line(item))
        if not variant.when_lead:
            sub.problem("when_lead", f"{what} variant: 'when_lead' must list at least one lead group")
        if not (variant.summary or variant.objectives or variant.recommendations):
            reader.out.add(reader.file, variant.line, f"{what} variant: rewords nothing (give summary, "
                                                      "objectives or recommendations)")
        variants.append(variant)
    return tuple(variants)


def _reworded_choices(reader: _Reader, values: set, what: str) -> tuple:
    """A variant's `choices:`: new labels for existing choice values."""
    found = []
    for choice in reader.list("choices"):
        if not isinstance(choice, dict):
            reader.problem("choices", f"{what}: a choice must be {{value, label}}")
            continue
        cread = _Reader(choice, reader.file, reader.out, f"{what} choice", ("value", "label"))
        value, label = cread.str("value", required=True), cread.str("label", required=True)
        if value and value not in values:
            cread.problem("value", f"{what}: no choice {value!r} to reword")
        found.append(Choice(value, label))
    return tuple(found)


def _parse_lead_groups(workbook: dict, profile: Section, file: str, out: _Collector) -> tuple:
    """`lead_groups:` in workbook.yaml: every kind of lead agency in exactly one group."""
    node = workbook.get("lead_groups")
    if node is None:
        return ()
    line = _line(workbook, "lead_groups")
    if not isinstance(node, dict) or not node:
        out.add(file, line, "workbook: 'lead_groups' must map each group name to a list of agency kinds")
        return ()
    kind_question = next((q for q in profile.questions if q.id == LEAD_QUESTION), None)
    if kind_question is None or qtypes.get(kind_question.type).input != "choice":
        out.add(file, line, f"workbook: 'lead_groups' needs a choice question profile.{LEAD_QUESTION}")
        return ()
    known = [c.value for c in kind_question.choices] + ([FREE_TEXT_LEAD] if kind_question.other else [])
    groups, placed = [], {}
    for name, kinds in node.items():
        where = _line(node, name)
        if not isinstance(name, str) or not _ID.match(name):
            out.add(file, where, f"workbook: lead group name {name!r} must be snake_case")
            continue
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            out.add(file, where, f"workbook: lead group {name!r} must list agency kinds (values of "
                                 f"profile.{LEAD_QUESTION})")
            continue
        for kind in kinds:
            if kind not in known:
                out.add(file, where, f"workbook: lead group {name!r} names {kind!r}, which is not a kind of "
                                     f"agency (expected one of: {', '.join(known)})")
            elif kind in placed:
                out.add(file, where, f"workbook: {kind!r} is in lead groups {placed[kind]!r} and {name!r}")
            else:
                placed[kind] = name
        groups.append((name, tuple(kinds)))
    for kind in known:
        if kind not in placed:
            out.add(file, line, f"workbook: the agency kind {kind!r} is in no lead group")
    co_lead = next((q for q in profile.questions if q.id == CO_LEAD_QUESTION), None)
    if co_lead is not None:
        for choice in co_lead.choices:
            if choice.value != NO_CO_LEAD and choice.value not in known:
                out.add(co_lead.file, co_lead.line, f"question profile.{CO_LEAD_QUESTION}: {choice.value!r} is not "
                                                    f"a kind of agency (profile.{LEAD_QUESTION})")
    return tuple(groups)


def _lead_condition(groups: tuple, wanted: tuple, co_lead: bool) -> str:
    """The `when` a question's `leads:` stands for: the primary lead, or a co-lead, is in a group."""
    kinds = dict(groups)
    every = [k for _, ks in groups for k in ks if k != FREE_TEXT_LEAD]
    listed = [k for g in wanted for k in kinds[g] if k != FREE_TEXT_LEAD]
    free_text = any(FREE_TEXT_LEAD in kinds[g] for g in wanted)

    def test(ref: str, unknown_counts: bool, exclude: list) -> list:
        parts = [f"{ref} in {listed!r}"] if listed else []
        if free_text:
            parts.append(f"({ref} and {ref} not in {exclude!r})")
        if unknown_counts:
            parts.append(f"not {ref}")
        return parts

    parts = test(f"{PROFILE_ID}.{LEAD_QUESTION}", groups[0][0] in wanted, every)
    if co_lead:
        parts += test(f"{PROFILE_ID}.{CO_LEAD_QUESTION}", False, every + [NO_CO_LEAD])
    return " or ".join(parts)


def _apply_leads(profile: Section, sections: list, groups: tuple, out: _Collector):
    """Check every group a question names, and fold each `leads:` into the question's `when`."""
    from dataclasses import replace

    names = [name for name, _ in groups]
    co_lead = any(q.id == CO_LEAD_QUESTION for q in profile.questions)

    def fix(question: Question) -> Question:
        what = f"question {question.key}"
        for named, line in [(question.leads, question.line)] + [(v.when_lead, v.line) for v in question.variants]:
            for group in named:
                if not groups:
                    out.add(question.file, line, f"{what}: names lead group {group!r}, but workbook.yaml "
                                                 "declares no lead_groups")
                elif group not in names:
                    out.add(question.file, line, f"{what}: unknown lead group {group!r} "
                                                 f"(expected one of: {', '.join(names)})")
        wanted = tuple(g for g in question.leads if g in names)
        if not wanted:
            return question
        condition = _lead_condition(groups, wanted, co_lead)
        return replace(question, when=f"({question.when}) and ({condition})" if question.when else condition)

    def fixed(section: Section) -> Section:
        for variant in section.variants:
            for group in variant.when_lead:
                if group not in names:
                    out.add(section.file, variant.line, f"section {section.id}: unknown lead group {group!r}"
                                                        + (f" (expected one of: {', '.join(names)})" if names
                                                           else ": workbook.yaml declares no lead_groups"))
        questions = tuple(fix(q) for q in section.questions)
        return section if all(a is b for a, b in zip(questions, section.questions)) else \
            replace(section, questions=questions)

    return fixed(profile), [fixed(s) for s in sections]


def _worded(question: Question, group: str) -> Question:
    """The question as the first variant for `group` words it (itself when none does)."""
    from dataclasses import replace

    variant = next((v for v in question.variants if group in v.when_lead), None)
    if variant is None:
        return question
    changes: dict = {}
    if variant.prompt:
        changes["prompt"] = variant.prompt
        if question.label == question.prompt:  # the label was the prompt: it follows the new one
            changes["label"] = variant.prompt
    if variant.help:
        changes["help"] = variant.help
    if variant.label:
        changes["label"] = variant.label
    if variant.unit:
        changes["unit"] = variant.unit
    if variant.choices:
        labels = {c.value: c.label for c in variant.choices}
        changes["choices"] = tuple(Choice(c.value, labels.get(c.value, c.label)) for c in question.choices)
    if variant.columns:
        worded = {cid: rest for cid, *rest in variant.columns}
        changes["columns"] = tuple(_reworded_column(c, *worded[c.id]) if c.id in worded else c
                                   for c in question.columns)
    return replace(question, **changes)


def _reworded_column(column: Column, label: str, help_: str, choices: tuple) -> Column:
    from dataclasses import replace

    labels = {c.value: c.label for c in choices}
    return replace(column, label=label or column.label, help=help_ or column.help,
                   choices=tuple(Choice(c.value, labels.get(c.value, c.label)) for c in column.choices))


def _worded_view(base: Content, group: str) -> Content:
    from dataclasses import replace

    if not any(group in v.when_lead for q in base.questions() for v in q.variants) and \
            not any(group in v.when_lead for s in base.sections for v in s.variants):
        return base
    index: dict = {}

    def worded(section: Section) -> Section:
        questions = tuple(_worded(q, group) for q in section.questions)
        index.update((q.key, q) for q in questions)
        changes: dict = {"questions": questions}
        variant = next((v for v in section.variants if group in v.when_lead), None)
        if variant is not None:
            changes.update({k: getattr(variant, k) for k in ("summary", "objectives", "recommendations")
                            if getattr(variant, k)})
        return replace(section, **changes)

    profile = worded(base.profile)
    sections = tuple(worded(s) for s in base.sections)
    return replace(base, profile=profile, sections=sections, _index=index, _base=base, _views=base._views)


def _check_language(workbook: dict, wb_file: str, out: _Collector) -> None:
    """Person-first wording and US spelling in every file read (see content_lint)."""
    from deflect_cli.content import lint as content_lint
    rules = content_lint.rules_from((workbook or {}).get("language"), lambda line, msg: out.add(wb_file, line, msg))
    for file, data, text in out.files:
        report = functools.partial(out.add, file)
        content_lint.check_file(data, text, rules, report)
        if "/sections/" in file.replace("\\", "/"):
            content_lint.check_citations(data, text, report)


def load_content(root: Path | str, display_root: Optional[str] = None) -> Content:
    """Load and validate a content directory; raise ContentError listing every problem."""
    root = Path(root)
    out = _Collector()
    shown = display_root if display_root is not None else str(root)

    def display(path: Path) -> str:
        return str(Path(shown) / path.relative_to(root))

    if not root.is_dir():
        raise ContentError([f"{shown}:0: content directory not found"])
    workbook_path = root / "workbook.yaml"
    wb_file = display(workbook_path)
    workbook = _read(workbook_path, wb_file, out) or {}
    reader = _Reader(workbook, wb_file, out, "workbook", (
        "title", "subtitle", "version", "estimated_minutes", "welcome", "profile", "checks", "sources",
        "language", "carry",
    ) + ("lead_groups",)) if workbook else None
    if workbook_path.exists() and not workbook:  # unreadable: its problem is reported, not its missing parts
        profile = Section(id=PROFILE_ID, title="Plan profile", file=wb_file)
    else:
        profile = _read_profile(workbook, wb_file, out)
    lead_groups = _parse_lead_groups(workbook, profile, wb_file, out) if workbook else ()
    sections = _read_sections(root, display, out)
    glossary = _read_glossary(root, display, out)
    profile, sections = _apply_leads(profile, sections, lead_groups, out)
    index = _index_questions(profile, sections, wb_file, out)
    _check_renames(index, out)
    content = Content(
        profile=profile,
        sections=tuple(sections),
        glossary=tuple(glossary),
        root=str(root),
        _index=index,
        lead_groups=lead_groups,
        **_workbook_fields(reader, wb_file, out),
    )
    _check_content(content, workbook, wb_file, out)
    if out.problems:
        raise ContentError(out.problems)
    return content


def _read_profile(workbook: dict, wb_file: str, out: _Collector) -> Section:
    """The plan-level questions; a workbook without them is a problem, and its plans ask none."""
    node = workbook.get("profile") if workbook else None
    if workbook and not isinstance(node, dict):
        out.add(wb_file, _line(workbook, "profile") or 1,
                "workbook: missing required field 'profile' (plan-level questions)")
        node = None
    return _parse_section(node or {"questions": []}, wb_file, 0, out, profile=True)


def _read_sections(root: Path, display, out: _Collector) -> list:
    """The guide sections, in the order of their file names' numbers (sections/NN-<slug>.yaml)."""
    sections = []
    section_dir = root / "sections"
    files = sorted(section_dir.glob("*.yaml")) if section_dir.is_dir() else []
    if not files:
        out.add(display(section_dir), 0, "no section files (expected sections/NN-<slug>.yaml)")
    for path in files:
        file = display(path)
        match = re.match(r"^(\d+)-[a-z0-9-]+$", path.stem)
        if not match:
            out.add(file, 0, "file name must look like NN-<slug>.yaml (e.g. 05-partnerships.yaml)")
            continue
        data = _read(path, file, out)
        if data is not None:
            sections.append(_parse_section(data, file, int(match.group(1)), out))
    return sections


def _read_glossary(root: Path, display, out: _Collector) -> list:
    """The terms of glossary.yaml; content without one has none."""
    path = root / "glossary.yaml"
    if not path.exists():
        return []
    data = _read(path, display(path), out)
    if data is None:
        return []
    reader = _Reader(data, display(path), out, "glossary", ("terms",))
    return list(reader.records("terms", ("term", "definition"), ("term", "definition")))


def _index_questions(profile: Section, sections: list, wb_file: str, out: _Collector) -> dict:
    """`section.question` -> Question, reporting a section id or number, or a question id, used twice."""
    seen_sections: dict[str, str] = {PROFILE_ID: wb_file}
    seen_numbers: dict[int, str] = {}
    index: dict[str, Question] = {}
    for section in (profile, *sections):
        if section is not profile:
            if section.id in seen_sections:
                out.add(section.file, 1, f"duplicate section id {section.id!r} (also in {seen_sections[section.id]})")
            if section.number in seen_numbers:
                out.add(section.file, 0,
                        f"duplicate section number {section.number:02d} (also {seen_numbers[section.number]})")
            seen_sections[section.id] = section.file
            seen_numbers[section.number] = section.file
        for question in section.questions:
            if question.key in index:
                out.add(question.file, question.line, f"duplicate question id {question.key!r}")
            else:
                index[question.key] = question
    return index


def _workbook_fields(reader: Optional[_Reader], wb_file: str, out: _Collector) -> dict:
    """Content's fields read from workbook.yaml; without a readable workbook, empty ones."""
    if reader is None:
        return {"title": "", "version": ""}
    return {
        "title": reader.str("title", required=True),
        "version": reader.str("version", required=True),
        "welcome": reader.str("welcome"),
        "estimated_minutes": int(reader.number("estimated_minutes", whole=True, low=0, high=MAX_MINUTES) or 0),
        "checks": _parse_checks(reader, PROFILE_ID, wb_file, out),
        "sources": reader.records("sources", _SOURCE_FIELDS, ("title",)),
        "carry": _parse_carry(reader, wb_file, out),
    }


def _check_content(content: Content, workbook: dict, wb_file: str, out: _Collector) -> None:
    """What can be checked only across the whole content: ids, defaults, references, wording."""
    seen_checks = set()
    for item in content.all_checks():
        if item.id in seen_checks:
            out.add(item.file, item.line, f"duplicate check id {item.id!r}")
        seen_checks.add(item.id)
    for question in content.questions():
        _check_defaults(question, out)
    _check_conditions(content, out)
    _check_choices_from(content, out)
    _check_prefill(content, out)
    _check_carry(content, out)
    _check_language(workbook, wb_file, out)
