"""Conference rounds: create, publish, plan, book, notify. Views turn the errors into Dutch
messages. Booking rules live here and in the database (see models.Slot)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from conferences.mail import (
    booking_mail_send,
    cancellation_mail_send,
    dates_text,
    mail_context,
    portal_url,
    teacher_email,
)
from conferences.models import ConferenceRound, Slot
from conferences.slots import (
    AMSTERDAM,
    Generation,
    aware,
    default_closes_at,
    generate_slots,
    local_span,
)
from conferences.tasks import booking_confirm
from lib.tasks import enqueue_with_transaction
from schools.models import Group, Guardianship, Parent, Pupil, StaffMember


class ConferenceError(Exception):
    """A domain error; str() is the Dutch message for the user."""


class TooFewFit(ConferenceError):
    def __init__(self, generation: Generation):
        self.generation = generation
        super().__init__(
            _("Er passen %(fit)s van de %(asked)s gesprekken.")
            % {"fit": len(generation.slots), "asked": generation.asked}
        )


class SlotTaken(ConferenceError):
    def __init__(self):
        super().__init__(_("Dit tijdstip is net bezet. Kies een andere tijd."))


class RoundClosed(ConferenceError):
    def __init__(self):
        super().__init__(_("Inschrijven voor deze oudergesprekken is gesloten."))


class NotAllowed(ConferenceError):
    def __init__(self):
        super().__init__(_("U kunt voor dit kind geen gesprek plannen in deze ronde."))


class SiblingOverlap(ConferenceError):
    def __init__(self, name: str = ""):
        # Without a name when the sibling is not the booking parent's own child (a
        # co-parent's child from another relationship): nothing about that child leaks.
        if name:
            message = _(
                "Deze tijd valt samen met het gesprek van %(name)s. Kies een andere tijd."
            ) % {"name": name}
        else:
            message = _(
                "Op deze tijd heeft een ander kind uit het gezin al een gesprek. "
                "Kies een andere tijd."
            )
        super().__init__(message)


class ChildAlreadyPlanned(ConferenceError):
    def __init__(self):
        super().__init__(_("Dit kind heeft in deze ronde al een gesprek."))


class SlotConflict(ConferenceError):
    pass


# ---------------------------------------------------------------------------- rounds


@dataclass(frozen=True)
class RoundSettings:
    group: Group
    total: int
    duration_minutes: int
    per_block: int
    break_minutes: int
    start_date: date
    start_time: time
    end_time: time
    extra_dates: tuple[date, ...] = ()
    closes_at: datetime | None = None
    name: str = ""
    location: str = ""

    @property
    def days(self) -> list[date]:
        return sorted({self.start_date, *self.extra_dates})

    def generation(self) -> Generation:
        return generate_slots(
            days=self.days,
            start=self.start_time,
            end=self.end_time,
            duration=self.duration_minutes,
            total=self.total,
            per_block=self.per_block,
            break_minutes=self.break_minutes,
        )


def default_round_name(*, group: Group, start_date: date) -> str:
    """ "Oudergesprekken Groep 3 november": tells two rounds of one group apart."""
    return _("Oudergesprekken %(group)s %(month)s") % {
        "group": group.name,
        "month": date_format(start_date, "F"),
    }


def schedule_fields(plan) -> dict:
    """The generator's settings of a round (or a period's rounds) as ConferenceRound fields:
    the start day and up to four extra days."""
    extra = [d for d in plan.days if d != plan.start_date] + [None] * 4
    return {
        "duration_minutes": plan.duration_minutes,
        "per_block": plan.per_block,
        "break_minutes": plan.break_minutes,
        "start_date": plan.start_date,
        "start_time": plan.start_time,
        "end_time": plan.end_time,
        **{f"extra_date_{n}": extra[n - 1] for n in range(1, 5)},
    }


@transaction.atomic
def round_create(
    *, staff: StaffMember, plan: RoundSettings, accept_fewer: bool = False
) -> ConferenceRound:
    """Create the round and its slots. If the days hold fewer than asked, raise TooFewFit
    unless the teacher chose to save the ones that fit."""
    generation = plan.generation()
    if not generation.fits and not accept_fewer:
        raise TooFewFit(generation)
    conference = ConferenceRound.objects.create(
        school=staff.school,
        group=plan.group,
        teacher=staff,
        name=plan.name.strip() or default_round_name(group=plan.group, start_date=plan.start_date),
        location=plan.location.strip(),
        total=plan.total,
        closes_at=plan.closes_at or default_closes_at(plan.days[0]),
        **schedule_fields(plan),
    )
    Slot.objects.bulk_create(
        Slot(round=conference, starts_at=start, ends_at=end)
        for start, end in map(local_span, generation.slots)
    )
    return conference


@transaction.atomic
def round_publish(*, conference: ConferenceRound) -> None:
    """Parents see the round from now on. Children the teacher planned in beforehand: their
    parents get the invitation now (not earlier, when the portal did not show it yet)."""
    if conference.published_at is not None:
        return
    conference.published_at = timezone.now()
    conference.save(update_fields=["published_at"])
    for slot in conference.slots.filter(pupil__isnull=False).select_related("pupil"):
        booking_mail_send(slot=slot, booker=None)


def round_update(
    *, conference: ConferenceRound, name: str, location: str, closes_at: datetime
) -> None:
    """Change what does not move a booked talk: the name, the place and when booking closes."""
    conference.name = name.strip() or default_round_name(
        group=conference.group, start_date=conference.start_date
    )
    conference.location = location.strip()
    conference.closes_at = closes_at
    conference.save(update_fields=["name", "location", "closes_at"])


@transaction.atomic
def round_delete(*, conference: ConferenceRound) -> int:
    """Delete the round and its times. When parents could see it, the parents of every child
    with a talk get a cancellation with an .ics that removes it from their calendar.
    Returns the number of talks cancelled."""
    booked = list(
        conference.slots.select_for_update(of=("self",))
        .filter(pupil__isnull=False)
        .select_related("pupil")
    )
    if conference.is_published:
        for slot in booked:
            slot.round = conference
            cancellation_mail_send(slot=slot, pupil=slot.pupil, round_deleted=True)
    conference.delete()
    return len(booked)


def slot_add(*, conference: ConferenceRound, day: date, start: time) -> Slot:
    starts_at = aware(day, start)
    ends_at = starts_at + timedelta(minutes=conference.duration_minutes)
    with transaction.atomic():
        clash = conference.slots.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists()
        if clash:
            raise SlotConflict(_("Er is al een gesprek op dit tijdstip."))
        try:
            with transaction.atomic():
                return Slot.objects.create(round=conference, starts_at=starts_at, ends_at=ends_at)
        except IntegrityError:
            raise SlotConflict(_("Er is al een gesprek op dit tijdstip.")) from None


def slot_delete(*, conference: ConferenceRound, slot_id: int) -> None:
    deleted, _rows = Slot.objects.filter(round=conference, pk=slot_id, pupil__isnull=True).delete()
    if not deleted:
        raise SlotConflict(
            _("Dit tijdvak is geboekt. Maak het eerst vrij voordat u het verwijdert.")
        )


def round_assign(
    *, conference: ConferenceRound, changes: dict[int, tuple[int | None, int | None]]
) -> list[str]:
    """The teacher's "Opslaan" on the slot grid. `changes` maps slot id to (pupil id the
    teacher saw, pupil id chosen). A slot changed by a parent since the page was loaded is
    left alone and reported. Returns Dutch problem messages (empty when all went through)."""
    problems: list[str] = []
    group_pupils = {
        p.pk: p for p in Pupil.objects.filter(group=conference.group, school=conference.school)
    }
    chosen = [new for _old, new in changes.values() if new is not None]
    if len(chosen) != len(set(chosen)):
        return [_("Een kind kan maar één gesprek per ronde hebben.")]
    if any(pid not in group_pupils for pid in chosen):
        return [_("Kies alleen kinderen uit deze groep.")]
    planned: list[Slot] = []
    released: list[tuple[Slot, Pupil]] = []
    try:
        with transaction.atomic():
            slots = {
                s.pk: s
                for s in conference.slots.select_for_update(of=("self",)).select_related("pupil")
            }
            todo = {
                sid: (old, new)
                for sid, (old, new) in changes.items()
                if sid in slots and old != new
            }
            for sid, (old, _new) in list(todo.items()):
                if slots[sid].pupil_id != old:
                    problems.append(
                        _("Het gesprek van %(time)s is intussen door een ouder gewijzigd.")
                        % {"time": _local(slots[sid].starts_at, "H:i")}
                    )
                    del todo[sid]
            for sid in todo:
                if slots[sid].pupil is not None:
                    released.append((slots[sid], slots[sid].pupil))
            Slot.objects.filter(pk__in=list(todo)).update(
                pupil=None, booked_by=None, booked_at=None
            )
            now = timezone.now()
            for sid, (_old, new) in todo.items():
                if new is None:
                    continue
                Slot.objects.filter(pk=sid, pupil__isnull=True).update(
                    pupil_id=new, booked_by=None, booked_at=now
                )
                slot = slots[sid]
                slot.pupil, slot.booked_by, slot.booked_at = group_pupils[new], None, now
                planned.append(slot)
            if conference.is_published:  # before publishing, round_publish sends them
                for slot in planned:
                    booking_mail_send(slot=slot, booker=None)
                for slot, pupil in released:
                    if all(p.pupil_id != pupil.pk for p in planned):
                        cancellation_mail_send(slot=slot, pupil=pupil)
    except IntegrityError:
        return [_("Een kind kan maar één gesprek per ronde hebben.")]
    return problems


# ---------------------------------------------------------------------------- booking


def slot_book(*, parent: Parent, conference: ConferenceRound, pupil: Pupil, slot_id: int) -> Slot:
    """A parent books (or changes to) a slot for their child.

    One transaction: the round is published and open, the child is this parent's and in the
    round's group, the time does not overlap a sibling's talk, the child's previous slot in
    this round is released, and the new slot is claimed with a conditional UPDATE that only
    succeeds while the slot is free. Two parents racing for one slot: one UPDATE matches one
    row, the other matches none and gets SlotTaken. Two parents of one child racing for two
    slots: the unique constraint (round, pupil) refuses the second.

    The checks are one query (`_slot_with_checks`), read after the household's rows are
    locked: a booking is a rush's hot path, and every statement is a round trip."""
    now = timezone.now()
    try:
        with transaction.atomic():
            if not _lock_household(parent, pupil):
                raise NotAllowed
            slot = _slot_with_checks(parent=parent, conference=conference, pupil=pupil, pk=slot_id)
            if slot is None:
                _check_may_book(parent=parent, conference=conference, pupil=pupil, now=now)
                raise SlotTaken
            _raise_unless_may_book(
                published_at=slot.round.published_at,
                closes_at=slot.round.closes_at,
                mine=slot.mine,
                now=now,
            )
            if slot.starts_at <= now:
                raise SlotTaken
            slot.round = conference  # with its group, school and teacher already loaded
            if slot.pupil_id == pupil.pk:
                return slot
            if slot.sibling_id is not None:
                sibling = Pupil.objects.get(pk=slot.sibling_id)
                own = Guardianship.objects.filter(pupil=sibling, parent=parent).exists()
                raise SiblingOverlap(sibling.first_name if own else "")
            released = 0
            if slot.has_current:
                released = Slot.objects.filter(
                    round=conference, pupil=pupil, household__isnull=True
                ).update(pupil=None, booked_by=None, booked_at=None)
            claimed = Slot.objects.filter(pk=slot.pk, round=conference, pupil__isnull=True).update(
                pupil=pupil, booked_by=parent, booked_at=now
            )
            if claimed != 1:
                raise SlotTaken
            slot.pupil, slot.booked_by, slot.booked_at = pupil, parent, now
            _confirm_later(slot=slot, pupil=pupil, parent=parent, changed=bool(released))
            return slot
    except IntegrityError:
        raise ChildAlreadyPlanned from None


