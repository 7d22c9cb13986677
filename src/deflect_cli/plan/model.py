"""The plan file: a human-readable YAML record of every answer, saved atomically after each one.

A save writes a temp file in the same folder, flushes and fsyncs it, renames it over the plan and
fsyncs the folder, so a killed process leaves either the old plan or the new one, never a torn file.
The `end_of_plan` marker written last, and a check of every field's shape, let a load tell a
truncated-but-parsable or hand-damaged file from a whole one. The first save of a session first
keeps the plan as it was loaded (already checked) as a snapshot (snapshots.py), and `start --force`
and `restore` pin the file they replace, so a good copy is always at hand and none is ever
overwritten. A `<name>.bak` left by an older deflect is still offered by `restore`; none is written.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from deflect_cli import durable, errors, grammar
from deflect_cli.errors import PlanError
from deflect_cli.safeio import FileProblem, read_regular

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


def _read_raw(path: Path) -> bytes:
    """The plan file's bytes, read safely (see safeio.read_regular): raises FileProblem or OSError."""
    return read_regular(path, MAX_PLAN_BYTES)


def _read_bytes(path: Path, hint=lambda: "") -> bytes:
    if path.is_dir():
        raise PlanError(f"{path}: is a folder, not a plan file; give a file name with --plan.")
    try:
        return _read_raw(path)
    except FileProblem as problem:
        if "larger than" in str(problem):
            raise PlanError(f"{path}: the file is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB; "
                            f"it is not a deflect plan.{hint()}") from None
        raise PlanError(f"{path}: {problem}; a plan must be a file. Give a plan file with --plan.") from None
    except FileNotFoundError:
        raise PlanError(f"{path}: no plan here. Start one with `deflect start{plan_flag(path)}`.") from None
    except IsADirectoryError:
        raise PlanError(f"{path}: is a folder, not a plan file; give a file name with --plan.") from None
    except PermissionError:
        raise PlanError(f"{path}: cannot read the plan: permission denied (check the file's permissions).") from None
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan: {errors.describe_os_error(exc)}.") from None


def load_plan(path: Path, *, hint_backup: bool = True, raw: Optional[bytes] = None) -> Plan:
    """Read and check a plan file (or `raw`, the bytes of a snapshot of it); any problem is a
    one-line PlanError naming the file (and, when the file is damaged, the newest good snapshot
    and how to put it back)."""
    path = Path(path)
    from_file = raw is None
    hint = (lambda: backup_hint(path)) if hint_backup else (lambda: "")
    if from_file:
        raw = _read_bytes(path, hint)
    elif len(raw) > MAX_PLAN_BYTES:
        raise PlanError(f"{path}: the file is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB; "
                        f"it is not a deflect plan.{hint()}")
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
            data = yamlio.parse(text, max_bytes=MAX_PLAN_BYTES)
        except yamlio.YAMLProblem as problem:
            where = f" (line {problem.line})" if problem.line else ""
            raise PlanError(f"{path}: the plan file is damaged{where}: {problem.message}.{hint()}") from None
    plan = _from_data(path, data, hint)
    plan.loaded_bytes = raw
    plan.disk_bytes = raw if from_file else None  # a snapshot's bytes are not what is at `path`
    return plan


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


