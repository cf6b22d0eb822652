"""Preference mode, with the database: families' wishes until the deadline, then one solve
for the whole period (conferences.planner), the teachers' review and moves by hand, and
publication with a mail (and .ics) to every family."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conferences.chains import Option, clash
from conferences.models import ChildWish, ConferencePeriod, PeriodWish, PlanNote, Slot
from conferences.period_mail import period_plan_mail_send
from conferences.periods import family_needs, period_rounds
from conferences.planner import DAY, Problem, PSlot, Talk, solve
from conferences.services import ConferenceError, NotAllowed, RoundClosed
from conferences.slots import AMSTERDAM, aware
from schools.models import Guardianship, Parent


class PlanError(ConferenceError):
    pass


# ---------------------------------------------------------------------------- wishes


@dataclass(frozen=True)
class ChildChoice:
    pupil_id: int
    separate: bool = False
    interpreter: bool = False
    child_joins: bool = False
    longer: bool = False


def period_days(period: ConferencePeriod) -> list[date]:
    days = set()
    for conference in period_rounds(period):
        days.update(conference.days)
    return sorted(days)


@transaction.atomic
def wishes_save(
    *,
    parent: Parent,
    period: ConferencePeriod,
    windows: list[tuple[date, time, time]],
    children: list[ChildChoice],
    note: str = "",
) -> PeriodWish:
    """The parent's availability (an empty list: any time) and wishes per child."""
    if not period.is_preference or period.opened_at is None:
        raise NotAllowed
    if timezone.now() >= period.closes_at:
        raise RoundClosed
    days = set(period_days(period))
    if any(day not in days or end <= start for day, start, end in windows):
        raise PlanError(_("Kies tijden op de gespreksdagen, met het eind na het begin."))
    mine = {n.pupil.pk for n in family_needs(parent=parent, period=period)}
    if any(c.pupil_id not in mine for c in children):
        raise NotAllowed
    wish, _created = PeriodWish.objects.update_or_create(
        period=period,
        parent=parent,
        defaults={
            "windows": [
                [d.isoformat(), a.strftime("%H:%M"), b.strftime("%H:%M")] for d, a, b in windows
            ],
            "note": note[:300],
        },
    )
    for c in children:
        ChildWish.objects.update_or_create(
            period=period,
            parent=parent,
            pupil_id=c.pupil_id,
            defaults={
                "separate": c.separate,
                "interpreter": c.interpreter,
                "child_joins": c.child_joins,
                "longer": c.longer,
            },
        )
    return wish


def wish_labels(*, period_id: int) -> dict[int, list[str]]:
    """What the teacher must know per child, from the guardians' wishes: "Name: tolk nodig,
    kind komt mee, langer gesprek (twee tijden)"."""
    labels = defaultdict(list)
    for wish in (
        ChildWish.objects.filter(period_id=period_id)
        .select_related("parent")
        .order_by("parent__last_name", "parent_id")
    ):
        flags = [
            str(label)
            for on, label in (
                (wish.interpreter, _("tolk nodig")),
                (wish.child_joins, _("kind komt mee")),
                (wish.longer, _("langer gesprek (twee tijden)")),
                (wish.separate, _("apart gesprek")),
            )
            if on
        ]
        if flags:
            labels[wish.pupil_id].append(f"{wish.parent.full_name}: {', '.join(flags)}")
    return labels


# ---------------------------------------------------------------------------- solve


def _minutes(moment: datetime, first: date) -> int:
    local = moment.astimezone(AMSTERDAM)
    return (local.date() - first).days * DAY + local.hour * 60 + local.minute


