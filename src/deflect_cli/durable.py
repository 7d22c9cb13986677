"""Making a written file and its name survive a power cut: fsync, and on macOS F_FULLFSYNC.

Below plan/files.py and plan/snapshots.py, which both write beside the plan and must not import each other.
This module imports nothing from deflect, so every layer can use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def fsync(fd: int) -> None:
    if sys.platform == "darwin":  # fsync does not flush the drive cache on macOS; F_FULLFSYNC does
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except (AttributeError, OSError):
            pass
    os.fsync(fd)


def fsync_folder(folder: Path) -> None:
    """Make a new or replaced name in `folder` durable (best effort: not every system can)."""
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
