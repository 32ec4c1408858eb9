"""The documents: HTML (Jinja2), PDF (WeasyPrint), Excel and the report archive, all rendered from
`Figure` rows (what `figures.csv` holds) and a `DocumentContext`, never from the database.
"""

from bbic_core.documents.document_context import DocumentContext, from_report_context
from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import render_html

__all__ = ["DocumentContext", "from_report_context", "render_html", "write_excel"]
