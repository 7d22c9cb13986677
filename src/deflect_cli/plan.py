"""The plan file: a human-readable YAML record of every answer, saved atomically after each one.

A save writes a temp file in the same folder, flushes and fsyncs it, renames it over the plan and
fsyncs the folder, so a killed process leaves either the old plan or the new one, never a torn file.
The `end_of_plan` marker written last lets a load tell a truncated-but-parsable file from a whole one.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from deflect_cli import yamlio
from deflect_cli.errors import PlanError

SCHEMA_VERSION = 1
DEFAULT_NAME = "deflection-plan.yaml"
_HEADER = (
    "# deflect plan: answers to the Deflection Planning Workbook.\n"
    "# Continue with `deflect resume`; write the plan document with `deflect export --format md`.\n"
)


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

    def answer(self, section_id: str, question_id: str):
        return (self.answers.get(section_id) or {}).get(question_id)

    def set_answer(self, key: str, value) -> None:
        section_id, question_id = key.split(".", 1)
        self.answers.setdefault(section_id, {})[question_id] = value
        if key in self.skipped:
            self.skipped.remove(key)

    def skip(self, key: str) -> None:
        section_id, question_id = key.split(".", 1)
        if key not in self.skipped:
            self.skipped.append(key)
        (self.answers.get(section_id) or {}).pop(question_id, None)
        if section_id in self.answers and not self.answers[section_id]:
            del self.answers[section_id]

    def to_yaml(self) -> str:
        data = {
            "deflect_plan": SCHEMA_VERSION,
            "content": {"title": self.content_title, "version": self.content_version},
            "created": self.created,
            "updated": self.updated,
            "position": self.position,
            "answers": self.answers,
            "skipped": list(self.skipped),
            "end_of_plan": True,
        }
        return _HEADER + yamlio.dump(data)


def default_path(explicit: Optional[str] = None) -> Path:
    """--plan, then $DEFLECT_PLAN, then ./deflection-plan.yaml."""
    return Path(explicit or os.environ.get("DEFLECT_PLAN") or DEFAULT_NAME)


def new_plan(path: Path, content) -> Plan:
    return Plan(path=Path(path), content_title=content.title, content_version=content.version)


def _describe_os_error(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def load_plan(path: Path) -> Plan:
    """Read and check a plan file; any problem is a one-line PlanError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"{path}: no plan here. Start one with `deflect start`.") from None
    except IsADirectoryError:
        raise PlanError(f"{path}: is a folder, not a plan file.") from None
    except UnicodeDecodeError:
        raise PlanError(f"{path}: not a deflect plan (the file is not UTF-8 text).") from None
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan: {_describe_os_error(exc)}.") from None
    if not text.strip():
        raise PlanError(f"{path}: the plan file is empty.{_backup_hint(path)}")
    try:
        data = yamlio.parse(text)
    except yamlio.YAMLProblem as problem:
        where = f" (line {problem.line})" if problem.line else ""
        raise PlanError(f"{path}: the plan file is damaged{where}: {problem.message}.{_backup_hint(path)}") from None
    return _from_data(path, data)


def _backup_hint(path: Path) -> str:
    backup = backup_path(path)
    return f" A previous copy is at {backup}." if backup.is_file() else ""


def _from_data(path: Path, data) -> Plan:
    def bad(message: str) -> PlanError:
        return PlanError(f"{path}: {message}.{_backup_hint(path)}")

    if not isinstance(data, dict) or "deflect_plan" not in data:
        raise PlanError(f"{path}: not a deflect plan (no 'deflect_plan' version field).")
    version = data["deflect_plan"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad("'deflect_plan' must be a whole number")
    if version > SCHEMA_VERSION:
        raise PlanError(f"{path}: written by a newer deflect (plan format {version}); upgrade deflect to open it.")
    if data.get("end_of_plan") is not True:
        raise bad("the plan file is incomplete (its end marker is missing; it may have been cut off)")
    content = data.get("content") or {}
    answers = data.get("answers") or {}
    skipped = data.get("skipped") or []
    if not isinstance(content, dict):
        raise bad("'content' must be a mapping")
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) and all(isinstance(q, str) for q in v)
        for k, v in answers.items()
    ):
        raise bad("'answers' must map each section id to its answers")
    if not isinstance(skipped, list) or not all(isinstance(k, str) and "." in k for k in skipped):
        raise bad("'skipped' must be a list of SECTION.QUESTION ids")
    position = data.get("position")
    if position is not None and not isinstance(position, str):
        raise bad("'position' must be a SECTION.QUESTION id")
    return Plan(
        path=path,
        content_title=str(content.get("title") or ""),
        content_version=str(content.get("version") or ""),
        created=str(data.get("created") or ""),
        updated=str(data.get("updated") or ""),
        position=position,
        answers={k: dict(v) for k, v in answers.items()},
        skipped=list(dict.fromkeys(skipped)),
    )


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` so that readers and crashes only ever see old or new, whole."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise PlanError(f"{path}: the folder {folder} does not exist.")
    if path.is_dir():
        raise PlanError(f"{path}: is a folder, not a file.")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PlanError(f"{path}: cannot write here: {_describe_os_error(exc)}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise PlanError(f"{path}: could not save: {_describe_os_error(exc)}. The file on disk is unchanged.") from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_plan(plan: Plan) -> None:
    plan.updated = now()
    atomic_write(plan.path, plan.to_yaml())


def keep_backup(path: Path) -> Path:
    """Copy the current plan to `<name>.bak` (atomically) before it is replaced."""
    backup = backup_path(path)
    try:
        atomic_write(backup, Path(path).read_bytes())
    except OSError as exc:
        raise PlanError(f"{path}: cannot read it to keep a backup: {_describe_os_error(exc)}.") from None
    return backup


def remove_stale_temp_files(path: Path) -> int:
    """Delete temp files left by saves that were killed mid-way; returns how many went."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = 0
    for stale in folder.glob(f".{path.name}.*.tmp"):
        try:
            stale.unlink()
            removed += 1
        except OSError:
            pass
    return removed
