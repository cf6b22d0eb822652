"""PDF documents rendered from Django templates with WeasyPrint.

Templates extend "pdf/base.html": A4, the school, title and date in the heading of every
page, page numbers in the footer. User text is escaped by the template engine as in HTML.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: it costs half a second to load

    html = render_to_string(template, context)
    # A file base URL: WeasyPrint must never fetch anything over HTTP from our own server.
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    safe = slugify(filename.removesuffix(".pdf")) or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}.pdf"'
    return response
