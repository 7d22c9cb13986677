"""The plan: every answer and what the plan knows about them, in memory, and its YAML form.

`Plan` is what every layer above works with; `to_yaml` writes it and `parse` reads it back, checking
every field's shape, so a truncated-but-parsable or hand-damaged file (the `end_of_plan` marker is
written last) is told from a whole one. Reading and writing the file itself (atomically, under the
lock, with snapshots) is store.py's; older formats are brought up to this one by upgrades.py.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from deflect_cli import grammar
from deflect_cli.errors import PlanError

SCHEMA_VERSION = 3  # each format's additions and the steps up to it: upgrades.py
DEPTHS = ("core", "full")  # `depth`: the core path (questions marked `core: true`) or the whole workbook
DEFAULT_NAME = "deflection-plan.yaml"
MAX_PLAN_BYTES = 64 * 1024 * 1024
_HEADER = (
    "# deflect plan: answers to the Deflection Planning Workbook.\n"
    "# Continue with `deflect resume`; write the plan document with `deflect export --format md`.\n"
)
_FIELDS = ("deflect_plan", "content", "created", "updated", "position", "answers", "skipped",
           "fingerprints", "orphaned", "drafts", "attribution", "settings", "depth", "end_of_plan")
ATTRIBUTION_SETTINGS = ("show", "hide")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass
class Plan:
    path: Path
    content_title: str = ""
    content_version: str = ""
    created: str = field(default_factory=now)
    updated: str = ""
    position: Optional[str] = None
    answers: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    # SECTION.QUESTION -> "TYPE/HASH" of the question when it was answered (see Question.fingerprint).
    fingerprints: dict = field(default_factory=dict)
    # Answers set aside because their question left the workbook or changed shape: kept, never dropped.
    orphaned: list = field(default_factory=list)
    # SECTION.QUESTION -> text typed but not submitted when the person left (invalid or unfinished):
    # offered back in the input when they return; gone once that question is answered or skipped.
    drafts: dict = field(default_factory=dict)
    # SECTION.QUESTION -> {"by": NAME, "at": ISO time}: who gave the answer as it stands, and when. Only
    # answers someone was named for (--as, the name asked once, a packet's recipient) have an entry.
    attribution: dict = field(default_factory=dict)
    # Per-plan choices: `author`, the name remembered for this plan's terminal sessions, and
    # `attribution` ("show" or "hide": whether exports list who answered).
    settings: dict = field(default_factory=dict)
    # Not saved: who is answering in this session (recorded with each answer it changes).
    author: Optional[str] = field(default=None, repr=False, compare=False)
    # How deep the plan goes: "core" asks only the core path; `deflect resume --full` deepens it.
    depth: str = "full"
    # Not saved: the current content's fingerprints (set by new_plan / migrate.reconcile), the
    # checked bytes this plan was loaded from, which become a snapshot on the first save, and the
    # command of the session (named by that snapshot).
    question_fingerprints: dict = field(default_factory=dict, repr=False, compare=False)
    loaded_bytes: Optional[bytes] = field(default=None, repr=False, compare=False)
    # Not saved: the bytes this session last loaded or saved at `path`. A save first checks the file
    # still holds them, so another writer's work is never saved over (see save_plan).
    disk_bytes: Optional[bytes] = field(default=None, repr=False, compare=False)
    session_command: str = field(default="", repr=False, compare=False)

    def answer(self, section_id: str, question_id: str):
        return (self.answers.get(section_id) or {}).get(question_id)

    def set_answer(self, key: str, value, by: Optional[str] = None) -> None:
        """Store an answer; new table rows get a row id; a changed answer is attributed to `by` (or the
        session's author), and loses an earlier attribution when nobody is named."""
        section_id, question_id = key.split(".", 1)
        if isinstance(value, list) and any(isinstance(r, dict) for r in value):
            _new_row_ids(value)
        before = (self.answers.get(section_id) or {}).get(question_id)
        self.answers.setdefault(section_id, {})[question_id] = value
        self.drafts.pop(key, None)
        if key in self.skipped:
            self.skipped.remove(key)
        if _without_ids(before) != _without_ids(value):
            who = (by or self.author or "").strip()
            if who:
                self.attribution[key] = {"by": who, "at": now()}
            else:
                self.attribution.pop(key, None)

    def contributors(self, section_id: str) -> list:
        """[(name, answers), ...] for a section's current answers, most answers first."""
        counts: dict = {}
        for question_id in self.answers.get(section_id) or {}:
            entry = self.attribution.get(f"{section_id}.{question_id}")
            if entry and entry.get("by"):
                counts[entry["by"]] = counts.get(entry["by"], 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))

    def contributors_text(self, section_id: str) -> str:
        """`Lane County Health (5 answers), Dana Ruiz (1 answer)`, or "" when nobody is recorded."""
        return ", ".join(f"{name} ({answers_text(n)})" for name, n in self.contributors(section_id))

    @property
    def attribution_shown(self) -> bool:
        return self.settings.get("attribution", "show") != "hide"

    def skip(self, key: str) -> None:
        section_id, question_id = key.split(".", 1)
        if key not in self.skipped:
            self.skipped.append(key)
        self.drafts.pop(key, None)
        self.remove_answer(key)

    def remove_answer(self, key: str):
        """Take an answer out of the plan (returns it); the section entry goes when it empties."""
        section_id, question_id = key.split(".", 1)
        value = (self.answers.get(section_id) or {}).pop(question_id, None)
        self.attribution.pop(key, None)
        if section_id in self.answers and not self.answers[section_id]:
            del self.answers[section_id]
        return value

    def earlier_answer(self, key: str):
        """The most recent answer set aside for `key` (its question changed), or None: worth showing
        when the question is asked again."""
        for entry in reversed(self.orphaned):
            if entry.get("question") == key:
                return entry.get("answer")
        return None

    @property
    def core(self) -> bool:
        return self.depth == "core"

    def answer_count(self) -> int:
        return sum(len(v) for v in self.answers.values())

    def _answer_fingerprints(self) -> dict:
        out = {}
        for section_id, values in self.answers.items():
            for question_id in values:
                key = f"{section_id}.{question_id}"
                stamp = self.question_fingerprints.get(key) or self.fingerprints.get(key)
                if stamp:
                    out[key] = stamp
        return out

    def to_yaml(self) -> str:
        self.fingerprints = self._answer_fingerprints()
        data = {
            "deflect_plan": SCHEMA_VERSION,
            "content": {"title": self.content_title, "version": self.content_version},
            "created": self.created,
            "updated": self.updated,
            "position": self.position,
            "answers": self.answers,
            "skipped": list(self.skipped),
            "fingerprints": self.fingerprints,
            "orphaned": self.orphaned,
            "drafts": self.drafts,
            "attribution": {k: v for k, v in self.attribution.items() if self.answer(*k.split(".", 1)) is not None},
            "settings": self.settings,
            "depth": self.depth,
            "end_of_plan": True,
        }
        from deflect_cli import yamlio

        return _HEADER + yamlio.dump(data)


