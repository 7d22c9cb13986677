"""The compiled-template cache is read back, not only written (issue 13 item 8): a cache that writes
bytecode but never loads it passes every export test, and costs ~35 ms a run for nothing."""

from __future__ import annotations

import os

import pytest
from jinja2 import DictLoader
from jinja2.sandbox import SandboxedEnvironment

from deflect_cli.content import cache

TEMPLATES = {"page.md.j2": "# {{ title }}\n{% for x in items %}- {{ x }}\n{% endfor %}"}


def _environment():
    """A new environment each time, as a new `deflect export` process would make."""
    env = SandboxedEnvironment(loader=DictLoader(TEMPLATES), trim_blocks=True, keep_trailing_newline=True)
    cache.cache_templates(env)
    compiled = []
    original = env.compile

    def counting(source, *args, **kwargs):
        compiled.append(args[0] if args else kwargs.get("name"))
        return original(source, *args, **kwargs)

    env.compile = counting
    return env, compiled


def test_a_cached_template_is_loaded_not_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFLECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DEFLECT_NO_CACHE", raising=False)
    first, compiled = _environment()
    text = first.get_template("page.md.j2").render(title="T", items=["a", "b"])
    assert compiled == ["page.md.j2"] and list((tmp_path / "cache").glob("templates-*/*.jinja"))

    second, compiled_again = _environment()
    assert second.get_template("page.md.j2").render(title="T", items=["a", "b"]) == text
    assert compiled_again == []  # read back from the cache


@pytest.mark.skipif(os.name != "posix", reason="ownership and modes are checked on POSIX")
def test_a_cache_file_someone_else_can_write_is_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFLECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DEFLECT_NO_CACHE", raising=False)
    first, _ = _environment()
    first.get_template("page.md.j2").render(title="T", items=[])
    for path in (tmp_path / "cache").glob("templates-*/*.jinja"):
        path.chmod(0o666)
    second, compiled = _environment()
    second.get_template("page.md.j2").render(title="T", items=[])
    assert compiled == ["page.md.j2"]