def build_problem(period: ConferencePeriod):
    """The period as a Problem, plus what is needed to write the result back."""
    rounds = list(period_rounds(period))
    by_group = {r.group_id: r for r in rounds}
    days = period_days(period)
    first = days[0] if days else timezone.localdate()
    slots = list(Slot.objects.filter(round__in=rounds).order_by("starts_at"))
    pslots = [
        PSlot(
            id=s.pk,
            teacher=s.round_id,
            start=_minutes(s.starts_at, first),
            end=_minutes(s.ends_at, first),
        )
        for s in slots
    ]
    links = (
        Guardianship.objects.filter(pupil__group_id__in=list(by_group), pupil__school=period.school)
        .select_related("pupil", "parent")
        .order_by("pupil_id", "parent_id")
    )
    guardians = defaultdict(list)
    pupils = {}
    for link in links:
        pupils[link.pupil_id] = link.pupil
        if not link.parent.is_blocked:
            guardians[link.pupil_id].append(link.parent_id)
    separate = defaultdict(set)
    asked = {}  # (pupil, parent) -> the guardian's wishes for the child
    for wish in ChildWish.objects.filter(period=period):
        if wish.parent_id in guardians.get(wish.pupil_id, []):
            asked[wish.pupil_id, wish.parent_id] = wish
            if wish.separate:
                separate[wish.pupil_id].add(wish.parent_id)

    def talk(pupil_id, household, teacher, parents):
        # A wish of any parent who comes counts for the talk.
        wishes = [asked[pupil_id, p] for p in parents if (pupil_id, p) in asked]
        return Talk(
            id=(pupil_id, household),
            teacher=teacher,
            parents=parents,
            longer=any(w.longer for w in wishes),
            interpreter=any(w.interpreter for w in wishes),
        )

    talks = []
    for pupil_id, pupil in sorted(pupils.items()):
        conference = by_group[pupil.group_id]
        everyone = guardians.get(pupil_id, [])
        apart = sorted(separate.get(pupil_id, ()))
        for parent_id in apart:
            talks.append(talk(pupil_id, parent_id, conference.pk, (parent_id,)))
        shared = tuple(p for p in everyone if p not in apart)
        if shared or not apart:
            talks.append(talk(pupil_id, None, conference.pk, shared))
    windows = {}
    for wish in PeriodWish.objects.filter(period=period):
        if wish.windows:
            windows[wish.parent_id] = [
                (
                    _minutes(aware(date.fromisoformat(d), time.fromisoformat(a)), first),
                    _minutes(aware(date.fromisoformat(d), time.fromisoformat(b)), first),
                )
                for d, a, b in wish.windows
            ]
    return Problem(
        slots=pslots,
        talks=talks,
        walk=period.walk_minutes,
        windows=windows,
        interpreters=period.interpreters,
    )


REASONS = {
    "teacher_full": gettext_lazy("Geen vrije tijd meer bij deze leerkracht."),
    "family_clash": gettext_lazy("Past niet naast de andere gesprekken van het gezin."),
    "no_pair": gettext_lazy(
        "Geen twee aansluitende vrije tijden meer voor een langer gesprek bij deze leerkracht."
    ),
}


def period_plan(*, period: ConferencePeriod, time_limit: float = 25.0, seed: int = 0):
    """Plan the whole period after the deadline. Writes the plan into the (still
    unpublished) rounds' times and a note for every talk that could not be placed or lies
    outside the family's times. One transaction; run again to start over."""
    if not period.is_preference or period.published_at is not None:
        raise NotAllowed
    if timezone.now() < period.closes_at:
        raise PlanError(_("Plannen kan pas na de sluitingsdatum voor de voorkeuren."))
    problem = build_problem(period)
    result = solve(problem, time_limit=time_limit, seed=seed)
    slots = {s.id: s for s in problem.slots}
    with transaction.atomic():
        Slot.objects.filter(round__period_link__period=period).update(
            pupil=None, booked_by=None, booked_at=None, household=None, follows=None
        )
        PlanNote.objects.filter(period=period).delete()
        now = timezone.now()
        notes = []
        for talk in problem.talks:
            pupil_id, household_id = talk.id
            slot_id = result.placed.get(talk.id)
            if slot_id is None:
                reason = str(REASONS[result.reasons[talk.id]])
                notes.append(
                    PlanNote(
                        period=period, pupil_id=pupil_id, household_id=household_id, reason=reason
                    )
                )
                continue
            held = problem.taken(talk, slot_id)
            Slot.objects.filter(pk=held[0]).update(
                pupil_id=pupil_id, household_id=household_id, booked_at=now
            )
            if len(held) == 2:
                Slot.objects.filter(pk=held[1]).update(
                    pupil_id=pupil_id, household_id=household_id, booked_at=now, follows=held[0]
                )
            span = PSlot(id=None, teacher=None, start=slots[held[0]].start, end=slots[held[-1]].end)
            outside = [p for p in talk.parents if not problem.inside(p, span)]
            if outside:
                notes.append(
                    PlanNote(
                        period=period,
                        pupil_id=pupil_id,
                        household_id=household_id,
                        placed=True,
                        reason=_("Buiten de opgegeven tijden: geen tijd die voor iedereen past."),
                    )
                )
        PlanNote.objects.bulk_create(notes)
        period.planned_at = now
        period.save(update_fields=["planned_at"])
    return result


def talk_parents(slot: Slot) -> list[int]:
    """Who comes to the talk: the household's parent, or every guardian of the child."""
    if slot.household_id:
        return [slot.household_id]
    return list(
        Guardianship.objects.filter(pupil_id=slot.pupil_id).values_list("parent_id", flat=True)
    )


