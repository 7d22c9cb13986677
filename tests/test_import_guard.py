"""Start-up budget guard (issue #7): what `deflect` imports, checked in fresh processes.

Timing is measured by bench/run.py, not here; these tests pin the cause instead. A module on these
lists costs tens of milliseconds to import (questionary and prompt_toolkit about 150 ms, jinja2
about 75, rich about 70 for its console, PyYAML about 25) and belongs inside the command that needs
it, per the team rule "only typer at module import in cli.py".
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from deflect_cli.content import cache, resources

from conftest import clean_env

# Never at `import deflect_cli.cli` (which is all that `deflect --help` needs).
HEAVY = ("questionary", "prompt_toolkit", "jinja2", "rich", "docx", "markdown_it", "weasyprint",
         "filelock", "yaml", "pydantic", "platformdirs")
# Never while reading a plan: `status` and `export --format md` with warm caches.
NOT_FOR_READING = ("questionary", "prompt_toolkit", "rich", "docx", "markdown_it", "weasyprint", "yaml")

PROBE = """
import json, sys
args, out = sys.argv[1:-1], sys.argv[-1]
try:
    if args:
        sys.argv = ["deflect", *args]
        from deflect_cli.cli import app
        app()
    else:
        import deflect_cli.cli
except SystemExit as exc:
    if exc.code:
        raise
finally:
    with open(out, "w") as handle:
        json.dump(sorted(sys.modules), handle)
"""


def imported(tmp_path, *args, env=None) -> set:
    out = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, *args, str(out)], cwd=tmp_path,
                            env=env or clean_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in json.loads(out.read_text())}


def test_importing_the_cli_imports_nothing_heavy(tmp_path):
    found = imported(tmp_path)
    assert "typer" in found  # the probe really imported the CLI
    assert not found & set(HEAVY), sorted(found & set(HEAVY))


def test_help_imports_nothing_heavy(tmp_path):
    found = imported(tmp_path, "--help")
    assert not found & set(HEAVY), sorted(found & set(HEAVY))


def _wait_until_cacheable() -> None:
    """The content cache skips files changed in the last SETTLE_SECONDS (see deflect_cli.content.cache)."""
    root = resources.content_dir()
    newest = max(p.stat().st_ctime for p in [*cache._content_files(root), *cache._code_files()] if p.exists())
    wait = newest + cache.SETTLE_SECONDS + 0.2 - time.time()
    if wait > 0:
        time.sleep(wait)


def _warm_and_probe(tmp_path, env, *args) -> set:
    """Fill the caches as a user's earlier runs would, then list what `deflect ARGS` imports.

    Tried twice: a source file edited between the warm-up and the probe (a developer at work in the
    same checkout) legitimately empties the content cache once; a real regression fails both times."""
    found: set = set()
    for _ in range(2):
        _wait_until_cacheable()
        for warm in (["status"], ["export", "--format", "md", "-o", "out.md"]):
            subprocess.run([sys.executable, "-m", "deflect_cli", *warm], cwd=tmp_path, env=env, capture_output=True)
        found = imported(tmp_path, *args, env=env)
        if not found & set(NOT_FOR_READING + ("jinja2",)):
            break
    return found


def test_reading_a_plan_stays_on_the_fast_path(tmp_path):
    env = clean_env(DEFLECT_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([sys.executable, "-m", "deflect_cli", "start", "--no-input"], cwd=tmp_path, env=env,
                   capture_output=True)
    status = _warm_and_probe(tmp_path, env, "status")
    assert list((tmp_path / "cache").glob("content-*.pickle")), "the content cache was not written"
    assert "deflect_cli" in status
    assert not status & set(NOT_FOR_READING + ("jinja2",)), sorted(status & set(NOT_FOR_READING + ("jinja2",)))
    # A few milliseconds each that reading a plan deflect saved never needs: hashlib (row ids for rows
    # written without one), pickle.py (the content cache uses the C unpickler). The probe itself
    # imports json, so that reconcile's full walk alone needs json is not checked here.
    assert not status & {"hashlib", "pickle"}, sorted(status & {"hashlib", "pickle"})
    export = _warm_and_probe(tmp_path, env, "export", "--format", "md", "-o", "out.md")
    # The Markdown is written straight from the document's blocks: not even Jinja is needed (issue 13.3).
    assert "deflect_cli" in export
    assert not export & set(NOT_FOR_READING + ("jinja2",)), sorted(export & set(NOT_FOR_READING + ("jinja2",)))
    assert Path(tmp_path / "out.md").read_text(encoding="utf-8").startswith("#")


def test_markdown_export_imports_no_drawing_word_or_spreadsheet_code(tmp_path):
    """Issue 11: the funder outline's Markdown (with --mermaid) loads neither the SVG drawers, the
    HTML renderer, python-docx nor openpyxl: each lives with the one format that needs it."""
    fixtures = Path(__file__).parent / "fixtures"
    out = tmp_path / "modules.json"
    args = ["export", "--plan", str(fixtures / "wb2-plan.yaml"), "--content", str(fixtures / "wb2-mini"),
            "--outline", "funder", "--mermaid", "--format", "md", "-o", str(tmp_path / "out.md")]
    result = subprocess.run([sys.executable, "-c", PROBE, *args, str(out)], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(out.read_text()))
    assert "deflect_cli.export.chapters" in modules  # the probe really built the new chapters
    for name in ("deflect_cli.export.svg", "deflect_cli.export.html", "deflect_cli.export.docx",
                 "deflect_cli.export.xlsx", "docx", "openpyxl", "weasyprint", "markdown_it"):
        assert name not in modules, name
def test_paperwork_listing_stays_on_the_fast_path(tmp_path):
    """`deflect paperwork` lists drafts from the blocks' facts: no Jinja, Word, Markdown parser or WeasyPrint."""
    env = clean_env(DEFLECT_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([sys.executable, "-m", "deflect_cli", "start", "--no-input"], cwd=tmp_path, env=env,
                   capture_output=True)
    found = _warm_and_probe(tmp_path, env, "paperwork")
    assert "deflect_cli" in found
    assert not found & set(NOT_FOR_READING + ("jinja2",)), sorted(found & set(NOT_FOR_READING + ("jinja2",)))


def _modules(tmp_path, *args) -> set:
    out = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, *args, str(out)], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(out.read_text()))


TEAM = {"deflect_cli.plan.packet", "deflect_cli.plan.packetread", "deflect_cli.plan.diff", "deflect_cli.export.packet"}


def test_packets_import_and_diff_load_nothing_for_other_commands(tmp_path):
    subprocess.run([sys.executable, "-m", "deflect_cli", "start", "--no-input"], cwd=tmp_path, env=clean_env(),
                   capture_output=True)
    for args in ([], ["--help"], ["status"]):
        found = _modules(tmp_path, *args)
        assert not found & TEAM, (args, sorted(found & TEAM))
    diff = _modules(tmp_path, "diff", "deflection-plan.yaml", "deflection-plan.yaml")
    assert "deflect_cli.plan.diff" in diff and not diff & (TEAM - {"deflect_cli.plan.diff"})
    assert not {m.split(".")[0] for m in diff} & {"docx", "rich", "questionary", "prompt_toolkit", "jinja2"}
    packet_md = _modules(tmp_path, "packet", "-s", "8", "--to", "X", "-o", "p.md")
    assert "deflect_cli.export.packet" in packet_md and "docx" not in {m.split(".")[0] for m in packet_md}
