"""Transitional: HTML still built from the Markdown (replaced by a native renderer in the next step)."""

from deflect_cli.export import markdown


def render(doc, templates=None):
    from deflect_cli.html_export import markdown_to_html

    return markdown_to_html(markdown.render(doc), doc.meta, templates)


def render_pdf(doc, templates=None):
    from deflect_cli.html_export import html_to_pdf

    return html_to_pdf(render(doc, templates))
