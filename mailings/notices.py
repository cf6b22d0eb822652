"""The portal dashboard's notice about unread messages from the school."""

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from mailings.access import messages_for_parent
from portal.notices import Notice
from schools.models import Parent


def unread_message_notices(parent: Parent) -> list[Notice]:
    """One query: mailings the parent has not opened in the portal yet."""
    count = messages_for_parent(parent).filter(mailing__isnull=False, read_at__isnull=True).count()
    if not count:
        return []
    text = ngettext(
        "U heeft %(count)d ongelezen bericht van de school.",
        "U heeft %(count)d ongelezen berichten van de school.",
        count,
    ) % {"count": count}
    return [
        Notice(
            text=text, url=reverse("mailings:portal_list"), link_text=gettext("Lees uw berichten")
        )
    ]
