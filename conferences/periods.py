"""School-wide conference periods: create one for several groups, open it, and let a family
book all its children's talks of the period at once ("Plan alles aansluitend").

A family's chain is one transaction: the household's parent rows are locked (as in
services.slot_book), every slot is claimed with the same conditional UPDATE, and the unique
constraints on Slot refuse a child a second talk. If any claim fails, nothing of the chain
is written."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conferences.chains import Busy, Option, best_chain, clash
from conferences.models import ConferencePeriod, ConferenceRound, PeriodRound, Slot
from conferences.services import (
    ChildAlreadyPlanned,
    ConferenceError,
    NotAllowed,
    RoundClosed,
    SlotTaken,
    round_publish,
    schedule_fields,
)
from conferences.slots import default_closes_at, generate_slots, local_span
from lib.tasks import enqueue_with_transaction
from schools.access import groups_for_staff
from schools.models import Group, Guardianship, Parent, Pupil, StaffMember


class TooShort(ConferenceError):
    pass


class WalkTooShort(ConferenceError):
    def __init__(self, minutes: int):
        super().__init__(
            _(
                "Tussen twee gesprekken bij verschillende leerkrachten zit minstens "
                "%(minutes)s minuten. Kies andere tijden."
            )
            % {"minutes": minutes}
        )


# ---------------------------------------------------------------------------- create


@dataclass(frozen=True)
class PeriodSettings:
    name: str
    mode: str
    groups: tuple[Group, ...]
    duration_minutes: int
    per_block: int
    break_minutes: int
    start_date: date
    start_time: time
    end_time: time
    extra_dates: tuple[date, ...] = ()
    walk_minutes: int = 5
    spare: int = 2  # times per group beyond one per child (separate households, moves)
    interpreters: int = 1  # preference mode: interpreter talks at once (0: no limit)
    closes_at: datetime | None = None

    @property
    def days(self) -> list[date]:
        return sorted({self.start_date, *self.extra_dates})


def group_teacher(group: Group, fallback: StaffMember) -> StaffMember:
    """The group's teacher (the first leerkracht assigned), or whoever opens the period."""
    teacher = (
        group.teachers.filter(role=StaffMember.Role.TEACHER, is_active=True).order_by("pk").first()
    )
    return teacher or fallback


@transaction.atomic
def period_create(*, staff: StaffMember, plan: PeriodSettings) -> ConferencePeriod:
    """One round per group. A teacher with several groups gets one run of the generator for
    all of them (so their talks never overlap), split over the groups in order."""
    allowed = set(groups_for_staff(staff).values_list("pk", flat=True))
    if not plan.groups or any(
        g.pk not in allowed or g.school_id != staff.school_id for g in plan.groups
    ):
        raise NotAllowed
    closes_at = plan.closes_at or default_closes_at(plan.days[0])
    period = ConferencePeriod.objects.create(
        school=staff.school,
        name=plan.name,
        mode=plan.mode,
        walk_minutes=plan.walk_minutes,
        interpreters=plan.interpreters,
        closes_at=closes_at,
        created_by=staff,
    )
    by_teacher: dict[StaffMember, list[Group]] = defaultdict(list)
    for group in sorted(plan.groups, key=lambda g: g.name):
        by_teacher[group_teacher(group, staff)].append(group)
    sizes = dict(
        Pupil.objects.filter(group__in=plan.groups, school=staff.school)
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    short = []
    for teacher, groups in by_teacher.items():
        wanted = [sizes.get(g.pk, 0) + plan.spare for g in groups]
        generation = generate_slots(
            days=plan.days,
            start=plan.start_time,
            end=plan.end_time,
            duration=plan.duration_minutes,
            total=sum(wanted),
            per_block=plan.per_block,
            break_minutes=plan.break_minutes,
        )
        if not generation.fits:
            short.append(
                _("Bij %(teacher)s passen %(fit)s van de %(asked)s gesprekken.")
                % {"teacher": teacher.full_name, "fit": len(generation.slots), "asked": sum(wanted)}
            )
            continue
        at = 0
        for group, count in zip(groups, wanted, strict=True):
            chunk = generation.slots[at : at + count]
            at += count
            conference = ConferenceRound.objects.create(
                school=staff.school,
                group=group,
                teacher=teacher,
                name=f"{period.name} {group.name}",
                total=count,
                closes_at=closes_at,
                **schedule_fields(plan),
            )
            PeriodRound.objects.create(period=period, round=conference)
            Slot.objects.bulk_create(
                Slot(round=conference, starts_at=s, ends_at=e) for s, e in map(local_span, chunk)
            )
    if short:
        raise TooShort(" ".join(short))
    return period


def period_rounds(period: ConferencePeriod):
    return ConferenceRound.objects.filter(period_link__period=period).select_related(
        "group", "teacher", "school"
    )


@transaction.atomic
def period_open(*, period: ConferencePeriod) -> None:
    """Families see the period from now on. First-come: the rounds are published and
    bookable. Preference: families give their availability; the rounds stay unpublished
    until the plan is published."""
    if period.opened_at is not None:
        return
    period.opened_at = timezone.now()
    period.save(update_fields=["opened_at"])
    if not period.is_preference:
        for conference in period_rounds(period):
            round_publish(conference=conference)


# ---------------------------------------------------------------------------- family


@dataclass
class Need:
    """One talk a family can book: a child's shared talk, or a household's own talk."""

    pupil: Pupil
    conference: ConferenceRound
    household: Parent | None = None
    current: Slot | None = None
    options: list[Slot] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.pupil.public_id}:{'h' if self.household else 's'}"


