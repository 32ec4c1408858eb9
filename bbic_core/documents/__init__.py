"""The documents: HTML (Jinja2), PDF (WeasyPrint), Excel and the report archive, all rendered from
`Figure` rows (what `figures.csv` holds) and a `DocumentContext`, never from the database.

They need the `documents` extra; without it the import says which install line is missing, not
just the first module that happened to be absent.
"""

try:
    from bbic_core.documents.document_context import DocumentContext, from_report_context
    from bbic_core.documents.excel import write_excel
    from bbic_core.documents.html import render_html
except ModuleNotFoundError as exc:
    if exc.name is None or exc.name.split(".")[0] == "bbic_core":
        raise
    raise ImportError(
        f"bbic_core.documents needs the documents extra (module {exc.name} is missing): "
        "pip install 'bbic[documents]'",
        name=exc.name,
    ) from exc

__all__ = ["DocumentContext", "from_report_context", "render_html", "write_excel"]
