"""Swap requests after publication (preference mode): a parent asks to move one of their
talks to another free time of the same teacher; the teacher approves or refuses.

Approval is one transaction: the request row is locked (so one request is decided once),
then planning.talk_relocate locks the talk's times and the wanted times (in id order),
checks they are still free and fit the family's other talks, and moves the talk. Two
approvals into the same free time queue on the row lock; the second finds the time taken
and gets a friendly refusal. Every guardian of the talk gets a mail with the talk's new
time and an .ics with the same UID and a higher SEQUENCE, so calendars move the event
(a separate CANCEL with that UID would cancel the moved event as well)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from conferences.mail import portal_url, teacher_email
from conferences.models import ConferencePeriod, Slot, SwapRequest
from conferences.period_mail import parent_talks, period_ics
from conferences.planning import PlanError, talk_parents, talk_relocate
from conferences.services import NotAllowed
from schools.models import Parent, StaffMember


def _published(period: ConferencePeriod) -> None:
    if not period.is_preference or period.published_at is None:
        raise NotAllowed


def free_times(*, talk: Slot) -> list[Slot]:
    """Free future times of the talk's teacher (round) it could move to: for a longer talk,
    only times followed at once by another free time."""
    slots = list(Slot.objects.filter(round_id=talk.round_id).order_by("starts_at"))
    longer = any(s.follows_id == talk.pk for s in slots)
    free = {s.starts_at: s for s in slots if s.pupil_id is None}
    now = timezone.now()
    out = []
    for s in slots:
        if s.pupil_id is not None or s.starts_at <= now:
            continue
        if longer and s.ends_at not in free:
            continue
        out.append(s)
    return out


def swap_request(
    *, parent: Parent, period: ConferencePeriod, slot_id: int, to_slot_id: int
) -> SwapRequest:
    """The parent asks to move their talk (its first time `slot_id`) to `to_slot_id`. A newer
    request for the same talk replaces an open one."""
    _published(period)
    talk = next((s for s in parent_talks(period=period, parent=parent) if s.pk == slot_id), None)
    if talk is None:
        raise NotAllowed
    if talk.starts_at <= timezone.now():
        raise PlanError(_("Dit gesprek is al geweest."))
    target = next((s for s in free_times(talk=talk) if s.pk == to_slot_id), None)
    if target is None:
        raise PlanError(_("Deze tijd is niet meer vrij. Kies een andere tijd."))
    with transaction.atomic():
        now = timezone.now()
        SwapRequest.objects.filter(
            period=period,
            pupil_id=talk.pupil_id,
            household_id=talk.household_id,
            status=SwapRequest.Status.OPEN,
        ).update(status=SwapRequest.Status.WITHDRAWN, decided_at=now)
        return SwapRequest.objects.create(
            period=period,
            round_id=talk.round_id,
            parent=parent,
            pupil_id=talk.pupil_id,
            household_id=talk.household_id,
            from_starts_at=talk.starts_at,
            to_slot=target,
        )


def may_decide(*, staff: StaffMember, swap: SwapRequest) -> bool:
    """The talk's teacher, the directie and beheerder, or who opened the period."""
    return (
        staff.is_manager
        or swap.period.created_by_id == staff.pk
        or swap.round.teacher_id == staff.pk
    )


def requests_for(*, staff: StaffMember, period: ConferencePeriod):
    """Open requests the staff member may decide, oldest first."""
    rows = (
        SwapRequest.objects.filter(period=period, status=SwapRequest.Status.OPEN)
        .select_related("round__group", "round__teacher", "pupil", "parent", "to_slot", "period")
        .order_by("created_at")
    )
    return [r for r in rows if may_decide(staff=staff, swap=r)]


def _lock_open(swap: SwapRequest) -> SwapRequest:
    locked = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("period", "round", "to_slot")
        .get(pk=swap.pk)
    )
    if locked.status != SwapRequest.Status.OPEN:
        raise PlanError(_("Dit verzoek is al behandeld."))
    return locked


@transaction.atomic
def swap_approve(*, swap: SwapRequest, staff: StaffMember) -> Slot:
    """Move the talk to the asked time, or raise PlanError (the time was taken meanwhile, or
    it no longer fits the family's other talks): the request then stays open for the teacher
    to refuse. Mails every guardian of the talk its new time with the .ics."""
    swap = _lock_open(swap)
    period = swap.period
    _published(period)
    source = Slot.objects.filter(
        round_id=swap.round_id,
        pupil_id=swap.pupil_id,
        household_id=swap.household_id,
        follows__isnull=True,
    ).first()
    if source is None:
        raise PlanError(_("Dit gesprek bestaat niet meer."))
    try:
        moved = talk_relocate(period=period, source=source, target=swap.to_slot)
    except PlanError as error:
        raise PlanError(
            _("Deze ruil kan niet: %(reason)s Weiger het verzoek, dan krijgt de ouder bericht.")
            % {"reason": error}
        ) from None
    swap.status = SwapRequest.Status.APPROVED
    swap.decided_at = timezone.now()
    swap.decided_by = staff
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    new = Slot.objects.select_related(
        "round__group", "round__teacher__user", "round__school", "pupil", "continuation"
    ).get(pk=moved[0].pk)
    _mail_moved(period=period, swap=swap, talk=new)
    return new


@transaction.atomic
def swap_refuse(*, swap: SwapRequest, staff: StaffMember) -> None:
    swap = _lock_open(swap)
    swap.status = SwapRequest.Status.REFUSED
    swap.decided_at = timezone.now()
    swap.decided_by = staff
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    parent = swap.parent
    if parent.email and not parent.is_blocked:
        email_enqueue(
            to=parent.email,
            template="swap_refused",
            context={
                "parent": parent,
                "period": swap.period,
                "swap": swap,
                "school": swap.period.school,
                "link": portal_url(),
            },
            school=swap.period.school,
            parent=parent,
            pupil=swap.pupil,
            reply_to=teacher_email(swap.round),
        )


def _mail_moved(*, period: ConferencePeriod, swap: SwapRequest, talk: Slot) -> int:
    """Every guardian who comes to the talk: the new time, the old one that lapses, and the
    .ics of this talk (same UID, higher SEQUENCE: the calendar moves the event)."""
    sent = 0
    parents = Parent.objects.filter(pk__in=talk_parents(talk), is_blocked=False).exclude(email="")
    for parent in parents.order_by("pk"):
        email_enqueue(
            to=parent.email,
            template="swap_approved",
            context={
                "parent": parent,
                "period": period,
                "swap": swap,
                "talk": talk,
                "school": period.school,
                "link": portal_url(),
            },
            school=period.school,
            parent=parent,
            pupil=talk.pupil,
            reply_to=teacher_email(talk.round),
            attachments=[
                (
                    "oudergesprek.ics",
                    period_ics(period=period, parent=parent, talks=[talk]),
                    "text/calendar; method=PUBLISH",
                )
            ],
        )
        sent += 1
    return sent
