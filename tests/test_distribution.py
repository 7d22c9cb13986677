"""Installing deflect: the distribution's name, and every install hint a person might copy.

The short name `deflect` belongs to an unrelated project on the public package index, so a hint
such as `pip install 'deflect[pdf]'` would fetch someone else's code. This distribution is not
published, so a hint may only point at the source checkout (`pip install '.[pdf]'`) or name this
distribution exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TAKEN = {"deflect"}  # names other projects hold on the public package index
# Where a person (or a message) could find an install command.
SCANNED = ("README.md", "pyproject.toml", ".ci", "docs", "src", "templates", "content", "tests", "bench")
INSTALL = re.compile(r"\bpipx?\s+install\b([^`\n;&|)#]*)")


def _distribution() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1]
    return re.search(r'^name\s*=\s*"([^"]+)"', project, re.M).group(1)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _files():
    for entry in SCANNED:
        path = ROOT / entry
        if path.is_file():
            yield path
        elif path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and found.suffix in (".py", ".md", ".j2", ".yaml", ".toml", ".txt", ".css", "") \
                        and found.resolve() != Path(__file__).resolve():
                    yield found


def install_hints(text: str):
    """What each install command in `text` installs: its first argument that is not an option."""
    for match in INSTALL.finditer(text):
        for token in match.group(1).split():
            token = token.strip("'\"")
            if token and not token.startswith("-"):
                yield token
                break


def _acceptable(target: str, distribution: str) -> bool:
    if target.startswith(".") or target.startswith("/"):  # the checkout: `.`, `'.[pdf]'`, ./path
        return True
    name = _normal(target.split("[", 1)[0])
    return name == _normal(distribution) and name not in TAKEN


def test_distribution_name_is_not_one_another_project_holds():
    assert _normal(_distribution()) not in TAKEN


@pytest.mark.parametrize("text, hints", [
    ("run `pip install 'deflect[pdf]'`, or", ["deflect[pdf]"]),
    ("pip install '.[test]' && pytest", [".[test]"]),
    ("pipx install . # once", ["."]),
    ("pip install -q -e '.[test]'", [".[test]"]),
    ("needs: pip install '.[pdf]' (WeasyPrint); or", [".[pdf]"]),
    ("`pip install deflect-planner`; `pip install deflect`", ["deflect-planner", "deflect"]),
])
def test_hints_are_found(text, hints):
    assert list(install_hints(text)) == hints


def test_every_install_hint_points_at_the_checkout_or_this_distribution():
    distribution = _distribution()
    wrong = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for target in install_hints(text):
            if not _acceptable(target, distribution):
                wrong.append(f"{path.relative_to(ROOT)}: pip install {target}")
    assert not wrong, "install hints naming another package:\n" + "\n".join(wrong)


def test_pdf_hint_names_the_checkout():
    from deflect_cli.export.html import PDF_HINT

    assert list(install_hints(PDF_HINT)) == [".[pdf]"]


def test_ci_runs_the_readme_test_line_verbatim():
    if not (ROOT / ".ci" / "run").exists():
        pytest.skip("not a git checkout (an sdist has no .ci)")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the tests", 1)[1]
    line = section.split("```sh\n", 1)[1].split("\n", 1)[0]
    ci = [s for s in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if s and not s.startswith(("#", "set ", "cd "))]
    assert ci == [line]
