"""Plan format upgrades, as ordered steps: format N -> N+1, one function each (like llm's migrations).

A plan is read in whatever format it was written in, brought up to the current format here, step by
step, before its fields are checked; it is written back in the current format at its next save. Each
step is pure (a mapping in, a mapping out), never drops a value, and has its own test
(tests/test_upgrades.py). To change the format: add a step for the new number, bump
model.SCHEMA_VERSION, and add the new field to model._FIELDS and its check to model._FIELD_RULES.

Format 1: answers, skipped, position.
Format 2: + fingerprints (the shape of each question when answered) and orphaned (set-aside answers).
Format 3: + drafts (typed but unsubmitted text), stable row ids (`_id`) on every table row, attribution
          (who gave each answer and when), settings (the plan's remembered contributor name and
          whether exports show attribution) and depth (`core` or `full`: the core path or the whole
          workbook; older plans are full).
"""

from __future__ import annotations

ROW_ID = "_id"


def _v1_to_v2(data: dict) -> dict:
    data.setdefault("fingerprints", {})
    data.setdefault("orphaned", [])
    return data


def _v2_to_v3(data: dict) -> dict:
    answers = data.get("answers")
    if isinstance(answers, dict):
        for section_id, values in answers.items():
            if isinstance(values, dict):
                for question_id, value in values.items():
                    add_row_ids(f"{section_id}.{question_id}", value)
    data.setdefault("drafts", {})
    data.setdefault("attribution", {})
    data.setdefault("settings", {})
    data.setdefault("depth", "full")
    return data


STEPS = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(data: dict, target: int) -> dict:
    """`data` (a parsed plan of any known format up to `target`) in format `target`."""
    version = data.get("deflect_plan")
    while isinstance(version, int) and not isinstance(version, bool) and version < target:
        data = STEPS[version](data)
        version += 1
        data["deflect_plan"] = version
    return data


def new_row_id(taken=()) -> str:
    """`r-7f3a1c`: a new row's id, random so that two copies of a plan never give two rows one id."""
    import os

    while True:
        candidate = "r-" + os.urandom(3).hex()
        if candidate not in taken:
            return candidate


def row_id_for(key: str, number: int, row: dict) -> str:
    """A row id for a row that has none: derived from the question, the row's place and its cells, so
    reading the same file twice (a packet made, then its reply imported) gives the same ids."""
    import hashlib  # not at import: only rows written without an id need them, and plans deflect saved have none
    import json

    seed = json.dumps([key, number, {k: v for k, v in row.items() if k != ROW_ID}], sort_keys=True,
                      default=str, ensure_ascii=False)
    return "r-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:6]


def add_row_ids(key: str, value) -> bool:
    """Give each row of a table answer (a list of mappings) that lacks one a row id; a duplicate id
    gets a new one. Returns whether anything changed."""
    if not isinstance(value, list) or not any(isinstance(r, dict) for r in value):
        return False
    changed = False
    seen: set = set()
    for number, row in enumerate(value, 1):
        if not isinstance(row, dict):
            continue
        rid = row.get(ROW_ID)
        if not isinstance(rid, str) or not rid or rid in seen:
            rid = row_id_for(key, number, row)
            while rid in seen:
                rid = row_id_for(key + "+", number, dict(row, **{ROW_ID: rid}))
            rest = {k: v for k, v in row.items() if k != ROW_ID}
            row.clear()
            row[ROW_ID] = rid  # first, so it reads as the row's name in the plan file
            row.update(rest)
            changed = True
        seen.add(rid)
    return changed