def _new_row_ids(rows: list) -> None:
    from deflect_cli.plan.upgrades import ROW_ID, new_row_id

    seen: set = set()
    for row in rows:
        if isinstance(row, dict):
            rid = row.get(ROW_ID)
            if not isinstance(rid, str) or not rid or rid in seen:
                rid = new_row_id(seen | {r.get(ROW_ID) for r in rows if isinstance(r, dict)})
                rest = {k: v for k, v in row.items() if k != ROW_ID}
                row.clear()
                row[ROW_ID] = rid
                row.update(rest)
            seen.add(rid)


def _without_ids(value):
    if isinstance(value, list):
        return [{k: v for k, v in r.items() if k != "_id"} if isinstance(r, dict) else r for r in value]
    return value


def default_path(explicit: Optional[str] = None) -> Path:
    """--plan, then $DEFLECT_PLAN, then ./deflection-plan.yaml."""
    return Path(explicit or os.environ.get("DEFLECT_PLAN") or DEFAULT_NAME)


def new_plan(path: Path, content, depth: str = "full") -> Plan:
    return Plan(
        path=Path(path), content_title=content.title, content_version=content.version, depth=depth,
        question_fingerprints={q.key: q.fingerprint for q in content.questions()},
    )


def plan_flag(path: Path) -> str:
    """` --plan PATH` when the plan is not the default one, for commands we suggest."""
    return "" if str(path) == DEFAULT_NAME else f" --plan {path}"