def _slot_with_checks(
    *, parent: Parent, conference: ConferenceRound, pupil: Pupil, pk: int
) -> Slot | None:
    """The slot with its round's state read fresh, and three answers: `mine` (the child is
    this unblocked parent's and in the round's group), `sibling_id` (a child sharing a
    guardian with this one, whoever booked it, has a talk at an overlapping time) and
    `has_current` (the child already has a talk in this round, to be released)."""
    guardians = Guardianship.objects.filter(pupil=pupil).values("parent_id")
    sibling = Slot.objects.filter(
        pupil__guardianships__parent__in=guardians,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    ).exclude(pupil=pupil)
    return (
        Slot.objects.filter(round=conference, pk=pk)
        .select_related("round")
        .annotate(
            mine=Exists(_mine(parent=parent, pupil=pupil, round_ref="round__")),
            sibling_id=Subquery(sibling.values("pupil_id")[:1]),
            has_current=Exists(
                Slot.objects.filter(round=conference, pupil=pupil, household__isnull=True)
            ),
        )
        .first()
    )


def _lock_household(parent: Parent, pupil: Pupil) -> bool:
    """Lock the rows of the booking parent and of every guardian of the child, in id order.

    Two bookings for siblings (children sharing a guardian) then run one after the other,
    so the overlap check of one sees the other's talk, also when separated parents book at
    the same moment. False when the booking parent is blocked."""
    guardians = Guardianship.objects.filter(pupil=pupil).values("parent_id")
    # The booking parent is one of the child's guardians, or may not book (False): one IN
    # (no OR) so the database reaches the rows through the guardianship index.
    rows = (
        Parent.objects.select_for_update()
        .filter(pk__in=guardians)
        .order_by("pk")
        .values_list("pk", "is_blocked")
    )
    return dict(rows).get(parent.pk) is False


