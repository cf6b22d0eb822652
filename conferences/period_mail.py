"""Mail about a conference period: each parent's own overview of their talks in the period,
with one calendar file that holds all of them."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from conferences.mail import _vtimezone, portal_url, teacher_email
from conferences.models import ConferencePeriod, Slot
from conferences.slots import AMSTERDAM
from schools.models import Parent


def parent_talks(*, period: ConferencePeriod, parent: Parent) -> list[Slot]:
    """The parent's talks in the period: their children's shared talks and their own
    household's talks (never another household's; and not the shared talk of a child for
    whom the parent has a talk of their own)."""
    talks = list(
        Slot.objects.filter(round__period_link__period=period, follows__isnull=True)
        .filter(
            Q(household__isnull=True, pupil__guardianships__parent=parent) | Q(household=parent)
        )
        .select_related(
            "round__group", "round__teacher__user", "round__school", "pupil", "continuation"
        )
        .distinct()
        .order_by("starts_at")
    )
    own = {s.pupil_id for s in talks if s.household_id == parent.pk}
    return [s for s in talks if s.household_id or s.pupil_id not in own]


def period_ics(*, period: ConferencePeriod, parent: Parent, talks: list[Slot]) -> bytes:
    from icalendar import Calendar, Event, vCalAddress, vText

    cal = Calendar()
    cal.add("prodid", "-//OCS//Oudergesprekken//NL")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if talks:
        cal.add_component(_vtimezone(talks[0].starts_at.astimezone(AMSTERDAM).year))
    for slot in talks:
        conference, pupil = slot.round, slot.pupil
        event = Event()
        suffix = f"-{parent.public_id}" if slot.household_id else ""
        event.add("uid", f"oudergesprek-{conference.public_id}-{pupil.public_id}{suffix}@ocs")
        event.add("dtstamp", timezone.now())
        event.add("sequence", int(timezone.now().timestamp()) - 1_700_000_000)
        event.add("dtstart", slot.starts_at.astimezone(AMSTERDAM))
        event.add("dtend", slot.talk_ends_at.astimezone(AMSTERDAM))
        event.add(
            "summary",
            _("Oudergesprek %(child)s (%(group)s)")
            % {"child": pupil.first_name, "group": conference.group.name},
        )
        event.add("location", vText(conference.location or conference.school.name))
        if teacher_email(conference):
            organizer = vCalAddress(f"mailto:{teacher_email(conference)}")
            organizer.params["cn"] = vText(conference.teacher.full_name)
            event.add("organizer", organizer)
        cal.add_component(event)
    return cal.to_ical()


def period_plan_mail_send(*, period: ConferencePeriod, parent: Parent, template: str) -> bool:
    """The parent's overview of their talks in the period, with the .ics. False when the
    parent has no address or no talks."""
    if not parent.email or parent.is_blocked:
        return False
    talks = parent_talks(period=period, parent=parent)
    if not talks:
        return False
    email_enqueue(
        to=parent.email,
        template=template,
        context={
            "period": period,
            "parent": parent,
            "talks": talks,
            "school": period.school,
            "link": portal_url(),
        },
        school=period.school,
        parent=parent,
        pupil=talks[0].pupil if len({t.pupil_id for t in talks}) == 1 else None,
        attachments=[
            (
                "oudergesprekken.ics",
                period_ics(period=period, parent=parent, talks=talks),
                "text/calendar; method=PUBLISH",
            )
        ],
    )
    return True
