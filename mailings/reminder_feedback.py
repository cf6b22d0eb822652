"""What the page says after "Herinnering sturen", the same for every kind of reminder
(an unread mailing, an unanswered question, a talk not booked, an account not activated):
all share one limit of one reminder per family per day (throttle REMINDER_PER_FAMILY)."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import ngettext


def reminder_feedback(
    request: HttpRequest,
    *,
    families: int,
    already_today: int,
    nothing_to_do: str,
    unreachable: int = 0,
) -> None:
    """Tell how many families were reminded, how many had a reminder today already and how
    many cannot be reached by mail; `nothing_to_do` when none of these."""
    if families:
        messages.success(
            request,
            ngettext(
                "Er gaat een herinnering naar %(count)s gezin.",
                "Er gaat een herinnering naar %(count)s gezinnen.",
                families,
            )
            % {"count": families},
        )
    if already_today:
        messages.info(
            request,
            ngettext(
                "%(count)s gezin kreeg vandaag al een herinnering; het krijgt er morgen weer een.",
                "%(count)s gezinnen kregen vandaag al een herinnering; zij krijgen er morgen "
                "weer een.",
                already_today,
            )
            % {"count": already_today},
        )
    if unreachable:
        messages.warning(
            request,
            ngettext(
                "%(count)s gezin is per e-mail niet bereikbaar (het adres werkt niet of de "
                "ouders zijn geblokkeerd).",
                "%(count)s gezinnen zijn per e-mail niet bereikbaar (het adres werkt niet of "
                "de ouders zijn geblokkeerd).",
                unreachable,
            )
            % {"count": unreachable},
        )
    if not (families or already_today or unreachable):
        messages.info(request, nothing_to_do)
