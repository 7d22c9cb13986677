"""Merging two copies of one plan edited apart (a shared drive): three ways, row by row, nothing lost.

The other copy is read as if it were a returned packet of every section (packet.Returned, typed
values), so a merge judges, shows and applies answers exactly as `deflect import` does. The base is
the newest earlier version both copies have passed through: a snapshot whose answers appear in the
history of both (each plan's snapshots and the plan itself), or a packet's answers as sent, or a plan
file given with --base. Without one, every difference is a conflict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from deflect_cli.plan.packet import ROW_ID, Packet, Returned, all_codes


def _answers_key(plan) -> str:
    return json.dumps(plan.answers, sort_keys=True, default=str, ensure_ascii=False)


def _history(path: Path, plan) -> list:
    from deflect_cli.plan.store import restorable

    try:
        copies = [c for c in restorable(path) if c.plan is not None]
    except Exception:  # an unreadable snapshot folder: no history, never a crash
        copies = []
    return [plan] + [c.plan for c in copies]


def find_base(path: Path, plan, other_path: Path, other) -> Optional[object]:
    """The newest version in both histories (by its save time), or None."""
    ours = _history(path, plan)
    theirs = {_answers_key(p) for p in _history(other_path, other)}
    shared = [p for p in ours if _answers_key(p) in theirs]
    if not shared:
        return None
    return max(shared, key=lambda p: p.updated or p.created or "")


def as_returned(content, other, base: Optional[dict], source: str) -> Returned:
    """The other copy's answers as a Returned of every section, with `base` as the answers as sent."""
    codes = all_codes(content)
    header = None
    if base is not None:
        header = Packet("merge", "", content.title, content.version, [s.id for s in content.all_sections],
                        codes, base)
    else:
        header = Packet("merge", "", content.title, content.version, [], codes, {})
    returned = Returned(header, source=source, typed=True, merge=True)
    for code, key in codes.items():
        question = content.question(key)
        section_id, question_id = key.split(".", 1)
        value = (other.answers.get(section_id) or {}).get(question_id)
        if value is None:
            continue
        if question.type == "table" and isinstance(value, list):
            returned.tables[code] = [(str(r.get(ROW_ID) or "new"), n, {k: v for k, v in r.items() if k != ROW_ID})
                                     for n, r in enumerate(value, 1) if isinstance(r, dict)]
        else:
            returned.answers[code] = value
    return returned


def base_from_file(path: Path, content) -> dict:
    """--base FILE: a plan file's answers, or a packet's answers as sent."""
    from deflect_cli.errors import DeflectError
    from deflect_cli.plan.store import load_plan

    raw_head = Path(path).read_bytes()[:4096] if Path(path).is_file() else b""
    if b"deflect_plan:" in raw_head:
        return load_plan(Path(path), hint_backup=False).answers
    from deflect_cli.plan import packetread
    returned = packetread.read(Path(path))
    if returned.header is None:
        raise DeflectError(f"{path}: neither a plan nor a packet with its header; it cannot be a base.")
    return returned.header.base
