"""What every format shares: heading slugs, text direction, and the Jinja environment.

Its own module so that no format module imports another (issue 13, item 2). Markdown escaping
lives lower, in deflect_cli/mdtext.py, because the plan layer's diff report needs it too.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Optional

from deflect_cli.errors import DeflectError
from deflect_cli.mdtext import md_cell, md_heading, md_text, md_url


def slug(value) -> str:
    """The anchor a heading gets in HTML and Word (GitHub's rule, limited to ASCII)."""
    text = re.sub(r"[^a-z0-9 _-]", "", str(value).lower().strip())
    return re.sub(r" ", "-", text) or "section"


def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Hebrew, Arabic...): the text's direction."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


# ---------------------------------------------------------------- templates


def _loader(folder: str):
    """A FileSystemLoader whose unreadable template (not UTF-8) is one line naming the file."""
    from jinja2 import FileSystemLoader

    class Loader(FileSystemLoader):
        def get_source(self, environment, template):
            try:
                return super().get_source(environment, template)
            except UnicodeDecodeError:
                raise DeflectError(f"{Path(folder) / template}: template is not UTF-8 text.") from None

    return Loader(folder)


def custom_template(templates: Optional[str], name: str) -> Optional[Path]:
    """The agency's own template `name` in --templates DIR, if it has one."""
    if not templates:
        return None
    from deflect_cli.content import resources
    candidate = resources.templates_dir(templates) / name
    return candidate if candidate.is_file() else None


def environment(templates: Optional[str] = None, autoescape: bool = False):
    """A sandboxed Jinja environment over the bundled templates, with an agency's folder in front.

    A template missing from `--templates DIR` falls back to the bundled one, so an agency can
    replace just the stylesheet or just the page shell. HTML templates get autoescaping; Markdown
    templates escape with the md filters instead.
    """
    from jinja2 import ChoiceLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from deflect_cli.content import cache, resources
    bundled = resources.templates_dir()
    loaders = [_loader(str(bundled))]
    if templates:
        folder = resources.templates_dir(templates)
        if not folder.is_dir():
            raise DeflectError(f"{folder}: templates folder not found.")
        loaders.insert(0, _loader(str(folder)))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = md_text
    env.filters["md_cell"] = md_cell
    env.filters["md_heading"] = md_heading
    env.filters["md_url"] = md_url
    env.filters["slug"] = slug
    cache.cache_templates(env)  # compiled templates kept across runs (start-up time, issue #7)
    return env


def render_named(env, name: str, **variables) -> str:
    """Render one template; a broken agency template is one clear line, not a traceback."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    try:
        template = env.get_template(name)
    except TemplateNotFound:
        raise DeflectError(f"{name}: template not found.") from None
    except TemplateSyntaxError as exc:
        raise DeflectError(f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}") from None
    try:
        return template.render(**variables)
    except TemplateError as exc:
        raise DeflectError(f"{template.filename or name}: template error: {exc}") from None
    except RecursionError:  # a macro or include that calls itself
        raise DeflectError(f"{template.filename or name}: template error: a macro or include calls itself "
                           "without end.") from None
