"""Transitional: Word still built from the Markdown (replaced by a native renderer in a later step)."""

from deflect_cli.export import markdown


def render(doc, templates=None):
    from deflect_cli.docx_export import markdown_to_docx

    return markdown_to_docx(markdown.render(doc), doc.meta, templates)