def _from_data(path: Path, data, hint) -> Plan:
    def bad(message: str) -> PlanError:
        return PlanError(f"{path}: {message}.{hint()}")

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
    from deflect_cli.plan import upgrades
    data = upgrades.upgrade(_plain(data), SCHEMA_VERSION)
    content = data.get("content") or {}
    answers = data.get("answers") or {}
    skipped = data.get("skipped") or []
    fingerprints = data.get("fingerprints") or {}
    orphaned = data.get("orphaned") or []
    drafts = data.get("drafts") or {}
    position = data.get("position")
    depth = data.get("depth") or "full"
    if depth not in DEPTHS:
        raise bad("'depth' must be core or full")
    if not isinstance(content, dict) or not all(
        v is None or isinstance(v, (str, int, float)) for v in content.values()
    ):
        raise bad("'content' must be a mapping with the workbook's title and version")
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) and all(isinstance(q, str) for q in v)
        for k, v in answers.items()
    ):
        raise bad("'answers' must map each section id to its answers")
    for section_id, values in answers.items():
        for question_id, value in values.items():
            if not _answer_shape_ok(value):
                raise bad(f"the answer to {section_id}.{question_id} has a shape no question stores")
    if not isinstance(skipped, list) or not all(_is_key(k) for k in skipped):
        raise bad("'skipped' must be a list of SECTION.QUESTION ids")
    if position is not None and not _is_key(position):
        raise bad("'position' must be a SECTION.QUESTION id")
    if not isinstance(fingerprints, dict) or not all(
        _is_key(k) and isinstance(v, str) for k, v in fingerprints.items()
    ):
        raise bad("'fingerprints' must map SECTION.QUESTION ids to question fingerprints")
    if not isinstance(orphaned, list) or not all(
        isinstance(e, dict) and _is_key(e.get("question")) and "answer" in e and _answer_shape_ok(e["answer"])
        and all(isinstance(k, str) for k in e)
        for e in orphaned
    ):
        raise bad("'orphaned' must be a list of set-aside answers, each with 'question' and 'answer'")
    if not isinstance(drafts, dict) or not all(_is_key(k) and isinstance(v, str) for k, v in drafts.items()):
        raise bad("'drafts' must map SECTION.QUESTION ids to unfinished answers (text)")
    for stamp in ("created", "updated"):
        if data.get(stamp) is not None and not isinstance(data[stamp], str):
            raise bad(f"'{stamp}' must be a date and time")
    attribution = data.get("attribution") or {}
    settings = data.get("settings") or {}
    if not isinstance(attribution, dict) or not all(
        _is_key(k) and isinstance(v, dict) and isinstance(v.get("by"), str) and isinstance(v.get("at", ""), str)
        for k, v in attribution.items()
    ):
        raise bad("'attribution' must map SECTION.QUESTION ids to who answered ('by') and when ('at')")
    if not isinstance(settings, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in settings.items()) \
            or settings.get("attribution", "show") not in ATTRIBUTION_SETTINGS:
        raise bad("'settings' must map names to text ('attribution' is show or hide)")
    for section_id, values in answers.items():  # a row without an id (written by hand) gets a stable one
        for question_id, value in values.items():
            upgrades.add_row_ids(f"{section_id}.{question_id}", value)
    return Plan(
        path=path,
        content_title=str(content.get("title") or ""),
        content_version=str(content.get("version") or ""),
        created=data.get("created") or "",
        updated=data.get("updated") or "",
        position=position,
        answers={k: dict(v) for k, v in answers.items()},
        skipped=list(dict.fromkeys(skipped)),
        fingerprints=dict(fingerprints),
        orphaned=[dict(e) for e in orphaned],
        drafts=dict(drafts),
        attribution={k: dict(v) for k, v in attribution.items()},
        settings=dict(settings),
        depth=depth,
    )


# --------------------------------------------------------------------------- snapshots and restore


def backup_path(path: Path) -> Path:
    """`<name>.bak`, the single backup older deflect versions kept: still offered, never written."""
    return Path(path).with_name(Path(path).name + ".bak")


@dataclass
class Copy:
    """An earlier version of the plan that `restore` can put back: a snapshot, or a legacy `.bak`."""

    name: str
    when: _dt.datetime
    command: str  # the command it was kept before; "" for a legacy `.bak`
    pinned: bool
    read: object = field(repr=False)  # () -> bytes
    number: int = 0
    plan: Optional[Plan] = None
    problem: str = ""

    def check(self, path: Path) -> "Copy":
        """Load the copy as a plan: `plan` when it is whole, else `problem` says why not."""
        if self.plan is None and not self.problem:
            try:
                self.plan = load_plan(path, hint_backup=False, raw=self.read())
            except PlanError as exc:
                self.problem = str(exc).split(": ", 1)[-1].rstrip(".")
            except OSError as exc:
                self.problem = errors.describe_os_error(exc)
            except Exception:  # hostile bytes the parser could not bound: still just "damaged"
                self.problem = "not a readable plan"
        return self

    def describe(self) -> str:
        """`2027-03-01 10:42, before `deflect start`, pinned, 38 answers`: enough to recognize it."""
        when = self.when.astimezone().strftime("%Y-%m-%d %H:%M")
        source = f"before `deflect {self.command}`" if self.command else f"{self.name} (kept by an older deflect)"
        state = answers_text(self.plan.answer_count()) if self.plan is not None else f"damaged: {self.problem}"
        return f"{when}, {source}, {'pinned, ' if self.pinned else ''}{state}"


def _copies(path: Path) -> list:
    """Every restorable copy, newest first and numbered from 1, not yet loaded."""
    from deflect_cli.plan import snapshots
    found = [Copy(s.name, s.when, s.command, s.pinned, read=lambda s=s: snapshots.read(s, MAX_PLAN_BYTES))
             for s in snapshots.list_snapshots(path)]
    legacy = backup_path(path)
    try:
        info = os.lstat(legacy)
    except OSError:
        info = None
    if info is not None and not os.path.islink(legacy) and legacy.is_file():
        when = _dt.datetime.fromtimestamp(info.st_mtime, _dt.timezone.utc)
        found.append(Copy(legacy.name, when, "", False, read=lambda: _read_bytes(legacy)))
    found.sort(key=lambda c: c.when, reverse=True)
    for number, copy in enumerate(found, 1):
        copy.number = number
    return found


