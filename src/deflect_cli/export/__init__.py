"""Exports: the plan (or the blank workbook) as a document of typed blocks, rendered by each format.

    model.py     the facts a document states, as plain data (also what an agency's Markdown template gets)
    document.py  the block types, and the plan / blank workbook built from them
    markdown.py, html.py, docx.py   one renderer per format; none imports another
    text.py      what the renderers share: escaping, slugs, text direction, the Jinja environment
    mdparse.py   content-authored Markdown (guide text) turned into blocks, for HTML and Word

The one table from format name to renderer is `deflect_cli.export.render.RENDERERS`.
"""
