"""'Herinnering sturen' to parents who have not activated their account: the invitation
again (a fresh link), with a Dutch text of the school's above its closing lines, at most one
reminder a family a day. A family is the guardians who share a child; the limit is the one
the mailing and conference reminders count (throttle.limits.REMINDER_PER_FAMILY), so a
family hears from OCS at most once a day whichever reminder it is."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import invitation_send
from lib.families import families_from_links
from schools.models import Guardianship, Parent, School
from throttle.limits import REMINDER_PER_FAMILY, rate_hit

MAX_NOTE = 2000


@dataclass
class AccountReminderResult:
    families: int = 0
    invited: int = 0
    already_today: int = 0


def default_account_reminder() -> str:
    return _(
        "U heeft uw account voor OCS nog niet geactiveerd. Via OCS leest u de berichten van "
        "school, schrijft u zich in voor activiteiten en plant u oudergesprekken. Activeren "
        "kost een minuut."
    )


def pending_parents(school: School):
    return Parent.objects.filter(school=school, is_blocked=False, user__isnull=True).exclude(
        email=""
    )


def pending_families(school: School) -> list[list[int]]:
    """The not yet activated parents grouped by family, each family as the sorted ids of all
    its unblocked guardians with an address (the key the other reminders count by) and the
    pending ones among them. Two queries."""
    pending = set(pending_parents(school).values_list("pk", flat=True))
    links = (
        Guardianship.objects.filter(
            pupil__school=school,
            pupil__group__isnull=False,
            parent__is_blocked=False,
            pupil__guardianships__parent_id__in=pending,
        )
        .exclude(parent__email="")
        .values_list("pupil_id", "parent_id")
        .distinct()
    )
    families = families_from_links(links, parent_ids=pending)
    return [f.parent_ids for f in families if pending & set(f.parent_ids)]


def account_remind(*, school: School, note: str) -> AccountReminderResult:
    """One transaction: the counters, the invitations and their delivery run together."""
    result = AccountReminderResult()
    families = pending_families(school)
    pending = {p.pk: p for p in pending_parents(school).select_related("school")}
    with transaction.atomic():
        for members in families:
            key = "-".join(str(pk) for pk in members)
            if not rate_hit(REMINDER_PER_FAMILY, f"{school.pk}:{key}"):
                result.already_today += 1
                continue
            result.families += 1
            for pk in members:
                if pk in pending:
                    result.invited += invitation_send(record=pending[pk], note=note)
    return result
