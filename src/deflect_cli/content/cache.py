"""Per-user caches that let everyday commands skip work whose inputs have not changed.

- Loaded content: parsing and checking the bundled guide takes longer than the rest of
  `deflect status`, yet the content rarely changes. After a successful load the validated model
  (with the evaluation trees of its conditions) is pickled here. The next process uses it only if
  nothing it was built from has changed: the content files' names, sizes, modification and change
  times and inodes, the code of the modules that build the model, the deflect and Python versions.
- Compiled templates: Jinja's bytecode for the export templates.

Nothing here holds answers: a parse of the plan used to be kept beside it, a second copy of every
answer that outlived the plan and was written even by `deflect status`. Plans are now read fast by
planyaml instead, and stale `.NAME.parsed` files go when a writing command takes the plan's lock.

A cache is an optimization and never a source of errors: a missing, stale, corrupt, foreign or
unwritable cache means doing the work normally. Unpickling is restricted to the content model's
own classes and plain values, so even a tampered file cannot run code; files others could have
written are ignored. `deflect lint` never reads the content cache. Location: $DEFLECT_CACHE_DIR,
else the platform's cache folder (~/.cache/deflect on Linux); DEFLECT_NO_CACHE=1 turns them off.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from pathlib import Path
from typing import Optional

try:  # the C pickler itself: pickle.py re-exports it, but importing pickle.py costs a millisecond more
    import _pickle as pickle
except ImportError:  # a Python without it
    import pickle

FORMAT = 1
_MAGIC = b"deflect-content-cache\n"
_PROTOCOL = 5  # Python 3.8+
# A file changed less than this long ago may change again within the file system's timestamp
# resolution without its stamp changing, so content that fresh is not cached yet.
SETTLE_SECONDS = 2.0


def directory() -> Optional[Path]:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("DEFLECT_NO_CACHE"):
        return None
    override = os.environ.get("DEFLECT_CACHE_DIR")
    if override:
        return Path(override)
    try:
        if sys.platform == "win32":
            base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
            return base / "deflect" / "Cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "deflect"
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
        return base / "deflect"
    except (RuntimeError, OSError, KeyError):  # no home folder
        return None


def _private_folder(folder: Path) -> None:
    """Create `folder` and any missing parent owner-only (0700) whatever the umask: Path.mkdir gives
    parents 0777 minus the umask, which under umask 000 is a folder anyone can write into."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for part in reversed(missing):
        try:
            os.mkdir(part, 0o700)
        except FileExistsError:
            continue
        os.chmod(part, 0o700)  # mkdir's mode is reduced by the umask, never widened; make it exact


def _content_files(root: Path) -> list:
    """Every file load_content reads (and the names it globs), in a stable order."""
    files = [root / "workbook.yaml", root / "glossary.yaml"]
    sections = root / "sections"
    try:
        files += sorted(p for p in sections.iterdir() if p.name.endswith(".yaml"))
    except OSError:
        pass
    return files


# The modules whose code decides what load_content builds; a change to any of them (a developer's
# edit, an upgrade) makes every cached content stale.
_MODEL_MODULES = ("__init__.py", "content/answers.py", "content/cache.py", "content/conditions.py",
                  "content/model.py", "content/lint.py", "errors.py", "content/patterns.py", "yamlio.py")


def _code_files() -> list:
    package = Path(__file__).resolve().parent.parent
    return [package / name for name in _MODEL_MODULES]


def stamp(root: Path, display_root: str) -> tuple:
    """(key, newest change time in ns) of everything a cached content depends on.

    The key is the full list, not a hash of it: comparing a few kilobytes costs nothing, and not
    importing hashlib saves start-up time."""
    from deflect_cli import __version__

    lines = [f"{FORMAT}\0{__version__}\0{sys.version}\0{os.path.realpath(root)}\0{display_root}"]
    newest = 0
    for path in (*_content_files(root), *_code_files()):
        try:
            st = path.stat()
        except FileNotFoundError:
            lines.append(f"{path}\0-")
            continue
        lines.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}")
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return "\n".join(lines).encode("utf-8", "surrogateescape"), newest


def _slot(root: Path, display_root: str) -> str:
    """One file per content folder (and display name); the key inside decides whether it is current."""
    name = f"{os.path.realpath(root)}\0{display_root}".encode("utf-8", "surrogateescape")
    return f"content-{zlib.crc32(name):08x}{zlib.adler32(name):08x}.pickle"


