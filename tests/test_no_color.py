"""NO_COLOR removes colour and nothing else (no-color.org): the real `deflect` in a terminal keeps its
arrow-key prompts and screens. Plain mode comes only from --plain or TERM=dumb."""

from __future__ import annotations

import io
import re

import pytest

from conftest import FIXTURES, clean_env

pexpect = pytest.importorskip("pexpect")

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours(transcript: str) -> set:
    """The colour codes (foreground or background) among the transcript's SGR sequences."""
    found = set()
    for params in SGR.findall(transcript):
        codes = [int(p) for p in params.split(";") if p]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48):  # 38;5;N or 38;2;R;G;B
                found.add(";".join(map(str, codes[i:i + (3 if codes[i + 1:i + 2] == [5] else 5)])))
                i += 3 if codes[i + 1:i + 2] == [5] else 5
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(str(code))
            i += 1
    return found


def test_colours_finds_colour_but_not_bold():
    assert colours("\x1b[0;38;5;67m\x1b[92mx\x1b[0;1m\x1b[2m\x1b[0;7m") == {"38;5;67", "92"}


def first_screens(deflect_bin, tmp_path, **env):
    """Start the mini workbook, answer the first question, stop at the first choice; the transcript."""
    log = io.StringIO()
    child = pexpect.spawn(deflect_bin, ["start", "--content", str(FIXTURES / "mini")], cwd=str(tmp_path),
                          dimensions=(30, 100), encoding="utf-8", timeout=20,
                          env=clean_env(TERM="xterm-256color", COLUMNS="100", LINES="30", **env))
    child.logfile_read = log
    child.expect("Lead agency")
    child.send("Riverton PD\r")
    child.expect(r"\(Use arrow keys\)")  # the arrow-key select: not plain mode's numbered list
    child.expect("Read the guide text first")
    child.sendcontrol("q")
    child.expect(r"Saved \d+ answers? in ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return log.getvalue()


def test_no_color_keeps_the_full_screen_prompts_without_colour(deflect_bin, tmp_path):
    transcript = first_screens(deflect_bin, tmp_path, NO_COLOR="1")
    assert "Type a number" not in transcript  # plain mode's prompt
    assert not colours(transcript), colours(transcript)


def test_without_no_color_the_same_screens_have_colour(deflect_bin, tmp_path):
    """The check above would pass vacuously if deflect never used colour."""
    assert colours(first_screens(deflect_bin, tmp_path))