def talk_relocate(*, period: ConferencePeriod, source: Slot, target: Slot) -> list[Slot]:
    """Move a talk (its first time `source`, and a longer talk's second time) to `target`
    (and the time right after it, for a longer talk) in the same round. Locks every time
    involved first (in id order), then checks that the new times are still free and do not
    clash with the family's other talks; raises PlanError with a Dutch reason otherwise.
    Returns the talk's new times. Call inside a transaction."""
    if source.follows_id is not None:
        raise NotAllowed
    if target.round_id != source.round_id:
        raise PlanError(_("Kies een vrije tijd van dezelfde leerkracht."))
    second = Slot.objects.filter(follows=source).first()
    wanted = [target]
    if second is not None:
        after = Slot.objects.filter(round_id=target.round_id, starts_at=target.ends_at).first()
        if after is None:
            raise PlanError(
                _("Een langer gesprek heeft twee aansluitende tijden nodig. Kies een andere tijd.")
            )
        wanted.append(after)
    mine = {source.pk} | ({second.pk} if second else set())
    ids = sorted(mine | {s.pk for s in wanted})
    rows = {
        s.pk: s
        for s in Slot.objects.select_for_update(of=("self",))
        .filter(round__period_link__period=period, pk__in=ids)
        .select_related("round")
        .order_by("pk")
    }
    if len(rows) != len(ids) or rows[source.pk].pupil_id is None:
        raise NotAllowed
    source = rows[source.pk]
    wanted = [rows[s.pk] for s in wanted]
    if any(s.pupil_id is not None and s.pk not in mine for s in wanted):
        raise PlanError(_("Deze tijd is niet meer vrij. Kies een andere tijd."))
    parents = talk_parents(source)
    others = (
        Slot.objects.filter(round__period_link__period=period, follows__isnull=True)
        .exclude(pk=source.pk)
        .filter(pupil__guardianships__parent__in=parents)
        .select_related("round")
        .distinct()
    )
    walk = timedelta(minutes=period.walk_minutes)
    moved = Option(
        key=target.pk,
        teacher=target.round.teacher_id,
        start=wanted[0].starts_at,
        end=wanted[-1].ends_at,
    )
    for other in others:
        if other.household_id and other.household_id not in parents:
            continue
        end = other.ends_at
        if (rest := Slot.objects.filter(follows=other).first()) is not None:
            end = rest.ends_at
        theirs = Option(
            key=other.pk, teacher=other.round.teacher_id, start=other.starts_at, end=end
        )
        if clash(moved, theirs, walk):
            raise PlanError(_("Deze tijd botst met een ander gesprek van het gezin."))
    pupil_id, household_id = source.pupil_id, source.household_id
    Slot.objects.filter(pk__in=mine).update(
        pupil=None, household=None, booked_at=None, booked_by=None, follows=None
    )
    now = timezone.now()
    Slot.objects.filter(pk=wanted[0].pk, pupil__isnull=True).update(
        pupil_id=pupil_id, household_id=household_id, booked_at=now
    )
    if len(wanted) == 2:
        Slot.objects.filter(pk=wanted[1].pk, pupil__isnull=True).update(
            pupil_id=pupil_id, household_id=household_id, booked_at=now, follows=wanted[0].pk
        )
    return wanted


def talk_move(*, period: ConferencePeriod, slot_id: int, to_slot_id: int) -> None:
    """The teacher moves a planned talk to a free time of the same teacher (before the plan
    is sent); refused when it would overlap another talk of the family (or leave too little
    time to walk)."""
    if period.published_at is not None:
        raise PlanError(_("De planning is al verstuurd."))
    with transaction.atomic():
        rows = {
            s.pk: s
            for s in Slot.objects.filter(
                round__period_link__period=period, pk__in=[slot_id, to_slot_id]
            )
        }
        source, target = rows.get(slot_id), rows.get(to_slot_id)
        if source is None or target is None or source.pupil_id is None:
            raise NotAllowed
        talk_relocate(period=period, source=source, target=target)


def period_publish(*, period: ConferencePeriod) -> int:
    """Every family gets its times by mail with the .ics; the rounds become visible in the
    portal. Returns the number of mails."""
    if period.planned_at is None:
        raise PlanError(_("Maak eerst een planning."))
    with transaction.atomic():
        locked = ConferencePeriod.objects.select_for_update().get(pk=period.pk)
        if locked.published_at is not None:
            return 0
        now = timezone.now()
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        period.published_at = now
        rounds = period_rounds(period)
        rounds.filter(published_at__isnull=True).update(published_at=now)
        parents = (
            Parent.objects.filter(
                school=period.school,
                is_blocked=False,
                pupils__conference_slots__round__in=rounds,
            )
            .exclude(email="")
            .distinct()
            .order_by("pk")
        )
        return sum(
            period_plan_mail_send(period=period, parent=parent, template="period_published")
            for parent in parents
        )
