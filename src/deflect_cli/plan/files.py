"""Writing files beside a plan so that a crash or a planted link never costs anything.

`atomic_write` is the one way deflect replaces a file (the plan, an export, the lock's note, a
conflict copy): a temp file in the same folder, flushed and fsynced, renamed over the target, then
the folder fsynced, so a killed process leaves either the old file or the new one, never a torn one.
`remove_stale_temp_files` deletes the temp files such a killed save leaves behind. Nothing here
knows what a plan holds, so the lock, the store and the exporters can all use it without importing
each other.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from deflect_cli import durable, errors
from deflect_cli.errors import PlanError


def parent_folder(path: Path) -> Path:
    """The folder a file sits in (`.` for a bare name), where its temp files and snapshots go."""
    return path.parent if str(path.parent) else Path(".")


def write_advice(exc: OSError, folder: Path) -> str:
    """What to do about a failed write, to follow its reason ("; free some space and try again")."""
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
    folder = parent_folder(path)
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
        reason = f"{errors.describe_os_error(exc)}{write_advice(exc, folder)}"
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
            reason = f"{errors.describe_os_error(exc)}{write_advice(exc, folder)}"
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
        candidates = list(parent_folder(path).iterdir())
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