# --------------------------------------------------------------------------- reading


def too_large(hint=lambda: "") -> str:
    """What a plan over MAX_PLAN_BYTES is said to be, after `PATH: `."""
    return f"the file is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB; it is not a deflect plan.{hint()}"


def parse(path: Path, raw: bytes, hint=lambda: "") -> Plan:
    """The plan in `raw` (the bytes of the plan file at `path`, or of a snapshot of it), every field
    checked; any problem is a one-line PlanError naming `path`, ending with `hint()` when the file is
    damaged (store.load_plan's hint names a good snapshot)."""
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanError(f"{path}: {too_large(hint)}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(f"{path}: not a deflect plan (the file is not UTF-8 text; is it a binary file?)."
                        f"{hint()}") from None
    if not text.strip():
        raise PlanError(f"{path}: the plan file is empty.{hint()}")
    from deflect_cli.plan import fastyaml as planyaml  # what deflect wrote, read without importing PyYAML

    data = planyaml.read(text)
    if data is None:
        from deflect_cli import yamlio

        try:
            data = _plain(yamlio.parse(text, max_bytes=MAX_PLAN_BYTES))  # fastyaml's values are plain already
        except yamlio.YAMLProblem as problem:
            where = f" (line {problem.line})" if problem.line else ""
            raise PlanError(f"{path}: the plan file is damaged{where}: {problem.message}.{hint()}") from None
    return _from_data(path, data, hint)