def restorable(path: Path) -> list:
    """Every copy `restore` can offer, newest first, each loaded (`plan`) or with its `problem`."""
    return [copy.check(Path(path)) for copy in _copies(Path(path))]


def newest_good(copies: list) -> Optional[Copy]:
    """The copy `restore` puts back when not told which: the newest that loads."""
    return next((c for c in copies if c.plan is not None), None)


def backup_hint(path: Path) -> str:
    """' A good copy … put it back with `deflect restore`.': the newest copy that loads, if any."""
    from deflect_cli.plan import snapshots
    path = Path(path)
    try:
        copies = _copies(path)
    except PlanError:
        return ""
    for copy in copies:
        if copy.check(path).plan is not None:
            good = copy.plan
            when = short_time(good.updated or good.created)
            saved = f" saved {when}" if when else ""
            where = f"as snapshot {copy.number} in {snapshots.folder(path)}" if copy.command else f"in {copy.name}"
            return (f" A good copy{saved} ({answers_text(good.answer_count())}) is kept {where}; "
                    f"put it back with `deflect restore{plan_flag(path)}`.")
    return ""


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


def current(path: Path) -> tuple:
    """What a destructive command would replace: (bytes or None when there is no file, the plan if
    those bytes load, else None). Reading errors other than a missing file are raised."""
    path = Path(path)
    if not os.path.lexists(path):
        return None, None
    raw = _read_bytes(path)
    try:
        return raw, load_plan(path, hint_backup=False, raw=raw)
    except Exception:  # restore is the remedy for any damage, so any failure to load means damaged
        return raw, None


def refuse_read_only(path: Path) -> None:
    """A plan its owner made read-only (chmod 0400) is never replaced: the person meant to protect it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    import stat

    if stat.S_ISREG(mode) and not mode & stat.S_IWUSR:
        raise PlanError(f"{path}: the plan is read-only (mode {stat.S_IMODE(mode):04o}), so deflect will not "
                        f"change it; make it writable with `chmod u+w {path}` to continue.")


def pin(path: Path, raw: bytes, command: str):
    """Keep `raw` (the file a destructive command is about to replace, whole or damaged) as a
    pinned snapshot, which pruning never removes. Call with the plan's lock held."""
    from deflect_cli.plan import snapshots
    return snapshots.take(path, raw, command, pinned=True)


def restore_copy(path: Path, copy: Copy):
    """Put `copy` back as the plan; the file it replaces, if any, is pinned first, so no restore
    destroys the only copy of anything. Returns that snapshot (or None). Call with the lock held."""
    path = Path(path)
    if copy.plan is None:
        raise PlanError(f"{copy.name}: that copy cannot be restored: {copy.problem}.")
    refuse_read_only(path)
    raw, _ = current(path)
    kept = pin(path, raw, "restore") if raw is not None else None
    atomic_write(path, copy.plan.loaded_bytes, follow=True)  # a plan the user linked: through the link
    return kept


# --------------------------------------------------------------------------- writing


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _write_advice(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "; free some space and try again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"; check that you may write in {folder}"
    return ""


def _fsync(fd: int) -> None:
    durable.fsync(fd)


def _replace(source: str, target: Path) -> None:
    # On Windows a virus scanner or an editor holding the target open makes rename fail briefly.
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            import time

            time.sleep(0.1)


def _refuse_symlink(path: Path) -> PlanError:
    return PlanError(f"{path}: is a symbolic link; deflect does not write through a link here "
                     "(someone else may have put it there). Remove it or choose another file name.")


def _write_special(path: Path, payload: bytes, info) -> None:
    """A device or a pipe (`-o /dev/null`, a FIFO): renaming over it would replace the device itself,
    so write straight into it; there is no old content to protect. A FIFO is opened without blocking,
    so one that nothing reads from is an error, not a hang."""
    import stat
    import time

    from deflect_cli.safeio import O_CLOEXEC, O_NOFOLLOW, O_NONBLOCK

    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        from deflect_cli.safeio import kind

        raise PlanError(f"{path}: is {kind(info.st_mode)}; deflect writes to files only.")
    deadline = time.monotonic() + 2.0
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)  # path is already resolved
            break
        except OSError as exc:
            if exc.errno == errno.ENXIO and time.monotonic() < deadline:
                time.sleep(0.02)  # a reader may be about to open the pipe
                continue
            if exc.errno == errno.ENXIO:
                raise PlanError(f"{path}: is a named pipe (FIFO) that nothing is reading from; "
                                "nothing was written.") from None
            raise PlanError(f"{path}: could not write: {errors.describe_os_error(exc)}.") from None
    try:
        opened = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(opened) or stat.S_ISFIFO(opened)):  # swapped for something else meanwhile
            raise PlanError(f"{path}: changed while deflect was writing to it; nothing was written.")
        if O_NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~O_NONBLOCK)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise PlanError(f"{path}: could not write: {errors.describe_os_error(exc)}.") from None
    finally:
        os.close(fd)