def _header(key: bytes) -> bytes:
    return _MAGIC + len(key).to_bytes(8, "big") + key


class _Unpickler(pickle.Unpickler):
    """Rebuilds only deflect's content model and plain values; anything else is refused."""

    _ALLOWED = {
        ("deflect_cli.yamlio", "LineDict"), ("deflect_cli.yamlio", "LineList"),
        ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
        ("datetime", "timezone"),
    }

    def find_class(self, module, name):
        if module == "deflect_cli.content.model" or (module, name) in self._ALLOWED:
            found = super().find_class(module, name)
            if isinstance(found, type) and (module != "deflect_cli.content.model" or found.__module__ == module):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the content model")


def _unpickle(handle):
    """Unpickling builds many objects at once; the cyclic garbage collector, triggered by every few
    hundred of them, would walk them again and again for nothing (about a third of the time)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Unpickler(handle).load()
    finally:
        if enabled:
            gc.enable()


def _trusted(handle) -> bool:
    """Cached files hold code (pickles, compiled templates): one is used only if it belongs to this
    user and nobody else can write it."""
    if os.name != "posix":
        return True
    info = os.fstat(handle.fileno())
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def load(root: Path, display_root: str):
    """The cached (content, condition trees) for this folder, or None on any miss or problem."""
    folder = directory()
    if folder is None:
        return None
    try:
        key, _ = stamp(root, display_root)
        with open(folder / _slot(root, display_root), "rb") as handle:
            if not _trusted(handle):
                return None
            header = _header(key)
            if handle.read(len(header)) != header:
                return None
            content, trees = _unpickle(handle)
    except Exception:  # noqa: BLE001 - a cache problem only ever means a normal load
        return None
    from deflect_cli.content.model import Content

    if not isinstance(content, Content) or not isinstance(trees, dict):
        return None
    return content, trees


def store(root: Path, display_root: str, content, trees: dict) -> bool:
    """Save for the next process; False (and nothing changed) when it cannot or should not."""
    folder = directory()
    if folder is None:
        return False
    try:
        key, newest = stamp(root, display_root)
    except Exception:  # noqa: BLE001
        return False
    if newest > time.time_ns() - int(SETTLE_SECONDS * 1e9):
        return False
    return _write(folder, _slot(root, display_root), _header(key), (content, trees))


def _write(folder: Path, name: str, header: bytes, payload) -> bool:
    tmp = None
    try:
        from deflect_cli.safeio import create_exclusive

        _private_folder(folder)
        tmp = folder / f".{name}.{os.urandom(4).hex()}.tmp"
        fd = create_exclusive(tmp)  # never through a link someone planted at a name they guessed
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            pickle.dump(payload, handle, protocol=_PROTOCOL)
        os.replace(tmp, folder / name)
        return True
    except Exception:  # noqa: BLE001 - an unwritable cache must never break a command
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


# --------------------------------------------------------------------------- compiled templates


def cache_templates(env) -> None:
    """Give a Jinja environment a bytecode cache here, so a template is compiled once, not per export.

    Jinja keys compiled code by template file and source checksum but not by the environment's
    options, so each set of options gets its own folder. Compiled code is executable: like the
    content cache, a file is used only if it belongs to this user and nobody else can write it.
    """
    folder = directory()
    if folder is None:
        return
    import jinja2
    from jinja2 import FileSystemBytecodeCache

    options = (type(env).__name__, env.autoescape, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
               env.newline_sequence, env.undefined.__name__, env.block_start_string, env.variable_start_string,
               env.comment_start_string, env.line_statement_prefix, env.line_comment_prefix,
               jinja2.__version__, sys.version)
    name = repr(options).encode()
    target = folder / f"templates-{zlib.crc32(name):08x}{zlib.adler32(name):08x}"

    class _OwnBytecodeCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                handle = open(self._get_cache_filename(bucket), "rb")
            except OSError:
                return
            with handle:
                try:
                    if not _trusted(handle):
                        return
                    bucket.load_bytecode(handle)
                except Exception:  # noqa: BLE001 - unreadable: compile the template instead
                    bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                _private_folder(target)
                super().dump_bytecode(bucket)
            except Exception:  # noqa: BLE001 - an unwritable cache must never break an export
                pass

    env.bytecode_cache = _OwnBytecodeCache(str(target), "%s.jinja")
