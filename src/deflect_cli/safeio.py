"""Opening files people point deflect at, and files deflect makes beside a plan, without surprises.

Every file deflect reads (a plan, an answers file, a content file, the lock's note) may turn out to
be a named pipe that never ends, a device such as /dev/zero, or a 2 GB file. Reading is therefore
bounded before any byte is read: the file is opened without blocking (a FIFO with no writer would
otherwise hang the open), its type and size are checked on the open descriptor (not on the name,
which could be swapped in between), and at most `limit + 1` bytes are ever read.

Every file deflect creates beside a plan is created with O_CREAT | O_EXCL | O_NOFOLLOW: it cannot
already exist, so a symlink planted at that name by someone else is never written through.
This module imports nothing from deflect but errors.py, so every layer can use it.
"""

from __future__ import annotations

import errno
import os
import stat

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
O_BINARY = getattr(os, "O_BINARY", 0)
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_BINARY


class FileProblem(Exception):
    """A file that is not what a reader can take; `str()` is the reason, to follow `PATH: `."""


class TooLarge(FileProblem):
    """A file larger than the reader's limit."""


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def megabytes(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def read_regular(path, limit: int, *, follow: bool = True) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises FileProblem (not a regular file, larger than `limit`, a symlink when `follow` is False)
    or OSError (missing, unreadable). A FIFO, device or socket is refused before anything is read."""
    flags = os.O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_BINARY | (0 if follow else O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and exc.errno == errno.ELOOP and os.path.islink(path):
            raise FileProblem("is a symbolic link; deflect does not follow links here") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"is {kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"is larger than {megabytes(limit)}")
        chunks = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(limit + 1 - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # it grew while we read it
            raise TooLarge(f"is larger than {megabytes(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path, limit: int, *, follow: bool = True) -> str:
    """read_regular decoded as UTF-8 with universal newlines, as Path.read_text reads (CRLF and CR
    become LF); raises UnicodeDecodeError besides read_regular's errors."""
    return read_regular(path, limit, follow=follow).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


# What a failed read says after "PATH: ", by kind of failure: {noun} is what the file was meant to be
# ("answers file"), {problem} a FileProblem's reason, {reason} an OSError's. A kind not listed says
# what the kind in _SAID_AS says.
READ_FAILURES = {
    "missing": "{noun} not found.",
    "problem": "cannot read the {noun}: it {problem}.",  # not a regular file, a link not followed
    "not_text": "cannot read the {noun}: it is not UTF-8 text.",
    "error": "cannot read the {noun}: {reason}.",
}
_SAID_AS = {"too_large": "problem", "folder": "error", "denied": "error"}


def read_file(path, limit: int, noun: str, error, *, follow: bool = True, text: bool = True, say=None):
    """The file at `path` as read_text reads it (or its bytes, with `text=False`); any failure is
    raised as `error("PATH: one line")`, the line READ_FAILURES gives for `noun`.

    `say` changes what some kinds of failure say (missing, problem, too_large, folder, denied,
    not_text, error): a template as in READ_FAILURES, or a function giving the line (for a line
    built from the path, or worth working out only when the read has failed)."""
    said = {**READ_FAILURES, **(say or {})}

    def fail(kind: str, problem="", reason=""):
        template = said.get(kind) or said[_SAID_AS[kind]]
        line = template() if callable(template) else template.format(noun=noun, problem=problem, reason=reason)
        return error(f"{path}: {line}")

    from deflect_cli.errors import describe_os_error

    try:
        return read_text(path, limit, follow=follow) if text else read_regular(path, limit, follow=follow)
    except TooLarge as problem:
        raise fail("too_large", problem=problem) from None
    except FileProblem as problem:
        raise fail("problem", problem=problem) from None
    except UnicodeDecodeError:
        raise fail("not_text") from None
    except FileNotFoundError:
        raise fail("missing") from None
    except IsADirectoryError as exc:
        raise fail("folder", reason=describe_os_error(exc)) from None
    except PermissionError as exc:
        raise fail("denied", reason=describe_os_error(exc)) from None
    except OSError as exc:
        raise fail("error", reason=describe_os_error(exc)) from None


def create_exclusive(path, mode: int = 0o600) -> int:
    """A new file at `path`, opened for writing; fails (FileExistsError) if anything, even a dangling
    symlink, is already there."""
    return os.open(path, CREATE_FLAGS, mode)


def is_symlink(path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False
