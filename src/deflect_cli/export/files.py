"""Where an export goes: the file each command writes by default, and the outputs refused before
anything is written (the plan itself, a packet suffix deflect does not write). Shared by export,
paperwork and packet; which formats are binary is render.py's to say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from deflect_cli.errors import DeflectError

PACKET_FORMATS = ("docx", "md", "yaml")
_PACKET_SUFFIXES = {".docx": "docx", ".md": "md", ".markdown": "md", ".yaml": "yaml", ".yml": "yaml"}


def refuse_over_plan(output: Optional[str], plan_path: Path) -> None:
    """`-o` naming the plan file itself, refused first ("that is your plan" before "not a format":
    `-o plan.yaml` is both)."""
    from deflect_cli.plan.store import refuse_export_over_plan

    if output and output != "-":
        refuse_export_over_plan(Path(output), plan_path)


def target(output: Optional[str], plan_path: Path, default_name: str) -> Optional[Path]:
    """The file to write: `-o` as given, else `default_name` beside the plan; None for standard
    output (`-o -`). Never the plan file itself."""
    from deflect_cli.plan.store import refuse_export_over_plan

    if output == "-":
        return None
    found = Path(output) if output else plan_path.with_name(default_name)
    refuse_export_over_plan(found, plan_path)
    return found


def export_name(plan_path: Path, fmt: str, blank: bool) -> str:
    """The plan's name with the format's suffix (deflection-plan.docx); the blank workbook's own name."""
    return f"deflection-workbook.{fmt}" if blank else plan_path.with_suffix(f".{fmt}").name


def packet_format(fmt: Optional[str], output: Optional[str]) -> str:
    """A packet's format: as given, else from the output's suffix, else Word."""
    if fmt is None and output:
        fmt = _PACKET_SUFFIXES.get(Path(output).suffix.lower())
        if fmt is None:
            raise DeflectError(f"{output}: unknown packet suffix; use .docx, .md or .yaml (or --format).")
    fmt = fmt or "docx"
    if fmt not in PACKET_FORMATS:
        raise DeflectError(f"unknown packet format {fmt!r}; use docx, md or yaml.")
    return fmt


def packet_name(recipient: str, fmt: str) -> str:
    """packet-lane-health.docx: named after who fills it in."""
    from deflect_cli.export.text import slug

    return f"packet-{slug(recipient)}.{fmt}"

