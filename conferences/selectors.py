"""Read-side helpers for the parent portal and the teacher's round. Each costs a fixed number
of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conferences.access import pupils_for_parent_current
from conferences.mail import talk_topic
from conferences.models import ConferenceRound, Slot
from conferences.slots import AMSTERDAM, adjacent, overlaps
from mailings.models import OutgoingMessage
from schools.models import Guardianship, Parent, Pupil


@dataclass
class Option:
    slot: Slot
    mine: bool = False
    blocked_by: str = ""  # a sibling whose talk overlaps: refused
    next_to: str = ""  # a sibling whose talk is right before or after


@dataclass
class Card:
    pupil: Pupil
    conference: ConferenceRound
    is_open: bool
    booking: Slot | None
    days: list = field(default_factory=list)
    has_error: bool = False  # the parent's last submit for this card needs fixing


def _open_rounds(parent: Parent, group_ids, now):
    return (
        ConferenceRound.objects.filter(
            school=parent.school,
            group_id__in=group_ids,
            published_at__isnull=False,
            slots__ends_at__gt=now,
        )
        .distinct()
        .select_related("group", "teacher", "school")
        .order_by("start_date", "group__name")
    )


def portal_rounds(parent: Parent) -> list[Card]:
    """All published rounds of all the parent's children, with free times marked against
    their siblings' booked talks. Five queries whatever the number of children or slots."""
    now = timezone.now()
    pupils = list(pupils_for_parent_current(parent).order_by("first_name"))
    rounds = list(_open_rounds(parent, {p.group_id for p in pupils}, now))
    slots = list(
        Slot.objects.filter(round__in=rounds, ends_at__gt=now)
        .select_related("booked_by")
        .order_by("starts_at")
    )
    pupil_ids = [p.pk for p in pupils]
    # Talks of the children and of their siblings through a co-parent (children sharing a
    # guardian with one of them): a time must not overlap any of them. Children who are not
    # this parent's own are not named.
    # The parent's own children share this parent, so they are among these children; one
    # IN (no OR) lets the database find the slots through the index on the child.
    guardians = Guardianship.objects.filter(pupil_id__in=pupil_ids).values("parent_id")
    family = Guardianship.objects.filter(parent_id__in=guardians).values("pupil_id")
    booked = list(
        Slot.objects.filter(pupil_id__in=family, ends_at__gt=now).select_related(
            "booked_by", "continuation"
        )
    )
    names = defaultdict(lambda: _("een ander kind uit het gezin"))
    names.update({p.pk: p.first_name for p in pupils})
    by_round = defaultdict(list)
    for slot in slots:
        by_round[slot.round_id].append(slot)
    cards = []
    for pupil in pupils:
        siblings = [s for s in booked if s.pupil_id != pupil.pk]
        for conference in rounds:
            if conference.group_id != pupil.group_id:
                continue
            mine = next(
                (
                    s
                    for s in booked
                    if s.pupil_id == pupil.pk
                    and s.round_id == conference.pk
                    and s.follows_id is None  # a longer talk: its first time
                ),
                None,
            )
            card = Card(pupil, conference, conference.is_open(now), mine)
            days = defaultdict(list)
            for slot in by_round[conference.pk]:
                if slot.pupil_id is not None and slot.pupil_id != pupil.pk:
                    continue
                option = Option(slot, mine=slot.pupil_id == pupil.pk)
                for other in siblings:
                    if overlaps(slot.starts_at, slot.ends_at, other.starts_at, other.ends_at):
                        option.blocked_by = names[other.pupil_id]
                    elif adjacent(slot.starts_at, slot.ends_at, other.starts_at, other.ends_at):
                        option.next_to = names[other.pupil_id]
                days[slot.starts_at.astimezone(AMSTERDAM).date()].append(option)
            card.days = sorted(days.items())
            cards.append(card)
    return cards


def conference_notices(parent: Parent) -> list:
    """Portal notice while a published, open round still needs a booking for a child.
    Three queries whatever the number of children."""
    from portal.notices import Notice

    now = timezone.now()
    pupils = list(pupils_for_parent_current(parent))
    if not pupils:
        return []
    rounds = list(
        ConferenceRound.objects.filter(
            school=parent.school,
            group_id__in={p.group_id for p in pupils},
            published_at__isnull=False,
            closes_at__gt=now,
        )
    )
    if not rounds:
        return []
    booked = set(
        Slot.objects.filter(round__in=rounds, pupil__in=pupils).values_list("round_id", "pupil_id")
    )
    waiting = sorted(
        {
            p.first_name
            for p in pupils
            for r in rounds
            if r.group_id == p.group_id and (r.pk, p.pk) not in booked
        }
    )
    if not waiting:
        return []
    return [
        Notice(
            text=_("Er staan oudergesprekken klaar voor %(names)s. Kies een tijd.")
            % {"names": ", ".join(waiting)},
            url=reverse("conferences:portal"),
            link_text=_("Oudergesprekken"),
        )
    ]


@dataclass
class Informed:
    """One guardian of a booked child and what the outbox holds for them about the talk."""

    parent: Parent
    state: str  # "sent", "waiting", "failed", "no_email" or "not_yet"


def talks_informed(slots: list[Slot]) -> None:
    """Set `slot.informed` on every booked slot whose `slot.child` carries its unblocked
    guardians (`unblocked_parents`): per guardian, the latest confirmation or note about this
    talk since it was booked, from the outbox (one query for the whole round)."""
    booked = {
        talk_topic(s): s
        for s in slots
        if s.pupil_id and getattr(s, "child", None) and getattr(s, "follows_id", None) is None
    }
    latest: dict[tuple[str, int], str] = {}
    rows = (
        OutgoingMessage.objects.filter(topic__in=list(booked))
        .order_by("created_at", "pk")
        .values_list("topic", "parent_id", "status", "created_at")
    )
    for topic, parent_id, status, created_at in rows:
        slot = booked[topic]
        if slot.booked_at is None or created_at >= slot.booked_at:
            latest[(topic, parent_id)] = status
    for topic, slot in booked.items():
        slot.informed = []
        for parent in slot.child.unblocked_parents:
            status = latest.get((topic, parent.pk))
            if status == OutgoingMessage.Status.SENT:
                state = "sent"
            elif status == OutgoingMessage.Status.FAILED:
                state = "failed"
            elif status is not None:
                state = "waiting"
            elif not parent.email:
                state = "no_email"
            else:
                state = "not_yet"
            slot.informed.append(Informed(parent=parent, state=state))
