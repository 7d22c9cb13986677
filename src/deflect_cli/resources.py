"""Where the bundled content and templates live: inside the wheel, or beside the source in a checkout.

A wheel carries them as `deflect_cli/content` and `deflect_cli/templates` (see pyproject.toml); an
editable install or a source checkout finds them at the repository root.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional


def _bundled(name: str) -> Path:
    from importlib.resources import files

    inside = Path(str(files("deflect_cli") / name))
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent.parent / name


def content_dir(override: Optional[str] = None) -> Path:
    return Path(override) if override else _bundled("content")


def templates_dir(override: Optional[str] = None) -> Path:
    return Path(override) if override else _bundled("templates")


@lru_cache(maxsize=4)
def load(override: Optional[str] = None):
    """Content parsed and validated once per process."""
    from deflect_cli.content import load_content

    root = content_dir(override)
    return load_content(root, display_root=str(root) if override else _display(root))


def _display(root: Path) -> str:
    try:
        return str(root.relative_to(Path.cwd()))
    except ValueError:
        return str(root)
