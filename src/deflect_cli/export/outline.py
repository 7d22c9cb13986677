"""Outlines as data: which headings a plan document has, in which order, and what goes under each.

An outline is a small YAML file (templates/outlines/NAME.yaml, or any file given to --outline):

    title: Grant application          # what the outline is for (shown nowhere but errors)
    note: Check the current solicitation ...   # optional: printed under the contents
    chapters:
      - heading: Statement of the problem
        parts: [section:community_needs, references]
        words: 1000                   # optional limits; the export says when a chapter runs over
      - sections: true                # one numbered chapter per workbook section (the plan order)

A part is one of PARTS below, `section:ID` (a workbook section's answers) or `question:SECTION.ID`.
`optional: true` leaves a chapter out when nothing is under it. The default outline `plan` is
today's order; it is built in (no file is read for it), and templates/outlines/plan.yaml spells out
the same order for anyone writing their own. Problems are one line each: FILE:LINE: what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from deflect_cli.errors import DeflectError

PARTS = {
    "summary": "the executive summary",
    "goals": "goals and objectives",
    "logic_model": "the logic model (figure and table)",
    "timeline": "activities and milestones on a month or quarter grid",
    "pathway": "the referral pathway (figure and numbered steps)",
    "budget": "budget lines by category and year, with totals and federal / non-federal share",
    "budget_narrative": "the budget narrative, from each line's justification",
    "roles": "who leads and supports each activity",
    "staffing": "the staffing table",
    "measures": "performance measures with baselines and targets",
    "agreements": "MOUs and letters of support, with status",
    "references": "the applicant's own references",
    "checks": "things to double-check",
    "still_to_decide": "questions still open (left out of a final document)",
    "guide_sources": "the guide's sources (with --include-guide; otherwise an About this document note)",
    "about": "About this document: how it was made and what the guide drew on",
    "rest": "the answers of every section no other part of the outline placed",
}
_KEYS = ("heading", "parts", "words", "characters", "optional", "sections", "intro")
_SECTION_ID = re.compile(r"^section:[a-z][a-z0-9_]*$")
_QUESTION_ID = re.compile(r"^question:[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass
class Chapter:
    heading: str = ""
    parts: list = field(default_factory=list)
    words: int = 0
    characters: int = 0
    optional: bool = False
    sections: bool = False   # one chapter per workbook section, numbered
    intro: str = ""


@dataclass
class Outline:
    name: str
    title: str
    chapters: list
    note: str = ""


# The built-in default: today's order, read from no file (so `export --format md` parses no YAML).
PLAN = Outline("plan", "Plan", [
    Chapter("Executive summary", ["summary"]),
    Chapter(sections=True),
    Chapter("Things to double-check", ["checks"], optional=True),
    Chapter("Still to decide", ["still_to_decide"]),
    Chapter("References", ["references"], optional=True),
    Chapter("Sources", ["guide_sources"], optional=True),
    Chapter("About this document", ["about"]),
])


def bundled() -> dict:
    """name -> path of the outlines that ship with deflect."""
    from deflect_cli.content import resources
    folder = resources.templates_dir() / "outlines"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def find(name_or_file: str | None) -> Outline:
    """`plan` (or nothing) is the built-in order; another bare name is a bundled outline; else a file."""
    if not name_or_file or name_or_file == "plan":
        return PLAN
    known = bundled()
    if _NAME.match(name_or_file) and name_or_file in known:
        return load(known[name_or_file])
    path = Path(name_or_file)
    if not path.suffix and not path.exists():
        names = ", ".join(["plan", *[n for n in known if n != "plan"]])
        raise DeflectError(f"no outline named {name_or_file!r}; bundled outlines: {names}, "
                           "or give a YAML file.")
    return load(path)


_MAX_BYTES = 256 * 1024  # an outline is a page of headings


def load(path: Path) -> Outline:
    from deflect_cli import yamlio
    from deflect_cli.safeio import read_file

    shown = str(path)
    # safeio checks type and size on the open file: no symlink, FIFO or huge file is read
    text = read_file(path, _MAX_BYTES, "outline file", DeflectError, follow=False, say={
        "problem": "not a regular outline file: it {problem}.", "not_text": "not UTF-8 text.",
        "error": "cannot read: {reason}."})
    try:
        data = yamlio.parse(text, max_bytes=_MAX_BYTES)
    except yamlio.YAMLProblem as problem:
        raise DeflectError(f"{shown}:{problem.line or 1}: {problem.message}.") from None
    return parse(data, shown, path.stem)


def _fail(file: str, node, key, message: str):
    line = 0
    if key is not None:
        line = getattr(node, "key_lines", {}).get(key, 0)
    line = line or getattr(node, "line", 0) or 1
    raise DeflectError(f"{file}:{line}: {message}")


def parse(data, file: str, name: str) -> Outline:
    """Check an outline's data and build it; the first problem is one line naming file and line."""
    if not isinstance(data, dict):
        _fail(file, data, None, "an outline is a mapping with a `chapters` list.")
    for key in data:
        if key not in ("title", "note", "chapters"):
            _fail(file, data, key, f"unknown field {key!r}; an outline has title, note and chapters.")
    for key in ("title", "note"):
        if key in data and not isinstance(data[key], str):
            _fail(file, data, key, f"{key} must be text.")
    chapters_data = data.get("chapters")
    if not isinstance(chapters_data, list) or not chapters_data:
        _fail(file, data, "chapters" if "chapters" in data else None, "`chapters` must be a list of at least one "
                                                                      "chapter.")
    chapters = [_chapter(node, chapters_data, file) for node in chapters_data]
    return Outline(name, str(data.get("title") or name), chapters, str(data.get("note") or "").strip())


def _chapter(node, chapters_data: list, file: str) -> Chapter:
    if not isinstance(node, dict):
        _fail(file, chapters_data, None, "each chapter is a mapping (heading, parts, ...).")
    for key in node:
        if key not in _KEYS:
            _fail(file, node, key, f"unknown chapter field {key!r}; use {', '.join(_KEYS)}.")
    if node.get("sections") is not None:
        if node["sections"] is not True or set(node) - {"sections"}:
            _fail(file, node, "sections", "`sections: true` stands alone: it makes one chapter per workbook "
                                          "section.")
        return Chapter(sections=True)
    heading = node.get("heading")
    if not isinstance(heading, str) or not heading.strip():
        _fail(file, node, "heading", "a chapter needs a `heading` (text).")
    chapter = Chapter(" ".join(heading.split()))
    chapter.parts = _parts(node, chapter.heading, file)
    for key in ("words", "characters"):
        value = node.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            _fail(file, node, key, f"{key} must be a whole number above 0.")
        setattr(chapter, key, value or 0)
    optional = node.get("optional", False)
    if not isinstance(optional, bool):
        _fail(file, node, "optional", "optional is true or false.")
    chapter.optional = optional
    intro = node.get("intro", "")
    if not isinstance(intro, str):
        _fail(file, node, "intro", "intro must be text.")
    chapter.intro = intro.strip()
    return chapter


def _parts(node: dict, heading: str, file: str) -> list:
    parts = node.get("parts", [])
    if not isinstance(parts, list) or not parts:
        _fail(file, node, "parts" if "parts" in node else None, f"chapter {heading!r}: `parts` must be a list.")
    for part in parts:
        if not isinstance(part, str) or not (part in PARTS or _SECTION_ID.match(part) or _QUESTION_ID.match(part)):
            _fail(file, parts, None, f"chapter {heading!r}: unknown part {part!r}; use one of "
                                     f"{', '.join(PARTS)}, section:ID or question:SECTION.ID.")
    return list(parts)