def atomic_write(path: Path, data: str | bytes, *, follow: bool = False, exclusive: bool = False) -> None:
    """Replace `path` with `data` so that readers and crashes only ever see old or new, whole.

    The new file is made at an unpredictable name with O_CREAT | O_EXCL | O_NOFOLLOW and renamed into
    place, so nothing is ever written through a link someone planted. A symlink at `path` itself is
    refused, except with `follow` (the plan file, which the user may have linked on purpose: the file
    it points to is the one replaced). With `exclusive`, an existing `path` is never replaced.
    A new file is readable by its owner only (0600); an existing one keeps its permissions."""
    import stat

    from deflect_cli.safeio import create_exclusive

    path = Path(path)
    info = _lstat(path)
    if info is not None and stat.S_ISLNK(info.st_mode):
        if not follow:
            raise _refuse_symlink(path)
        path = Path(os.path.realpath(path))
        info = _lstat(path)
    folder = _folder(path)
    if not folder.is_dir():
        raise PlanError(f"{path}: the folder {folder} does not exist.")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise PlanError(f"{path}: is a folder, not a file.")
    try:
        payload = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError:
        raise PlanError(f"{path}: could not save: an answer contains characters that are not valid text. "
                        "The file on disk is unchanged.") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(path, payload, info)
        return
    mode = info.st_mode & 0o777 if info is not None else 0o600
    tmp = str(folder / f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        fd = create_exclusive(tmp, 0o600)
    except OSError as exc:
        reason = f"{errors.describe_os_error(exc)}{_write_advice(exc, folder)}"
        error = PlanError(f"{path}: cannot write here: {reason}.")
        error.reason = reason
        raise error from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode != 0o600 and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            _fsync(handle.fileno())
        if exclusive:
            _link_new(tmp, path)
        else:
            _replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            reason = f"{errors.describe_os_error(exc)}{_write_advice(exc, folder)}"
            error = PlanError(f"{path}: could not save: {reason}. The file on disk is unchanged.")
            error.reason = reason
            raise error from None
        raise
    _fsync_folder(folder)


def _lstat(path: Path):
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise PlanError(f"{path}: cannot write here: {errors.describe_os_error(exc)}.") from None


def _link_new(tmp: str, path: Path) -> None:
    """Give the finished temp file its final name only if that name is free (a hard link fails if it
    exists); where hard links are not supported, fall back to a rename."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK) \
                or os.path.lexists(path):
            raise
        _replace(tmp, path)
        return
    os.unlink(tmp)


def _fsync_folder(folder: Path) -> None:
    durable.fsync_folder(folder)


def _changes_more_than_place(before: bytes, text: str) -> bool:
    """Whether a save changes anything but when it was saved and where the person stopped. A session
    that only looks and quits takes no snapshot, so such sessions never push real earlier versions
    out of the newest KEEP. (The dumper writes both fields as single top-level lines.)"""
    try:
        old = before.decode("utf-8")
    except UnicodeDecodeError:
        return True

    def kept(lines: str) -> list:
        return [line for line in lines.splitlines() if not line.startswith(("updated:", "position:"))]

    return kept(old) != kept(text)


class PlanConflict(PlanError):
    """Another writer changed the plan (or took its lock) during this session; nothing was saved over it."""


def _conflict(plan: Plan) -> Optional[str]:
    """Why saving over the plan now could destroy someone else's work, or None.

    Two checks, because either alone has a gap: the lock this session holds must still be the file at
    the lock path (a sync or cleanup tool that deletes hidden files lets a second session in), and the
    plan on disk must still be byte-for-byte what this session last loaded or saved (a second session
    may already have saved). The plan's own inode changes at every save, so it cannot be the identity."""
    from deflect_cli.plan.lock import lost

    why = lost(plan.path)
    if why:
        return why
    if plan.disk_bytes is None:
        return None  # a new plan: `start` decided under the lock that it may be written here
    try:
        current = _read_raw(plan.path)
    except FileNotFoundError:
        return None  # deleted meanwhile: writing it again loses nothing
    except (OSError, FileProblem):
        return "it can no longer be read as it was"
    if current != plan.disk_bytes:
        return "it was changed by another program or deflect session"
    return None


def conflict_path(path: Path) -> Path:
    """`<stem>.conflict-<when>-<random>.yaml` beside the plan: never an existing name, sorts by time."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.conflict-{stamp}-{os.urandom(4).hex()}.yaml")


def save_plan(plan: Plan) -> None:
    """Write the plan atomically; the first save after a load first keeps the loaded file as a snapshot.

    If the plan on disk is no longer this session's (see _conflict), this session's plan goes to a
    new conflict file beside it instead, and PlanConflict says where."""
    plan.updated = now()
    text = plan.to_yaml()
    if len(text) > MAX_PLAN_BYTES:
        raise PlanError(f"{plan.path}: could not save: the plan would be larger than "
                        f"{MAX_PLAN_BYTES // (1024 * 1024)} MB; shorten the longest answers. "
                        "The file on disk is unchanged.")
    why = _conflict(plan)
    if why:
        target = conflict_path(plan.path)
        atomic_write(target, text, exclusive=True)
        raise PlanConflict(
            f"{plan.path} was not saved: {why} since this session opened it. This session's answers are "
            f"in {target}; nothing was overwritten. Compare the two (`deflect status --plan {target}`) "
            "and continue the one you want to keep.")
    refuse_read_only(plan.path)
    if plan.loaded_bytes is not None and _changes_more_than_place(plan.loaded_bytes, text):
        from deflect_cli.plan import snapshots
        try:
            snapshots.take(plan.path, plan.loaded_bytes, plan.session_command or "save")
        except PlanError as exc:
            cause = getattr(exc, "os_error", None)
            if cause is None:
                raise
            reason = f"{errors.describe_os_error(cause)}{_write_advice(cause, _folder(plan.path))}"
            raise PlanError(f"{plan.path}: could not save: keeping a snapshot of the previous version "
                            f"failed: {reason}. The plan on disk is unchanged.") from None
        plan.loaded_bytes = None
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError:
        payload = text  # atomic_write refuses it in one line
    atomic_write(plan.path, payload, follow=True)
    plan.disk_bytes = payload


def remove_stale_temp_files(path: Path) -> int:
    """Delete temp files left by saves of this plan (its lock's note, snapshots of it) that were killed
    mid-way, and the parse cache older versions kept beside it: they hold answers. Only safe while
    holding the plan's lock (lock.plan_lock does it); returns how many went."""
    import re

    path = given = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    name = re.escape(path.name)
    pattern = re.compile(
        rf"^\.{name}(\.bak|\.damaged|\.before-restore)?\.[0-9a-f]{{8}}\.tmp$"  # atomic_write's
        rf"|^\.\.{name}\.lock-info\.[0-9a-f]{{8}}\.tmp$"  # the lock's note (atomic_write of `.NAME.lock-info`)
        rf"|^\.\.{name}(\.bak|\.damaged|\.before-restore)?\.parsed\.[0-9]+\.tmp$"  # older versions' parse cache
        rf"|^\.{name}(\.bak|\.damaged|\.before-restore)?\.parsed$"  # ... and the cache itself: a copy of answers
    )
    removed = 0
    try:
        candidates = list(_folder(path).iterdir())
    except OSError:
        return 0
    for stale in candidates:
        if pattern.match(stale.name):
            try:
                stale.unlink()
                removed += 1
            except OSError:
                pass
    from deflect_cli.plan import snapshots
    return removed + snapshots.remove_stale_temp_files(given)  # the folder sits beside the name given


def refuse_export_over_plan(target: Path, plan_path: Path) -> None:
    """An export must never replace a plan: not the one in use, its backup, its lock files, nor any
    other plan file."""
    from deflect_cli.plan.lock import lock_paths

    for protected in (plan_path, backup_path(plan_path), *lock_paths(plan_path)):
        same = target.resolve() == protected.resolve()
        if not same and target.exists() and protected.exists():
            try:
                same = target.samefile(protected)
            except OSError:
                same = False
        if same:
            what = ("the plan file itself" if protected == plan_path
                    else "the plan's backup" if protected == backup_path(plan_path) else "the plan's lock")
            raise PlanError(f"{target}: that is {what}; choose another --output.")
    if target.is_file():
        try:
            with target.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return
        if b"\ndeflect_plan:" in b"\n" + head:
            raise PlanError(f"{target}: that is a deflect plan; choose another --output.")