def _confirm_later(*, slot: Slot, pupil: Pupil, parent: Parent, changed: bool) -> None:
    kwargs = {"slot_id": slot.pk, "pupil_id": pupil.pk, "booker_id": parent.pk, "changed": changed}
    enqueue_with_transaction(booking_confirm, **kwargs)


def booking_cancel(*, parent: Parent, conference: ConferenceRound, pupil: Pupil) -> bool:
    now = timezone.now()
    with transaction.atomic():
        _check_may_book(parent=parent, conference=conference, pupil=pupil, now=now)
        slot = (
            Slot.objects.select_for_update(of=("self",))
            .filter(round=conference, pupil=pupil, household__isnull=True)
            .select_related("round")
            .first()
        )
        if slot is None:
            return False
        Slot.objects.filter(pk=slot.pk).update(pupil=None, booked_by=None, booked_at=None)
        cancellation_mail_send(slot=slot, pupil=pupil, canceller=parent)
        return True


def talks_cancel_for_restricted(*, parent: Parent, pupil: Pupil) -> int:
    """The school restricted `parent` for `pupil` (called inside that transaction, after the
    link is gone): cancel the child's future talks this guardian booked, and their
    household's separate talk. A talk the other guardian booked or the teacher planned
    stays. The restricted guardian gets the cancellation (.ics) so the talk leaves their
    calendar; the other guardians are told of a shared talk that went (and may choose a new
    time while the round is open). No mail says why. Returns how many talks were cancelled."""
    now = timezone.now()
    slots = list(
        Slot.objects.select_for_update(of=("self",))
        .filter(pupil=pupil, starts_at__gt=now)
        .filter(Q(household=parent) | Q(household__isnull=True, booked_by=parent))
        .select_related("round__school", "round__group", "round__teacher__user")
    )
    for slot in slots:
        Slot.objects.filter(pk=slot.pk).update(
            pupil=None, booked_by=None, booked_at=None, household=None
        )
        cancellation_mail_send(
            slot=slot,
            pupil=pupil,
            by_school=True,
            guardians=slot.household_id is None,
            also=parent,
        )
    return len(slots)


