"""'Herinnering sturen' for a conference round: a mail to every family with a child in the
group that has no talk yet, with a Dutch default text the teacher may change first. A family
is the guardians who share such a child (two households of one child are one family), and it
hears at most one reminder a day, counted in the database with the same limit as the
mailing reminders (throttle.limits.REMINDER_PER_FAMILY), whatever the reminder is about."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from conferences.mail import dates_text, portal_url, teacher_email
from conferences.models import ConferenceRound
from lib.families import families_from_links
from schools.models import Guardianship, Parent, Pupil
from throttle.limits import REMINDER_PER_FAMILY, rate_hit


@dataclass
class RoundFamily:
    parent_ids: list[int] = field(default_factory=list)
    pupil_ids: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        # The same subject as a mailing's family (mailings/selectors.py Family.key).
        return "-".join(str(pk) for pk in sorted(self.parent_ids))


@dataclass
class RoundReminderResult:
    families: int = 0  # families reminded now
    parents: int = 0  # mails written
    already_today: int = 0  # families that had a reminder today already


def default_reminder(conference: ConferenceRound) -> tuple[str, str]:
    teacher = conference.teacher.full_name if conference.teacher else ""
    subject = _("Herinnering: kies een tijd voor het oudergesprek (%(group)s)") % {
        "group": conference.group.name
    }
    body = _(
        "Beste ouder(s),\n\n"
        "U heeft nog geen tijd gekozen voor het oudergesprek met %(teacher)s over uw kind in "
        "%(group)s. De gesprekken zijn op %(dates)s.\n\n"
        "Kies in het ouderportaal een tijd die u past:\n%(link)s\n\n"
        "Inschrijven kan %(closes)s.\n\n"
        "Met vriendelijke groet,\n%(teacher)s"
    ) % {
        "teacher": teacher,
        "group": conference.group.name,
        "dates": dates_text(conference),
        "link": portal_url(),
        "closes": conference.closes_text,
    }
    return subject, body


def families_without_talk(conference: ConferenceRound) -> list[RoundFamily]:
    """Families of the group's children without a talk in the round: their unblocked
    guardians with an address (a restricted guardian has no link to the child). One query."""
    booked = conference.slots.filter(pupil__isnull=False).values("pupil_id")
    links = (
        Guardianship.objects.filter(
            pupil__school_id=conference.school_id,
            pupil__group_id=conference.group_id,
            parent__is_blocked=False,
        )
        .exclude(parent__email="")
        .exclude(pupil_id__in=booked)
        .values_list("pupil_id", "parent_id")
        .order_by("pupil_id", "parent_id")
    )
    return [
        RoundFamily(parent_ids=f.parent_ids, pupil_ids=f.pupil_ids)
        for f in families_from_links(links)
    ]


def round_remind(*, conference: ConferenceRound, subject: str, body: str) -> RoundReminderResult:
    """One mail per guardian of each family without a talk, at most one a family a day.
    One transaction (the counters, the outbox rows and the delivery task together)."""
    result = RoundReminderResult()
    families = families_without_talk(conference)
    parents = Parent.objects.in_bulk([pk for f in families for pk in f.parent_ids])
    # The one child a mail is about, so restricting a guardian withdraws it while it waits.
    pupils = Pupil.objects.in_bulk([f.pupil_ids[0] for f in families if len(f.pupil_ids) == 1])
    school = conference.school
    with transaction.atomic():
        for family in families:
            if not rate_hit(REMINDER_PER_FAMILY, f"{school.pk}:{family.key}"):
                result.already_today += 1
                continue
            result.families += 1
            for parent_id in family.parent_ids:
                parent = parents[parent_id]
                email_enqueue(
                    to=parent.email,
                    template="conference_notification",
                    context={"subject": subject, "body": body, "school": school},
                    school=school,
                    parent=parent,
                    pupil=pupils.get(family.pupil_ids[0]) if len(family.pupil_ids) == 1 else None,
                    reply_to=teacher_email(conference),
                )
                result.parents += 1
    return result
