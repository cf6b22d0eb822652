"""What OCS mails about conferences: the booking confirmation with its calendar invitation,
the cancellation, and the pieces the notification and reminder share.

The services (conferences.services) and the worker's task (conferences.tasks) both use this
module; it uses neither, so the imports run one way: services -> tasks -> mail."""

import functools
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from conferences.models import ConferenceRound, Slot
from conferences.slots import AMSTERDAM
from schools.models import Parent, Pupil


def child_parents(pupil: Pupil) -> list[Parent]:
    return list(pupil.parents.filter(is_blocked=False).exclude(email="").order_by("pk"))


def portal_url() -> str:
    return settings.SITE_URL + reverse("conferences:portal")


def dates_text(conference: ConferenceRound) -> str:
    return ", ".join(date_format(d, "l j F") for d in conference.days)


def teacher_email(conference: ConferenceRound) -> str:
    teacher = conference.teacher
    return teacher.email if teacher is not None else ""


def mail_context(conference: ConferenceRound, **extra) -> dict:
    return {
        "conference": conference,
        "school": conference.school,
        "teacher": conference.teacher,
        "group": conference.group,
        "link": portal_url(),
        "dates": dates_text(conference),
        **extra,
    }


@functools.cache
def _vtimezone(year: int):
    """Europe/Amsterdam as a VTIMEZONE with the transitions around the event's year (built
    once per year: the default 1970-2038 range costs tens of milliseconds per mail)."""
    from icalendar import Timezone

    return Timezone.from_tzinfo(
        AMSTERDAM, first_date=date(year - 1, 1, 1), last_date=date(year + 1, 12, 31)
    )


def _organizer(conference: ConferenceRound):
    """The teacher (or, without one, the school) as the invitation's ORGANIZER."""
    from icalendar import vCalAddress, vText

    if conference.teacher is not None:
        email, name = conference.teacher.email, conference.teacher.full_name
    else:
        email, name = conference.school.from_email, conference.school.name
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = vText(name)
    return organizer


def conference_ics(*, slot: Slot, pupil: Pupil, attendee: Parent, cancel: bool = False) -> bytes:
    """An iTIP invitation (RFC 5546) in Europe/Amsterdam time (VTIMEZONE included):
    METHOD:REQUEST with the teacher as ORGANIZER and the receiving parent as ATTENDEE, which
    Outlook, Google and Apple calendars accept; METHOD:CANCEL with the same UID removes it.
    One UID per child and round, so a changed booking updates the same calendar entry."""
    from icalendar import Calendar, Event, vCalAddress, vText

    conference = slot.round
    starts = slot.starts_at.astimezone(AMSTERDAM)
    now = timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//OCS//Oudergesprekken//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    cal.add_component(_vtimezone(starts.year))
    event = Event()
    event.add("uid", f"oudergesprek-{conference.public_id}-{pupil.public_id}@ocs")
    event.add("dtstamp", now)
    # Later messages about the same talk must carry a higher SEQUENCE.
    event.add("sequence", int(now.timestamp()) - 1_700_000_000)
    event.add("dtstart", starts)
    event.add("dtend", slot.ends_at.astimezone(AMSTERDAM))
    event.add(
        "summary",
        _("Oudergesprek %(child)s (%(group)s)")
        % {"child": pupil.first_name, "group": conference.group.name},
    )
    event.add("location", vText(conference.location or conference.school.name))
    if conference.location_is_link:
        event.add("url", conference.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer(conference))
    guest = vCalAddress(f"mailto:{attendee.email}")
    guest.params["cn"] = vText(attendee.full_name)
    guest.params["role"] = vText("REQ-PARTICIPANT")
    guest.params["partstat"] = vText("ACCEPTED")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest)
    cal.add_component(event)
    return cal.to_ical()


def booking_mail_send(*, slot: Slot, booker: Parent | None, changed: bool = False) -> None:
    """Confirmation with .ics to the parent who booked (or, when the teacher planned, to all
    parents); a short note to the child's other parent(s)."""
    conference, pupil = slot.round, slot.pupil
    for parent in child_parents(pupil):
        coalesce = ""
        if booker is None or parent.pk == booker.pk:
            ics = conference_ics(slot=slot, pupil=pupil, attendee=parent)
            template, attachments = (
                "conference_booked",
                [("oudergesprek.ics", ics, "text/calendar; method=REQUEST")],
            )
        else:
            template, attachments = "conference_booked_other", []
            coalesce = co_parent_key(conference, pupil, parent)
        email_enqueue(
            to=parent.email,
            template=template,
            context=mail_context(
                conference,
                parent=parent,
                pupil=pupil,
                slot=slot,
                booker=booker,
                changed=changed,
            ),
            school=conference.school,
            parent=parent,
            pupil=pupil,
            reply_to=teacher_email(conference),
            attachments=attachments,
            coalesce_key=coalesce,
            topic=talk_topic(slot),
        )


def talk_topic(slot: Slot) -> str:
    """The outbox's record of who was told about this talk (confirmation or note)."""
    return f"talk:{slot.pk}:{slot.pupil_id}"


def co_parent_key(conference: ConferenceRound, pupil: Pupil, parent: Parent) -> str:
    """A co-parent told about several changes in a row gets one mail with the latest."""
    return f"conference-other:{conference.pk}:{pupil.pk}:{parent.pk}"


def cancellation_mail_send(
    *,
    slot: Slot,
    pupil: Pupil,
    canceller: Parent | None = None,
    round_deleted: bool = False,
    by_school: bool = False,
    guardians: bool = True,
    also: Parent | None = None,
) -> None:
    """The cancellation with its .ics to the child's guardians (unless `guardians` is false)
    and to `also`, a parent who is no longer one: a guardian the school restricted keeps no
    talk in their calendar. `by_school`: the school cancelled; the mail says so and gives no
    reason."""
    conference = slot.round
    parents = child_parents(pupil) if guardians else []
    if also is not None and also.email and not also.is_blocked:
        parents = [p for p in parents if p.pk != also.pk] + [also]
    for parent in parents:
        other = canceller is not None and parent.pk != canceller.pk
        ics = conference_ics(slot=slot, pupil=pupil, attendee=parent, cancel=True)
        email_enqueue(
            to=parent.email,
            template="conference_cancelled",
            context=mail_context(
                conference,
                parent=parent,
                pupil=pupil,
                slot=slot,
                round_deleted=round_deleted,
                by_school=by_school,
                may_book=parent is not also and conference.is_open(),
            ),
            school=conference.school,
            parent=parent,
            # The restricted guardian's copy is not "about the child" for a later withdrawal.
            pupil=None if parent is also else pupil,
            reply_to=teacher_email(conference),
            attachments=[("oudergesprek.ics", ics, "text/calendar; method=CANCEL")],
            coalesce_key=co_parent_key(conference, pupil, parent) if other else "",
        )
