"""`pattern:` shapes that backtrack for ever are lint errors; what lint accepts checks any answer fast.

`(a+)+$` against 41 characters that almost match never finished, and nothing interrupts `re`.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys

import pytest

from deflect_cli.content import patterns

from conftest import FIXTURES

REFUSED = [
    r"(a+)+$", r"(a*)*b", r"(a|ab)+$", r"(?:x|xy)*z", r"(\d{1,3})+$", r"(a|b?)*c", r"^(\w+\s?)*$",
    r"([a-z]+)*$", r"(.*a){20}", r"(\d\d|1\d)+$", r"(?:(?:a+)b?)+$", r"\d*\d*\d*x", r".*.*.*=",
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
]
ACCEPTED = [
    r"^\d{5}(-\d{4})?$", r"\d{3}-\d{3}-\d{4}", r"^[A-Z]{2}\d+$", r"(ab)+", r"(?:cat|dog)+", r"^\s*\w+\s*$",
    r"[^@\s]+@[^@\s]+\.[^@\s]+", r"^\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}$", r"^[0-9]+(\.[0-9]{1,2})?$", r".*foo.*",
    r"\d+-\d+-\d+", r"(\d{1,3}\.){3}\d{1,3}", r"(\w|\d)+$", r"[A-Z]{3}-[0-9]{3}", r"\d*\d*x",
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_backtracking_shapes_are_refused(pattern):
    assert "can take forever to check an answer" in patterns.problem(pattern)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_ordinary_patterns_are_accepted(pattern):
    assert patterns.problem(pattern) is None


def test_an_invalid_pattern_says_so():
    assert patterns.problem("[").startswith("is not a valid regular expression")


_MATCH_ALL = """
import json, re, sys
patterns, inputs = json.loads(sys.argv[1])
for pattern in patterns:
    for text in inputs:
        re.fullmatch(pattern, text)
print("done")
"""


def test_accepted_patterns_check_the_longest_answer_quickly():
    """Every accepted pattern against answers of the longest length allowed, built to almost match,
    in a child process with a timeout (the refused `(a+)+$` alone would never finish)."""
    length = patterns.MAX_INPUT
    inputs = [c * (length - 1) + "!" for c in "1a .-@xA"]
    inputs += [(pair * length)[: length - 1] + "!" for pair in ("1-", "ab", "a@", "1.", "ca", "1 ")]
    result = subprocess.run([sys.executable, "-c", _MATCH_ALL, json.dumps([ACCEPTED, inputs])],
                            capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)))
    assert result.stdout.strip() == "done", result.stderr


def test_a_catastrophic_pattern_is_a_lint_error_with_file_and_line(cli, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    path = content / "sections" / "03-launch.yaml"
    path.write_text(path.read_text().replace("    help: A name.\n    type: text\n",
                                             "    help: A name.\n    type: text\n    pattern: '(a+)+$'\n"))
    code, _, err = cli("lint", "--content", str(content))
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == (f"{path}:19: question launch.owner: 'pattern' can take forever to check an answer "
                                   "(a repeat over something of varying length, like (a+)+ or (a|ab)+); "
                                   "rewrite it without that shape")


def test_an_answer_longer_than_the_cap_is_not_matched():
    from deflect_cli.content.answers import validate
    from deflect_cli.content.model import Column

    rule = Column(id="code", label="Code", type="text", pattern=r"[a-z ]+", pattern_help="letters")
    assert validate(rule, "a" * patterns.MAX_INPUT) == ("a" * patterns.MAX_INPUT, None)
    value, error = validate(rule, "a" * (patterns.MAX_INPUT + 1))
    assert error == f"must be at most {patterns.MAX_INPUT:,} characters"
