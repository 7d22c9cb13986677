"""The plan file: loaded and checked, saved atomically after each answer, never saved over another's work.

A save writes through files.atomic_write, so a killed process leaves either the old plan or the new
one. The first save of a session first keeps the plan as it was loaded (already checked) as a
snapshot (snapshots.py), and `start --force` and `restore` pin the file they replace, so a good copy
is always at hand and none is ever overwritten. A `<name>.bak` left by an older deflect is still
offered by `restore`; none is written. Before each save the plan on disk must still be the one this
session loaded and its lock still the one it took (see save_plan); an export is never written over a
plan or its side files (refuse_export_over_plan).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from deflect_cli import errors
from deflect_cli.errors import PlanError
from deflect_cli.plan import model
from deflect_cli.plan.files import atomic_write, parent_folder, write_advice
from deflect_cli.plan.model import Plan, answers_text, now, plan_flag, short_time
from deflect_cli.safeio import FileProblem, read_file, read_regular

# --------------------------------------------------------------------------- reading


def _read_raw(path: Path) -> bytes:
    """The plan file's bytes, read safely (see safeio.read_regular): raises FileProblem or OSError."""
    return read_regular(path, model.MAX_PLAN_BYTES)


_FOLDER = "is a folder, not a plan file; give a file name with --plan."


def _read_bytes(path: Path, hint=lambda: "") -> bytes:
    """The plan file's bytes; any failure is one PlanError line saying what to do. A folder is caught
    first: where it opens (Linux), the read alone would only call it "not a regular file"."""
    if path.is_dir():
        raise PlanError(f"{path}: {_FOLDER}")
    return read_file(path, model.MAX_PLAN_BYTES, "plan", PlanError, text=False, say={
        "too_large": lambda: model.too_large(hint),
        "problem": "{problem}; a plan must be a file. Give a plan file with --plan.",
        "missing": lambda: f"no plan here. Start one with `deflect start{plan_flag(path)}`.",
        "folder": _FOLDER,
        "denied": "cannot read the plan: permission denied (check the file's permissions).",
    })


def load_plan(path: Path, *, hint_backup: bool = True, raw: Optional[bytes] = None) -> Plan:
    """Read and check a plan file (or `raw`, the bytes of a snapshot of it); any problem is a
    one-line PlanError naming the file (and, when the file is damaged, the newest good snapshot
    and how to put it back)."""
    path = Path(path)
    from_file = raw is None
    hint = (lambda: backup_hint(path)) if hint_backup else (lambda: "")
    if from_file:
        raw = _read_bytes(path, hint)
    plan = model.parse(path, raw, hint)
    plan.loaded_bytes = raw
    plan.disk_bytes = raw if from_file else None  # a snapshot's bytes are not what is at `path`
    return plan


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
    found = [Copy(s.name, s.when, s.command, s.pinned, read=lambda s=s: snapshots.read(s, model.MAX_PLAN_BYTES))
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
    if len(text) > model.MAX_PLAN_BYTES:
        raise PlanError(f"{plan.path}: could not save: the plan would be larger than "
                        f"{model.MAX_PLAN_BYTES // (1024 * 1024)} MB; shorten the longest answers. "
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
            reason = f"{errors.describe_os_error(cause)}{write_advice(cause, parent_folder(plan.path))}"
            raise PlanError(f"{plan.path}: could not save: keeping a snapshot of the previous version "
                            f"failed: {reason}. The plan on disk is unchanged.") from None
        plan.loaded_bytes = None
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError:
        payload = text  # atomic_write refuses it in one line
    atomic_write(plan.path, payload, follow=True)
    plan.disk_bytes = payload


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
