"""PDF documents.

Typst (`render_typst`) for the lists OCS prints: templates under templates/pdf/*.typ share
the look of templates/pdf/ocs.typ (A4, the school and the title as running heads, "Pagina X
van Y", table headers repeated on every page). The data goes in as JSON through Typst's
`sys.inputs`, never spliced into markup, so a name with Typst's special characters (#, $,
[, ], \\, *, _, `, <, @) is printed as it is. Labels are translated in Python and passed as
data too. A list of 30 families takes tens of milliseconds.
"""

import json
import threading
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

TYPST_DIR = Path(settings.BASE_DIR) / "templates" / "pdf"
FONT_DIRS = [p for p in (Path("/usr/share/fonts/truetype/dejavu"),) if p.is_dir()]
_compilers = threading.local()


def _compiler():
    """One Typst compiler per thread (fonts are loaded once per thread, not per PDF)."""
    compiler = getattr(_compilers, "compiler", None)
    if compiler is None:
        import typst

        compiler = typst.Compiler(
            root=str(TYPST_DIR),
            font_paths=[str(p) for p in FONT_DIRS],
            ignore_system_fonts=bool(FONT_DIRS),
        )
        _compilers.compiler = compiler
    return compiler


def document_data(*, title: str, subtitle: str, school, generated_on) -> dict:
    """What every OCS PDF shows around its table: title, subtitle, running heads, footer."""
    day = date_format(generated_on, "j F Y")
    return {
        "title": title,
        "subtitle": " · ".join(part for part in (school.name, subtitle, day) if part),
        "school": school.name,
        "running_title": f"{title} · {day}",
        "page_label": _("Pagina {page} van {pages}"),
    }


def render_typst(template: str, data: dict) -> bytes:
    """Compile templates/pdf/<template> with `data` (JSON-serialisable) to PDF bytes."""
    payload = json.dumps(data, ensure_ascii=False)
    return _compiler().compile(
        input=str(TYPST_DIR / template), format="pdf", sys_inputs={"data": payload}
    )


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    safe = slugify(filename.removesuffix(".pdf")) or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}.pdf"'
    return response