def _mine(*, parent: Parent, pupil: Pupil, round_ref: str = "") -> QuerySet[Pupil]:
    """The child, if it is this unblocked parent's and in the group of the round the outer
    query is about (`round_ref` leads from that query's row to the round)."""
    return Pupil.objects.filter(
        pk=pupil.pk,
        school_id=OuterRef(f"{round_ref}school_id"),
        group_id=OuterRef(f"{round_ref}group_id"),
        guardianships__parent=parent,
        guardianships__parent__is_blocked=False,
    )


def _raise_unless_may_book(*, published_at, closes_at, mine: bool, now) -> None:
    if published_at is None:
        raise NotAllowed
    if now >= closes_at:
        raise RoundClosed
    if not mine:
        raise NotAllowed


def _check_may_book(*, parent: Parent, conference: ConferenceRound, pupil: Pupil, now) -> None:
    """Published, open, and the child is this (unblocked) parent's and in the round's group;
    read fresh from the database in one query, whatever the caller's object says."""
    fresh = (
        ConferenceRound.objects.filter(pk=conference.pk)
        .annotate(mine=Exists(_mine(parent=parent, pupil=pupil)))
        .values("published_at", "closes_at", "mine")
        .first()
    )
    if fresh is None:
        raise NotAllowed
    _raise_unless_may_book(**fresh, now=now)


