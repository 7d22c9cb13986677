"""One writer per plan: commands that change a plan hold its lock; reading commands never wait.

The lock is an OS file lock (flock on Unix, LockFileEx on Windows through `filelock`) on a hidden
`.NAME.lock` beside the plan. The kernel drops it when its process ends, however it ends, so a lock
left by a killed session never blocks the next one. Who holds it (command, process, host, since when)
is written to `.NAME.lock-info`, so a second session can say what it is waiting for. Usage:

    with plan_lock(path, "edit"):
        plan = load_plan(path)
        ...                                   # save_plan() as often as needed

On Unix the lock is taken with flock on a file opened with O_NOFOLLOW (a symlink planted at the lock
path is refused, never truncated or written through), and the lock file is removed again when the
lock is released, so a command leaves nothing behind that was not there before, even when it fails.

Removing a lock file on release is safe only together with an identity check, and that check is
what also catches a lock file deleted by someone else:

- The holder unlinks the file while it still holds the flock, then closes it. A second process that
  opened the old file before the unlink can get its flock only after that close, on a file no
  longer reachable by name. So every process, after flock succeeds, compares the (device, inode) of
  its descriptor with an lstat of the lock path; if they differ (or the path is gone) it closes and
  starts again, creating a new lock file. Only a lock on the file that is at the lock path counts.
- The holder removes the file only if the lock path still names the file it locked, so it never
  removes a lock file another session made after a cleanup tool deleted ours.
- A cleanup or sync tool that deletes hidden files (or `rm`) can still let a second session create a
  new lock file and take it while the first still runs. The (device, inode) taken at acquire is
  therefore checked again before every save (`lost()`, called by save_plan), together with the
  plan's bytes; on a mismatch nothing is saved over the plan (the session's answers go to a
  conflict file beside it).
- A killed holder cannot remove its file; the kernel drops its flock, and the next session takes
  that same file and removes it when done.
- Not covered: file systems without working flock between machines (some network drives, folders
  synced between computers); see the README's reliability notes.

Taking it also deletes temp files left by saves that were killed mid-way (safe only under the lock).
Within one process the lock is re-entrant: nested `plan_lock(path, ...)` blocks just pass through.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from deflect_cli.errors import PlanError, describe_os_error

_held: dict = {}  # lock file -> _Held, for re-entrant use within one process and the checks before saves


class PlanLocked(PlanError):
    """Another deflect session is writing this plan."""


def lock_paths(path: Path) -> tuple[Path, Path]:
    """(lock file, holder-info file) for a plan; beside the real file when the plan is a symlink."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock"), real.with_name(f".{real.name}.lock-info")


def holder(path: Path) -> Optional[dict]:
    """What the current holder wrote about itself (command, pid, host, since), if readable."""
    from deflect_cli.safeio import FileProblem, read_regular

    try:  # never through a link, never a pipe, never more than a note's worth
        info = json.loads(read_regular(lock_paths(path)[1], 64 * 1024, follow=False).decode("utf-8"))
    except (OSError, ValueError, FileProblem):
        return None
    return info if isinstance(info, dict) else None


def _describe_holder(info: Optional[dict]) -> str:
    if not info:
        return ""
    from deflect_cli.plan.model import short_time

    parts = []
    if info.get("command"):
        parts.append(f"`deflect {info['command']}`")
    if info.get("pid"):
        where = f" on {info['host']}" if info.get("host") and info["host"] != socket.gethostname() else ""
        parts.append(f"process {info['pid']}{where}")
    when = short_time(str(info.get("since") or ""))
    if when:
        day, _, clock = when.partition(" ")
        today = _dt.date.today().isoformat()
        parts.append(f"since {clock} today" if day == today else f"since {when}")
    return f" ({', '.join(parts)})" if parts else ""


def notes(path: Path) -> list:
    """One-line warnings worth giving when a writing session opens the plan at `path`."""
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return []
    if not stat.S_ISREG(info.st_mode):
        return []
    found = []
    if info.st_nlink > 1:
        found.append(f"note: {path} has {info.st_nlink} hard links; a session opened through another of its "
                     "names takes a different lock, and a save here gives this name a file of its own.")
    return found


class _Held:
    """The lock this process holds on one plan: the open lock file and the identity it had when taken."""

    def __init__(self, fd: Optional[int], identity: Optional[tuple], fallback=None):
        self.fd, self.identity, self.fallback, self.depth = fd, identity, fallback, 1


def _identity(info) -> tuple:
    return info.st_dev, info.st_ino


def lost(path: Path) -> Optional[str]:
    """Why the lock this process holds on `path` is no longer the one at the lock path (deleted by a
    cleanup or sync tool, or replaced), else None. None too when this process holds no lock on it."""
    lock_file = lock_paths(path)[0]
    held = _held.get(str(lock_file))
    if held is None or held.identity is None:
        return None
    try:
        current = os.lstat(lock_file)
    except FileNotFoundError:
        return f"its lock file {lock_file.name} was removed"
    except OSError:
        return None
    if _identity(current) != held.identity:
        return f"its lock file {lock_file.name} was replaced"
    return None