def family_needs(*, parent: Parent, period: ConferencePeriod, separate: set[int] = frozenset()):
    """The parent's current children with a round in the period, each with the free times
    and the talk they hold now. `separate`: pupil ids for which this parent wants a talk for
    their own household."""
    rounds = {c.group_id: c for c in period_rounds(period)}
    pupils = [
        p
        for p in parent.pupils.filter(school=parent.school, group__isnull=False).order_by(
            "first_name"
        )
        if p.group_id in rounds
    ]
    slots = Slot.objects.filter(round__in=rounds.values()).order_by("starts_at")
    now = timezone.now()
    needs = []
    by_round = defaultdict(list)
    held = {}
    for slot in slots:
        if slot.pupil_id is None:
            if slot.starts_at > now:
                by_round[slot.round_id].append(slot)
        else:
            held[(slot.pupil_id, slot.household_id)] = slot
    for pupil in pupils:
        conference = rounds[pupil.group_id]
        household = parent if pupil.pk in separate else None
        current = held.get((pupil.pk, household.pk if household else None))
        needs.append(
            Need(
                pupil=pupil,
                conference=conference,
                household=household,
                current=current,
                options=list(by_round[conference.pk]),
            )
        )
    return needs


def _option(slot: Slot, conference: ConferenceRound) -> Option:
    return Option(
        key=slot.pk, teacher=conference.teacher_id, start=slot.starts_at, end=slot.ends_at
    )


def family_busy(*, parent: Parent, needs: list[Need]) -> list[Busy]:
    """Talks the family has outside this chain: other children of the parents involved
    (siblings from another relationship, other rounds)."""
    chain_pupils = [n.pupil.pk for n in needs]
    guardians = Guardianship.objects.filter(pupil__in=chain_pupils).values("parent_id")
    others = (
        Slot.objects.filter(pupil__guardianships__parent__in=guardians)
        .exclude(Q(pupil__in=chain_pupils) & Q(round__in=[n.conference.pk for n in needs]))
        .select_related("round")
        .distinct()
    )
    return [Busy(teacher=s.round.teacher_id, start=s.starts_at, end=s.ends_at) for s in others]