# ---------------------------------------------------------------------------- queries


def group_parents(conference: ConferenceRound) -> QuerySet[Parent]:
    """Unblocked parents with an e-mail address of the group's current pupils."""
    return (
        Parent.objects.filter(
            school=conference.school, pupils__group=conference.group, is_blocked=False
        )
        .exclude(email="")
        .distinct()
    )


def _local(moment: datetime, fmt: str) -> str:
    return date_format(moment.astimezone(AMSTERDAM), fmt)


# ---------------------------------------------------------------------------- mail


def default_notification(conference: ConferenceRound) -> tuple[str, str]:
    teacher = conference.teacher.full_name if conference.teacher else ""
    subject = _("Oudergesprekken %(group)s: kies een tijd") % {"group": conference.group.name}
    body = _(
        "Beste ouder(s),\n\n"
        "U kunt een oudergesprek met %(teacher)s over uw kind in %(group)s plannen. "
        "De gesprekken zijn op %(dates)s.\n\n"
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


def notification_send(*, conference: ConferenceRound, subject: str, body: str) -> int:
    """ "Verstuur": the text to every unblocked parent of the group. A parent whose children
    in the group the teacher already planned in gets their time instead of "kies een tijd"."""
    count = 0
    planned = {
        s.pupil_id: s for s in conference.slots.filter(pupil__isnull=False).select_related("pupil")
    }
    parents = group_parents(conference).prefetch_related("pupils")
    with transaction.atomic():
        for parent in parents:
            children = [p for p in parent.pupils.all() if p.group_id == conference.group_id]
            if children and all(child.pk in planned for child in children):
                email_enqueue(
                    to=parent.email,
                    template="conference_planned",
                    context=mail_context(
                        conference,
                        parent=parent,
                        talks=[planned[child.pk] for child in children],
                    ),
                    school=conference.school,
                    parent=parent,
                    pupil=children[0] if len(children) == 1 else None,
                    reply_to=teacher_email(conference),
                )
            else:
                email_enqueue(
                    to=parent.email,
                    template="conference_notification",
                    context={"subject": subject, "body": body, "school": conference.school},
                    school=conference.school,
                    parent=parent,
                    pupil=children[0] if len(children) == 1 else None,
                    reply_to=teacher_email(conference),
                )
            count += 1
        conference.notified_at = timezone.now()
        conference.save(update_fields=["notified_at"])
    return count
