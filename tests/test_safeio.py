"""safeio.read_file: the one place a bounded read's failures become one line, for any kind of file.

Plans, answers files and outlines each say their failures in their own words (their tests check
those words); these tests pin the helper they share: which failure is which, the default wording for
a noun, and how a caller replaces a kind's wording.
"""

from __future__ import annotations

import os

import pytest

from deflect_cli.errors import DeflectError
from deflect_cli.safeio import read_file


def _said(path, **options) -> str:
    with pytest.raises(DeflectError) as failure:
        read_file(path, 16, "answers file", DeflectError, **options)
    return str(failure.value)


def test_each_failure_is_one_line_naming_the_file_and_its_noun(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "big.yaml").write_text("x" * 17)
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "binary.yaml")
    assert _said(tmp_path / "gone.yaml") == f"{tmp_path / 'gone.yaml'}: answers file not found."
    assert _said(tmp_path / "folder") == f"{tmp_path / 'folder'}: cannot read the answers file: it is a folder, " \
                                         "not a regular file."
    assert _said(tmp_path / "pipe") == f"{tmp_path / 'pipe'}: cannot read the answers file: it is a named pipe " \
                                       "(FIFO), not a regular file."
    assert _said(tmp_path / "big.yaml") == f"{tmp_path / 'big.yaml'}: cannot read the answers file: it is larger " \
                                           "than 16 bytes."
    assert _said(tmp_path / "binary.yaml") == f"{tmp_path / 'binary.yaml'}: cannot read the answers file: it is " \
                                              "not UTF-8 text."
    assert _said(tmp_path / "link.yaml", follow=False) == f"{tmp_path / 'link.yaml'}: cannot read the answers " \
                                                          "file: it is a symbolic link; deflect does not follow " \
                                                          "links here."


def test_a_caller_rewords_a_kind_and_a_function_is_called_only_on_failure(tmp_path):
    calls = []
    say = {"too_large": lambda: calls.append("asked") or "far too big.", "missing": "no {noun} at all."}
    (tmp_path / "ok.yaml").write_bytes(b"a: 1\r\nb: 2\r")
    assert read_file(tmp_path / "ok.yaml", 16, "answers file", DeflectError, say=say) == "a: 1\nb: 2\n"
    assert read_file(tmp_path / "ok.yaml", 16, "plan", DeflectError, text=False) == b"a: 1\r\nb: 2\r"
    assert calls == []
    (tmp_path / "big.yaml").write_text("x" * 17)
    assert _said(tmp_path / "big.yaml", say=say) == f"{tmp_path / 'big.yaml'}: far too big."
    assert calls == ["asked"]
    assert _said(tmp_path / "gone.yaml", say=say) == f"{tmp_path / 'gone.yaml'}: no answers file at all."
    # a kind a caller does not reword says what the kind it falls under says
    assert _said(tmp_path / "big.yaml", say={"problem": "odd: {problem}."}) == \
        f"{tmp_path / 'big.yaml'}: odd: is larger than 16 bytes."
