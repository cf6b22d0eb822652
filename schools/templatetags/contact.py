"""Contact details as links: `{% load contact %}{{ parent.phone|tel_link }}`."""

import re

from django import template
from django.utils.html import format_html

register = template.Library()


def tel_href(number: str) -> str:
    """The number as a tel: URI: digits only, a leading + kept ("06-123 45 678" →
    "tel:0612345678")."""
    number = number.strip()
    digits = re.sub(r"\D", "", number)
    return f"tel:{'+' if number.startswith('+') else ''}{digits}"


@register.filter
def tel_link(number: str) -> str:
    """A phone number as a link that phones dial with one tap; empty stays empty."""
    if not number or not re.search(r"\d", number):
        return number or ""
    return format_html('<a href="{}">{}</a>', tel_href(number), number)
