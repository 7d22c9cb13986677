"""Snapshots of a plan: earlier versions kept in one hidden folder beside it, so nothing is ever lost.

A single `<plan>.bak` could be overwritten by an emptier plan (two `start --force` in a row lost the
first plan for good), so copies are append-only files in `.<plan>.snapshots/`, one per event: the
first save of a session keeps the plan as it was loaded; `start --force` and `restore` keep the plan
they replace as a *pinned* snapshot. Pruning keeps the newest KEEP and every pinned one; it never
judges by answer counts (they fall for good reasons when questions merge).

The folder is created 0700 and never followed through a symlink: it is opened with O_NOFOLLOW and
every file in it is reached through that descriptor, so swapping the folder for a link after the
check changes nothing. A name holds everything a listing needs besides the answers (UTC time to the
microsecond, the command, pinned or not) plus a random part, and is taken with link(2), which
never replaces an existing file. A snapshot is written and fsynced under a temp name first, so a
kill leaves it whole or absent (a killed take's temp file goes with `remove_stale_temp_files`,
under the plan's lock). The bytes are stored as they were: a damaged plan is kept too.

This module only stores bytes; store.py reads them as plans (how many answers, whether it loads).
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from deflect_cli import durable
from deflect_cli.errors import PlanError, describe_os_error

KEEP = 20  # unpinned snapshots kept (the newest); pinned ones are never pruned
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)\.([a-z0-9-]{1,32})\.(pinned|auto)\.([0-9a-f]{8})\.yaml$")
_TEMP = re.compile(r"^\.[0-9a-f]{16}\.tmp$")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# Windows has neither O_NOFOLLOW nor dir_fd: there the folder is checked with lstat and used by path.
_DIR_FD = _NOFOLLOW != 0 and all(f in os.supports_dir_fd for f in (os.open, os.link, os.unlink, os.rename, os.stat))
# link(2) failing for these means the filesystem has no hard links (FAT, some network and sync mounts)
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, getattr(errno, "ENOTSUP", -1),
             getattr(errno, "EOPNOTSUPP", -1), getattr(errno, "ENOSYS", -1)}


@dataclass(frozen=True)
class Snapshot:
    path: Path
    when: _dt.datetime  # UTC
    command: str
    pinned: bool

    @property
    def name(self) -> str:
        return self.path.name


def folder(plan_path: Path) -> Path:
    """`.NAME.snapshots` beside the name the user gives (a symlinked plan keeps them beside the link)."""
    plan_path = Path(plan_path)
    return plan_path.with_name(f".{plan_path.name}.snapshots")


def _failed(where: Path, what: str, exc: OSError) -> PlanError:
    """One line naming the folder; the OSError stays attached so a caller can add advice."""
    error = PlanError(f"{where}: {what}: {describe_os_error(exc)}.")
    error.os_error = exc
    return error


def _refuse(where: Path, problem: str) -> PlanError:
    return PlanError(f"{where}: {problem}; deflect keeps the plan's snapshots there and will not use it. "
                     "Move it away and try again.")


def _check(where: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(where, "is a symbolic link, not a folder")
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(where, "is not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise _refuse(where, "belongs to another user")


class _Folder:
    """The snapshot folder, opened without following links; files are reached relative to it."""

    def __init__(self, where: Path, create: bool):
        self.path = where
        self.fd: Optional[int] = None
        self.created = False
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(self.path, 0o700)
                self.created = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise _failed(self.path, "cannot create the snapshot folder", exc) from None
            info = os.lstat(self.path)
        _check(self.path, info)
        if _DIR_FD:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refuse(self.path, "is a symbolic link, not a folder") from None
                raise _failed(self.path, "cannot open the snapshot folder", exc) from None
            try:
                _check(self.path, os.fstat(self.fd))  # the folder opened is the one checked
            except PlanError:
                os.close(self.fd)
                raise

    def __enter__(self) -> "_Folder":
        return self

    def __exit__(self, kind, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
        if kind is not None and self.created:  # a first take that failed leaves no empty folder behind
            try:
                os.rmdir(self.path)
            except OSError:
                pass

    def at(self, name: str) -> dict:
        return {"dir_fd": self.fd} if self.fd is not None else {}

    def p(self, name: str) -> str:
        return name if self.fd is not None else str(self.path / name)

    def names(self) -> list:
        try:
            return os.listdir(self.fd if self.fd is not None else self.path)
        except OSError:
            return []

    def sync(self) -> None:
        """Make the new name durable; a folder made by this take needs its own entry synced too."""
        if self.created:
            durable.fsync_folder(self.path.parent if str(self.path.parent) else Path("."))
        if self.fd is not None:
            try:
                os.fsync(self.fd)
            except OSError:
                pass


def _parse(folder_path: Path, name: str) -> Optional[Snapshot]:
    match = _NAME.match(name)
    if not match:
        return None
    try:
        when = _dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return None
    return Snapshot(folder_path / name, when, match.group(2), match.group(3) == "pinned")


def _listed(box: _Folder) -> list:
    found = [s for s in (_parse(box.path, n) for n in box.names()) if s is not None]
    return sorted(found, key=lambda s: (s.when, s.name), reverse=True)


def list_snapshots(plan_path: Path) -> list:
    """Every snapshot of the plan, newest first (none when the folder does not exist yet)."""
    try:
        with _Folder(folder(plan_path), create=False) as box:
            return _listed(box)
    except FileNotFoundError:
        return []


def _command_part(command: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", command.lower()).strip("-")[:32]
    return cleaned or "save"


def take(plan_path: Path, data: bytes, command: str, pinned: bool = False, keep: int = KEEP) -> Snapshot:
    """Keep `data` (a plan's bytes, whole or damaged) as a new snapshot; then prune. Call with the
    plan's lock held: that is what makes a snapshot's time strictly later than the previous one's."""
    with _Folder(folder(plan_path), create=True) as box:
        previous = _listed(box)
        when = _dt.datetime.now(_dt.timezone.utc)
        if previous and when <= previous[0].when:  # a clock set back, or two takes in one microsecond
            when = previous[0].when + _dt.timedelta(microseconds=1)
        temp = f".{os.urandom(8).hex()}.tmp"
        try:
            fd = os.open(box.p(temp), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600,
                         **box.at(temp))
        except OSError as exc:
            raise _failed(box.path, "cannot keep a snapshot", exc) from None
        try:
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    durable.fsync(handle.fileno())  # F_FULLFSYNC on macOS, as for the plan
                snapshot = _settle(box, temp, when, _command_part(command), pinned)
            except BaseException:
                try:
                    os.unlink(box.p(temp), **box.at(temp))
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise _failed(box.path, "cannot keep a snapshot", exc) from None
        box.sync()
        _prune(box, keep)
    return snapshot


def _settle(box: _Folder, temp: str, when: _dt.datetime, command: str, pinned: bool) -> Snapshot:
    """Give the written temp file its final name without ever replacing a file already there."""
    for _ in range(100):
        name = f"{when.strftime(_STAMP)}.{command}.{'pinned' if pinned else 'auto'}.{os.urandom(4).hex()}.yaml"
        try:
            if box.fd is not None:
                try:
                    os.link(temp, name, src_dir_fd=box.fd, dst_dir_fd=box.fd)
                    os.unlink(temp, dir_fd=box.fd)
                    return Snapshot(box.path / name, when, command, pinned)
                except OSError as exc:
                    if exc.errno not in _NO_LINKS:
                        raise
            # No link(2): rename to a name checked free (under the plan's lock, in a folder only we write).
            if _exists(box, name):
                continue
            os.rename(box.p(temp), box.p(name), **({"src_dir_fd": box.fd, "dst_dir_fd": box.fd}
                                                   if box.fd is not None else {}))
        except FileExistsError:
            continue
        return Snapshot(box.path / name, when, command, pinned)
    raise OSError(errno.EEXIST, "no free snapshot name")


def _exists(box: _Folder, name: str) -> bool:
    try:
        os.stat(box.p(name), follow_symlinks=False, **box.at(name))
    except FileNotFoundError:
        return False
    return True


def _prune(box: _Folder, keep: int) -> None:
    unpinned = [s for s in _listed(box) if not s.pinned]
    for old in unpinned[keep:]:
        try:
            os.unlink(box.p(old.name), **box.at(old.name))
        except OSError:
            pass


def prune(plan_path: Path, keep: int = KEEP) -> None:
    """Delete unpinned snapshots beyond the newest `keep`; pinned snapshots always stay."""
    try:
        with _Folder(folder(plan_path), create=False) as box:
            _prune(box, keep)
    except FileNotFoundError:
        pass


def read(snapshot: Snapshot, max_bytes: int) -> bytes:
    """A snapshot's bytes (at most `max_bytes` + 1, so an oversized one is seen, never read whole)."""
    with _Folder(snapshot.path.parent, create=False) as box:
        try:
            fd = os.open(box.p(snapshot.name), os.O_RDONLY | _NOFOLLOW | _BINARY, **box.at(snapshot.name))
        except OSError as exc:
            raise PlanError(f"{snapshot.path}: cannot read the snapshot: {describe_os_error(exc)}.") from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PlanError(f"{snapshot.path}: not a snapshot file.")
            return handle.read(max_bytes + 1)


def remove_stale_temp_files(plan_path: Path) -> int:
    """Temp files of takes killed mid-way. Only safe while holding the plan's lock."""
    try:
        with _Folder(folder(plan_path), create=False) as box:
            removed = 0
            for name in box.names():
                if _TEMP.match(name):
                    try:
                        os.unlink(box.p(name), **box.at(name))
                        removed += 1
                    except OSError:
                        pass
            return removed
    except (FileNotFoundError, PlanError):
        return 0
