"""A section's reading matter (guide, examples, recommendations, sources) as one Markdown text.

Shared by the wizard's "read the guide" screen, `deflect guide` and exports that include the guide.
"""

from __future__ import annotations

import os


def section_markdown(section) -> str:
    parts = [f"# {section.heading()}"]
    if section.summary:
        parts.append(section.summary)
    if section.objectives:
        parts.append("**After this section you will be able to:**\n\n"
                     + "\n".join(f"- {o}" for o in section.objectives))
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
        from deflect_cli.content.model import reference

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


# less's prompt says how to get back (people new to a pager get stuck in it); `$` ends it in $LESS.
_PROMPT = "-Ps q to return to deflect, space for more, b to go back$"


def page(console, markdown: str) -> None:
    """Show Markdown through the pager on a terminal (colors kept) when it is longer than the
    screen; print it straight when it fits, or when the output is not a terminal."""
    from rich.markdown import Markdown

    if not console.is_terminal:
        console.print(Markdown(markdown))
        return
    with console.capture() as capture:
        console.print(Markdown(markdown))
    text = capture.get()
    if text.count("\n") < console.height - 1:
        console.file.write(text)
        console.file.flush()
        return
    # `less` shows color codes as raw "ESC[" text unless told -R; keep the user's other options.
    before = os.environ.get("LESS")
    options = before or ""
    if "R" not in options.replace("-", "").upper():
        options = f"{options} -R"
    os.environ["LESS"] = f"{options.strip()} {_PROMPT}"
    try:
        with console.pager(styles=True):
            console.print(Markdown(markdown))
    finally:
        if before is None:
            os.environ.pop("LESS", None)
        else:
            os.environ["LESS"] = before
