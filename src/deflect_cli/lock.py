"""One writer per plan: commands that change a plan hold its lock; reading commands never wait.

The lock is an OS file lock (flock on Unix, LockFileEx on Windows, through `filelock`) on a hidden
`.NAME.lock` beside the plan. The kernel drops it when its process ends, however it ends, so a lock
left by a killed session never blocks the next one. Who holds it (command, process, host, since when)
is written to `.NAME.lock-info`, so a second session can say what it is waiting for. Usage:

    with plan_lock(path, "edit"):
        plan = load_plan(path)
        ...                                   # save_plan() as often as needed

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

from deflect_cli.errors import PlanError

_held: dict = {}  # lock file -> nesting depth, for re-entrant use within one process


class PlanLocked(PlanError):
    """Another deflect session is writing this plan."""


def lock_paths(path: Path) -> tuple[Path, Path]:
    """(lock file, holder-info file) for a plan; beside the real file when the plan is a symlink."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock"), real.with_name(f".{real.name}.lock-info")


def holder(path: Path) -> Optional[dict]:
    """What the current holder wrote about itself (command, pid, host, since), if readable."""
    try:
        info = json.loads(lock_paths(path)[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _describe_holder(info: Optional[dict]) -> str:
    if not info:
        return ""
    from deflect_cli.plan import short_time

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


@contextmanager
def plan_lock(path: Path, command: str) -> Iterator[None]:
    """Hold the single-writer lock of the plan at `path` for the block; raise PlanLocked at once
    (one line: which plan, held by whom since when, what to do) if another process holds it."""
    from deflect_cli.plan import atomic_write, now, remove_stale_temp_files

    path = Path(path)
    lock_file, info_file = lock_paths(path)
    key = str(lock_file)
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    if not lock_file.parent.is_dir():
        raise PlanError(f"{path}: the folder {lock_file.parent} does not exist.")
    lock = _acquire(path, lock_file)
    _held[key] = 1
    try:
        info = {"command": command, "pid": os.getpid(), "host": socket.gethostname(), "since": now()}
        try:
            atomic_write(info_file, json.dumps(info) + "\n")
        except PlanError:
            pass  # the lock itself holds; only the courtesy note is missing
        remove_stale_temp_files(path)
        yield
    finally:
        _held.pop(key, None)
        try:
            info_file.unlink()  # before releasing, so the next holder's note is never removed
        except OSError:
            pass
        lock.release()


def _acquire(path: Path, lock_file: Path):
    import warnings

    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_file), mode=0o600)
    try:
        with warnings.catch_warnings():  # a filesystem without flock: filelock warns, we stay quiet
            warnings.simplefilter("ignore")
            lock.acquire(timeout=0)
    except Timeout:
        raise PlanLocked(
            f"{path} is open in another deflect session{_describe_holder(holder(path))}. "
            "Finish or quit that session first (Ctrl-Q saves and quits); "
            "`deflect status` and `deflect export` work meanwhile."
        ) from None
    except OSError as exc:
        raise PlanError(f"{path}: cannot lock the plan for writing: {(exc.strerror or str(exc)).lower()} "
                        f"(check that you may write in {lock_file.parent}).") from None
    return lock