def _plain(value):
    """LineDict/LineList from the parser become plain dict/list; dates become ISO text, as stored."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


_SCALARS = (str, int, float, bool)


def _answer_shape_ok(value) -> bool:
    """What any question type stores: a scalar, a list of scalars, or a list of {column: scalar} rows."""
    if value is None or isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return all(
            isinstance(item, _SCALARS)
            or (isinstance(item, dict) and all(isinstance(k, str) and (v is None or isinstance(v, _SCALARS))
                                               for k, v in item.items()))
            for item in value
        )
    return False


def _is_key(value) -> bool:
    return isinstance(value, str) and "." in value


def _mapping(value, key_ok, value_ok) -> bool:
    return isinstance(value, dict) and all(key_ok(k) and value_ok(v) for k, v in value.items())


def _is_text(value) -> bool:
    return isinstance(value, str)


def _anything(value) -> bool:
    return True


def _answers_problem(answers) -> Optional[str]:
    if not _mapping(answers, _is_text, lambda values: _mapping(values, _is_text, _anything)):
        return "'answers' must map each section id to its answers"
    for section_id, values in answers.items():
        for question_id, value in values.items():
            if not _answer_shape_ok(value):
                return f"the answer to {section_id}.{question_id} has a shape no question stores"
    return None


def _set_aside_ok(entry) -> bool:
    return isinstance(entry, dict) and _is_key(entry.get("question")) and "answer" in entry \
        and _answer_shape_ok(entry["answer"]) and all(isinstance(k, str) for k in entry)


def _attributed_ok(entry) -> bool:
    return isinstance(entry, dict) and _is_text(entry.get("by")) and _is_text(entry.get("at", ""))


def _settings_ok(settings) -> bool:
    return _mapping(settings, _is_text, _is_text) and settings.get("attribution", "show") in ATTRIBUTION_SETTINGS


def _rule(ok, message: str):
    return lambda value: None if ok(value) else message


# Each field of a plan (after upgrades), in the order its problems are reported: what it holds when
# absent (None: exactly what the file says) and the check giving what is wrong with it, or None.
_FIELD_RULES = (
    ("depth", "full", _rule(lambda v: v in DEPTHS, "'depth' must be core or full")),
    ("content", {}, _rule(lambda v: _mapping(v, _anything, lambda x: x is None or isinstance(x, (str, int, float))),
                          "'content' must be a mapping with the workbook's title and version")),
    ("answers", {}, _answers_problem),
    ("skipped", [], _rule(lambda v: isinstance(v, list) and all(_is_key(k) for k in v),
                          "'skipped' must be a list of SECTION.QUESTION ids")),
    ("position", None, _rule(lambda v: v is None or _is_key(v), "'position' must be a SECTION.QUESTION id")),
    ("fingerprints", {}, _rule(lambda v: _mapping(v, _is_key, _is_text),
                               "'fingerprints' must map SECTION.QUESTION ids to question fingerprints")),
    ("orphaned", [], _rule(lambda v: isinstance(v, list) and all(_set_aside_ok(e) for e in v),
                           "'orphaned' must be a list of set-aside answers, each with 'question' and 'answer'")),
    ("drafts", {}, _rule(lambda v: _mapping(v, _is_key, _is_text),
                         "'drafts' must map SECTION.QUESTION ids to unfinished answers (text)")),
    ("created", None, _rule(lambda v: v is None or _is_text(v), "'created' must be a date and time")),
    ("updated", None, _rule(lambda v: v is None or _is_text(v), "'updated' must be a date and time")),
    ("attribution", {}, _rule(lambda v: _mapping(v, _is_key, _attributed_ok),
                              "'attribution' must map SECTION.QUESTION ids to who answered ('by') and when ('at')")),
    ("settings", {}, _rule(_settings_ok, "'settings' must map names to text ('attribution' is show or hide)")),
)


def _check_format(path: Path, data, bad) -> None:
    """That `data` is a whole deflect plan of a format this deflect reads (before any upgrade)."""
    if not isinstance(data, dict) or "deflect_plan" not in data:
        raise bad("not a deflect plan (no 'deflect_plan' format field; is this the right file?)")
    version = data["deflect_plan"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("'deflect_plan' must be a whole number (the plan format)")
    if version > SCHEMA_VERSION:
        raise PlanError(f"{path}: written by a newer deflect (plan format {version}; this one reads up to "
                        f"{SCHEMA_VERSION}); upgrade deflect to open it. The file was not changed.")
    if data.get("end_of_plan") is not True:
        raise bad("the plan file is incomplete (its end marker is missing; it may have been cut off)")
    unknown = [str(k) for k in data if k not in _FIELDS]
    if unknown:
        raise bad(f"unknown field {unknown[0]!r} in the plan file")


def _from_data(path: Path, data, hint) -> Plan:
    def bad(message: str) -> PlanError:
        return PlanError(f"{path}: {message}.{hint()}")

    _check_format(path, data, bad)
    from deflect_cli.plan import upgrades

    data = upgrades.upgrade(data, SCHEMA_VERSION)
    got = {}
    for name, absent, problem_in in _FIELD_RULES:
        got[name] = data.get(name) if absent is None else (data.get(name) or absent)
        problem = problem_in(got[name])
        if problem:
            raise bad(problem)
    for section_id, values in got["answers"].items():  # a row without an id (written by hand) gets a stable one
        for question_id, value in values.items():
            upgrades.add_row_ids(f"{section_id}.{question_id}", value)
    return Plan(
        path=path,
        content_title=str(got["content"].get("title") or ""),
        content_version=str(got["content"].get("version") or ""),
        created=got["created"] or "",
        updated=got["updated"] or "",
        position=got["position"],
        answers={k: dict(v) for k, v in got["answers"].items()},
        skipped=list(dict.fromkeys(got["skipped"])),
        fingerprints=dict(got["fingerprints"]),
        orphaned=[dict(e) for e in got["orphaned"]],
        drafts=dict(got["drafts"]),
        attribution={k: dict(v) for k, v in got["attribution"].items()},
        settings=dict(got["settings"]),
        depth=got["depth"],
    )


def short_time(stamp: str) -> str:
    try:
        return _dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def answers_text(count: int) -> str:
    return grammar.plural(count, "answer")


def depth_text(plan: Plan) -> str:
    """What status and every export say about how deep the plan goes."""
    if plan.core:
        return "Core plan (the core questions only)"
    return "Full workbook"


def describe(plan: Plan) -> str:
    """`saved 2027-03-01 10:42, 38 answers`: enough to recognize a copy."""
    when = short_time(plan.updated or plan.created)
    return f"{'saved ' + when + ', ' if when else ''}{answers_text(plan.answer_count())}"

