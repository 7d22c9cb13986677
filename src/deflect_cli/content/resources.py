"""Where the bundled content and templates live, and the one place content gets loaded.

A wheel carries them as `deflect_cli/data/content` and `deflect_cli/data/templates` (see
pyproject.toml; not `deflect_cli/content`, which is the content layer's code); an editable install or
a source checkout finds them at the repository root. `load()` parses content
once per process and, through deflect_cli.content.cache, once per change across processes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

# Where the questions come from, said the same way everywhere it is said (README's first paragraph,
# `deflect sections`, the welcome screen, the cover of every export): PAARI's own workbook was never
# available, so deflect must never be taken for an official PAARI document.
PROVENANCE = ("Questions are based on the PAARI Promising Practices Guide and published research; "
              "this is not an official PAARI document.")


def _bundled(name: str) -> Path:
    here = Path(__file__).resolve().parent.parent  # the package: this module sits in its content/ layer
    inside = here / "data" / name
    if inside.is_dir():  # an installed wheel (checked first: importlib.resources costs ~5 ms to import)
        return inside
    checkout = here.parent.parent / name
    if checkout.is_dir():  # an editable install or a source checkout
        return checkout
    from importlib.resources import files  # anything else, e.g. a zip import

    return Path(str(files("deflect_cli") / "data" / name))


def content_dir(override: Optional[str] = None) -> Path:
    return Path(override) if override else _bundled("content")


def templates_dir(override: Optional[str] = None) -> Path:
    return Path(override) if override else _bundled("templates")


@lru_cache(maxsize=4)
def load(override: Optional[str] = None, use_cache: bool = True):
    """Content parsed and validated once per process, and reused across processes via the cache.

    `use_cache=False` (what `deflect lint` does) always parses and checks the files; either way a
    successful load refreshes the cache for the next command.
    """
    from deflect_cli.content import cache, conditions
    from deflect_cli.content.model import load_content

    root = content_dir(override)
    display = str(root) if override else _display(root)
    if use_cache:
        hit = cache.load(root, display)
        if hit is not None:
            content, trees = hit
            conditions.remember(trees)
            return content
    content = load_content(root, display_root=display)
    for question in content.questions():  # computed once here, so the cached copy carries them
        getattr(question, "fingerprint", None)
    cache.store(root, display, content, conditions.trees_for(condition_sources(content)))
    return content


def condition_sources(content) -> set:
    """Every `when:` text in the content (the questions' and the checks') and every computed column."""
    return ({q.when for q in content.questions() if q.when} | {c.when for c in content.all_checks() if c.when}
            | {c.computed for q in content.questions() for c in q.columns if c.computed})


def _display(root: Path) -> str:
    try:
        return str(root.relative_to(Path.cwd()))
    except ValueError:
        return str(root)