@contextmanager
def plan_lock(path: Path, command: str) -> Iterator[None]:
    """Hold the single-writer lock of the plan at `path` for the block; raise PlanLocked at once
    (one line: which plan, held by whom since when, what to do) if another process holds it."""
    from deflect_cli.plan.files import atomic_write, remove_stale_temp_files
    from deflect_cli.plan.model import now
    from deflect_cli.safeio import is_symlink

    path = Path(path)
    lock_file, info_file = lock_paths(path)
    key = str(lock_file)
    if key in _held:
        _held[key].depth += 1
        try:
            yield
        finally:
            _held[key].depth -= 1
        return
    if not lock_file.parent.is_dir():
        raise PlanError(f"{path}: the folder {lock_file.parent} does not exist.")
    _refuse_special(path)
    _held[key] = _acquire(path, lock_file)
    noted = False
    try:
        info = {"command": command, "pid": os.getpid(), "host": socket.gethostname(), "since": now()}
        if is_symlink(info_file):
            raise PlanError(f"{info_file}: is a symbolic link where deflect keeps a note of who holds the "
                            "plan; deflect does not write through it. Remove it and try again.")
        try:
            atomic_write(info_file, json.dumps(info) + "\n")
            noted = True
        except PlanError:
            pass  # the lock itself holds; only the courtesy note is missing
        remove_stale_temp_files(path)
        yield
    finally:
        held = _held.pop(key)
        if noted:
            try:
                info_file.unlink()  # before releasing, so the next holder's note is never removed
            except OSError:
                pass
        _release(held, lock_file)


def _refuse_special(path: Path) -> None:
    """A plan is a regular file (or not there yet). `--plan /dev/stdin`, a FIFO or a device is said to
    be what it is, before any lock file is made beside it (whose name would say nothing true)."""
    import stat

    from deflect_cli.safeio import kind

    try:
        info = os.stat(path)
    except OSError:
        return  # missing, a dangling link or a loop: the command's own read says which
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise PlanError(f"{path}: is {kind(info.st_mode)}, not a regular file; a plan must be a file. "
                        "Give a plan file with --plan.")


def _locked_message(path: Path) -> str:
    return (f"{path} is open in another deflect session{_describe_holder(holder(path))}. "
            "Finish or quit that session first (Ctrl-Q saves and quits); "
            "`deflect status` and `deflect export` work meanwhile.")


def _cannot_lock(path: Path, lock_file: Path, exc: OSError) -> PlanError:
    return PlanError(f"{path}: cannot lock the plan for writing: {describe_os_error(exc)} "
                     f"(check that you may write in {lock_file.parent}).")


def _acquire(path: Path, lock_file: Path) -> _Held:
    if os.name != "posix":
        return _acquire_filelock(path, lock_file)
    import errno
    import fcntl
    import stat

    from deflect_cli.safeio import O_CLOEXEC, O_NOFOLLOW

    for _attempt in range(20):
        try:
            fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise PlanError(f"{lock_file}: is a symbolic link where deflect keeps the plan's lock; "
                                "remove it and try again.") from None
            raise _cannot_lock(path, lock_file, exc) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise PlanError(f"{lock_file}: is not a regular file, so it cannot be the plan's lock; "
                                "remove it and try again.")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PlanLocked(_locked_message(path)) from None
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                    raise _cannot_lock(path, lock_file, exc) from None
                # A file system without locks: go on, as before; the identity checks before each
                # save still catch a second writer (see the README's reliability notes).
            try:
                current = os.lstat(lock_file)
            except FileNotFoundError:
                current = None
        except BaseException:
            os.close(fd)
            raise
        if current is not None and _identity(current) == _identity(info):
            return _Held(fd, _identity(info))
        os.close(fd)  # we locked a file its previous holder removed on release: take the new one
    raise PlanLocked(_locked_message(path))


def _release(held: _Held, lock_file: Path) -> None:
    """Remove the lock file, if it is still ours, then let go of it (see the module docstring)."""
    if held.fallback is not None:
        held.fallback.release()
        return
    try:
        if _identity(os.lstat(lock_file)) == held.identity:
            os.unlink(lock_file)  # while still locked: nobody can be holding this file but us
    except OSError:
        pass
    os.close(held.fd)


def _acquire_filelock(path: Path, lock_file: Path) -> _Held:
    """Windows: LockFileEx through `filelock`."""
    import warnings

    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_file), mode=0o600)
    try:
        with warnings.catch_warnings():  # a filesystem without locks: filelock warns, we stay quiet
            warnings.simplefilter("ignore")
            lock.acquire(timeout=0)
    except Timeout:
        raise PlanLocked(_locked_message(path)) from None
    except OSError as exc:
        raise _cannot_lock(path, lock_file, exc) from None
    return _Held(None, None, fallback=lock)
