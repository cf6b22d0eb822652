"""Rendering system e-mail from template trios: <name>_subject.txt, <name>.txt, <name>.html."""

from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def strip_header_breaks(value: str) -> str:
    """Whatever becomes a header is one line: CR, LF and other line breaks become spaces."""
    return " ".join(value.splitlines()).strip()


def render_email(template: str, context: dict) -> RenderedEmail:
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    return RenderedEmail(
        subject=strip_header_breaks(subject),
        text=render_to_string(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
    )
