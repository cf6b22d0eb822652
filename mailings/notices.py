"""The portal dashboard's notices about unread messages and unanswered questions."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from mailings.access import messages_for_parent
from mailings.question_models import Answer
from portal.notices import Notice
from schools.models import Parent


def unread_message_notices(parent: Parent) -> list[Notice]:
    """One query: mailings the parent has not opened in the portal yet, and open questions
    ("Vraag om reactie") with no answer yet for any of the parent's children."""
    answered = Answer.objects.filter(question=OuterRef("mailing__question"), pupil__parents=parent)
    counts = messages_for_parent(parent).aggregate(
        unread=Count("pk", filter=Q(mailing__isnull=False, read_at__isnull=True)),
        questions=Count(
            "pk",
            filter=Q(mailing__question__deadline__gt=timezone.now()) & ~Q(Exists(answered)),
        ),
    )
    notices = []
    if counts["unread"]:
        text = ngettext(
            "U heeft %(count)d ongelezen bericht van de school.",
            "U heeft %(count)d ongelezen berichten van de school.",
            counts["unread"],
        ) % {"count": counts["unread"]}
        notices.append(
            Notice(
                text=text,
                url=reverse("mailings:portal_list"),
                link_text=gettext("Lees uw berichten"),
            )
        )
    if counts["questions"]:
        text = ngettext(
            "De school wacht op uw antwoord op %(count)d vraag.",
            "De school wacht op uw antwoord op %(count)d vragen.",
            counts["questions"],
        ) % {"count": counts["questions"]}
        notices.append(
            Notice(
                text=text,
                url=reverse("mailings:portal_list"),
                link_text=gettext("Naar uw berichten"),
            )
        )
    return notices
