"""Rendering system e-mail from template trios: <name>_subject.txt, <name>.txt, <name>.html."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def strip_header_breaks(value: str) -> str:
    """Whatever becomes a header is one line: CR, LF and other line breaks become spaces."""
    return " ".join(value.splitlines()).strip()


def has_line_break(value: str) -> bool:
    """True when the text would span more than one line in a mail header."""
    return " ".join(value.splitlines()) != value


HEADER_BREAK_MESSAGE = _("Een onderwerp of naam mag geen regelovergang bevatten.")


def validate_header_value(value: str) -> None:
    """Forms reject line breaks in anything that becomes a mail header (header injection)."""
    if has_line_break(value):
        raise ValidationError(HEADER_BREAK_MESSAGE, code="header_break")


def render_plain(name: str, context: dict) -> str:
    """A plain-text template (subject, text body): no HTML escaping, since "<b>" in a
    parent's name must read as "<b>" in a Subject or a text mail, not "&lt;b&gt;"."""
    template = engines["django"].get_template(name).template
    return template.render(Context(context, autoescape=False))


def render_email(template: str, context: dict) -> RenderedEmail:
    subject = render_plain(f"emails/{template}_subject.txt", context)
    return RenderedEmail(
        subject=strip_header_breaks(subject),
        text=render_plain(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
    )
