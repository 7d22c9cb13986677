"""A section's reading matter (guide, examples, recommendations, sources) as one Markdown text.

Shared by the wizard's "read the guide" screen, `deflect guide` and exports that include the guide.
"""

from __future__ import annotations

import os


def section_markdown(section) -> str:
    parts = [f"# {section.number}. {section.title}" if section.number else f"# {section.title}"]
    if section.summary:
        parts.append(section.summary)
    if section.objectives:
        parts.append("**After this section you will be able to:**\n\n" + "\n".join(f"- {o}" for o in section.objectives))
    if section.guide:
        parts.append(section.guide)
    if section.practices:
        parts.append("## Promising practices")
        for p in section.practices:
            where = ", ".join(x for x in (p.get("place"), p.get("model")) if x)
            lines = [f"### {p['program']}" + (f" ({where})" if where else "")]
            if p.get("what"):
                lines.append(p["what"])
            if p.get("results"):
                lines.append(f"**Results:** {p['results']}")
            if p.get("source"):
                lines.append(f"Source: <{p['source']}>")
            parts.append("\n\n".join(lines))
    if section.recommendations:
        parts.append("## Recommendations\n\n" + "\n".join(f"- {r}" for r in section.recommendations))
    if section.sources:
        from deflect_cli.content import reference

        parts.append("## Sources\n\n" + "\n".join(
            f"- {reference(s)}" + (f" <{s['url']}>" if s.get("url") else "") for s in section.sources))
    if section.basis:
        parts.append(f"*About this section: {section.basis}*")
    return "\n\n".join(parts) + "\n"


def glossary_markdown(content) -> str:
    lines = ["# Glossary", ""]
    for item in sorted(content.glossary, key=lambda t: t["term"].lower()):
        lines.append(f"**{item['term']}**: {item['definition']}\n")
    return "\n".join(lines)


def page(console, markdown: str) -> None:
    """Show Markdown through the pager on a terminal (colors kept), or print it straight."""
    from rich.markdown import Markdown

    if not console.is_terminal:
        console.print(Markdown(markdown))
        return
    # `less` shows color codes as raw "ESC[" text unless told -R; keep the user's other options.
    options = os.environ.get("LESS", "")
    if "R" not in options.replace("-", "").upper():
        os.environ["LESS"] = f"{options} -R".strip()
    with console.pager(styles=True):
        console.print(Markdown(markdown))