def chain_propose(
    *, parent: Parent, period: ConferencePeriod, needs: list[Need]
) -> dict[str, Slot]:
    """ "Plan alles aansluitend": the best chain of free times (the family's current times
    count as free for itself)."""
    options = {}
    slots = {}
    for need in needs:
        pool = list(need.options) + ([need.current] if need.current else [])
        options[need.key] = [_option(s, need.conference) for s in pool]
        slots.update({s.pk: s for s in pool})
    chain = best_chain(
        options,
        walk=timedelta(minutes=period.walk_minutes),
        busy=family_busy(parent=parent, needs=needs),
    )
    if chain is None:
        return {}
    return {key: slots[option.key] for key, option in chain.items()}


def family_book(
    *, parent: Parent, period: ConferencePeriod, choices: dict[str, int], separate: set[int]
) -> list[Slot]:
    """Book the family's chosen times all together: every talk, or none.

    `choices` maps a need's key (see Need.key) to a slot id. One transaction: lock the
    parent rows of everyone involved, check the times against each other and against the
    family's other talks (overlap and walking time), release the children's previous times
    in the period, then claim every chosen slot with a conditional UPDATE. One failed claim
    rolls the whole chain back."""
    now = timezone.now()
    if period.is_preference or period.opened_at is None:
        raise NotAllowed
    if now >= period.closes_at:
        raise RoundClosed
    walk = timedelta(minutes=period.walk_minutes)
    try:
        with transaction.atomic():
            needs = {
                n.key: n for n in family_needs(parent=parent, period=period, separate=separate)
            }
            if not choices or any(key not in needs for key in choices):
                raise NotAllowed
            chosen = [needs[key] for key in choices]
            _lock_parents(parent, [n.pupil for n in chosen])
            slots = {
                s.pk: s
                for s in Slot.objects.filter(
                    pk__in=list(choices.values()),
                    round__in=[n.conference for n in chosen],
                    starts_at__gt=now,
                ).select_related("round")
            }
            picked: list[tuple[Need, Slot]] = []
            for key, slot_id in choices.items():
                slot = slots.get(slot_id)
                if slot is None or slot.round_id != needs[key].conference.pk:
                    raise SlotTaken
                picked.append((needs[key], slot))
            talks = [_option(s, n.conference) for n, s in picked]
            for i, a in enumerate(talks):
                for b in talks[i + 1 :]:
                    if clash(a, b, walk):
                        raise WalkTooShort(period.walk_minutes)
            busy = family_busy(parent=parent, needs=chosen)
            if any(clash(t, b, walk) for t in talks for b in busy):
                raise WalkTooShort(period.walk_minutes)
            for need, _slot in picked:
                Slot.objects.filter(
                    round=need.conference, pupil=need.pupil, household=need.household
                ).update(pupil=None, booked_by=None, booked_at=None, household=None)
            for need, slot in picked:
                claimed = Slot.objects.filter(pk=slot.pk, pupil__isnull=True).update(
                    pupil=need.pupil, booked_by=parent, booked_at=now, household=need.household
                )
                if claimed != 1:
                    raise SlotTaken
                slot.pupil, slot.booked_by, slot.household = need.pupil, parent, need.household
            _confirm_later(parent=parent, period=period)
            return [s for _n, s in picked]
    except IntegrityError:
        raise ChildAlreadyPlanned from None


def _lock_parents(parent: Parent, pupils: list[Pupil]) -> None:
    """Lock the booking parent and every guardian of the children, in id order (see
    services._lock_household): two chains of one family run one after the other."""
    guardians = Guardianship.objects.filter(pupil__in=pupils).values("parent_id")
    # The booking parent is a guardian of the children or may not book: one IN (no OR), so
    # the database reaches the rows through the guardianship index.
    rows = dict(
        Parent.objects.select_for_update()
        .filter(pk__in=guardians)
        .order_by("pk")
        .values_list("pk", "is_blocked")
    )
    if rows.get(parent.pk) is not False:
        raise NotAllowed


def _confirm_later(*, parent: Parent, period: ConferencePeriod) -> None:
    from conferences.period_tasks import period_plan_confirm

    enqueue_with_transaction(period_plan_confirm, period_id=period.pk, parent_id=parent.pk)
