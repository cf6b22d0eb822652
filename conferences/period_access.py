"""Fetch helpers for conference periods (see schools/access.py): a stranger gets 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest

from conferences.models import ConferencePeriod, PeriodRound, SwapRequest
from schools.access import groups_for_staff
from schools.models import Guardianship, Parent


def periods_for_staff(staff) -> QuerySet[ConferencePeriod]:
    """Periods with at least one group the staff member sees."""
    seen = PeriodRound.objects.filter(
        period=OuterRef("pk"), round__group__in=groups_for_staff(staff)
    )
    return ConferencePeriod.objects.filter(school=staff.school).filter(Exists(seen))


def period_for_staff(request: HttpRequest, period_id) -> ConferencePeriod:
    try:
        return periods_for_staff(request.staff).get(public_id=period_id)
    except (ConferencePeriod.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def period_for_change(request: HttpRequest, period_id) -> ConferencePeriod:
    """Opening, planning, moving and sending a period's plan: the directie and beheerder, or
    the teacher who opened it (for their own groups). Other teachers of its groups only see
    it (403)."""
    period = period_for_staff(request, period_id)
    staff = request.staff
    if not (staff.is_manager or period.created_by_id == staff.pk):
        raise PermissionDenied
    return period


def periods_for_parent(parent: Parent) -> QuerySet[ConferencePeriod]:
    """Opened periods with a round for a group of one of the parent's current children."""
    mine = Guardianship.objects.filter(parent=parent, pupil__group__isnull=False).filter(
        pupil__group__conference_rounds__period_link__period=OuterRef("pk")
    )
    return ConferencePeriod.objects.filter(school=parent.school, opened_at__isnull=False).filter(
        Exists(mine)
    )


def period_for_parent(request: HttpRequest, period_id) -> ConferencePeriod:
    try:
        return periods_for_parent(request.parent).get(public_id=period_id)
    except (ConferencePeriod.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def swap_for_decision(request: HttpRequest, period_id, swap_id) -> SwapRequest:
    """A swap request of a period the staff member sees (404 otherwise); deciding it is for
    the talk's teacher, the directie and beheerder, or who opened the period (403)."""
    period = period_for_staff(request, period_id)
    try:
        swap = SwapRequest.objects.select_related("period", "round", "to_slot", "pupil").get(
            period=period, public_id=swap_id
        )
    except (SwapRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    staff = request.staff
    if not (
        staff.is_manager or period.created_by_id == staff.pk or swap.round.teacher_id == staff.pk
    ):
        raise PermissionDenied
    return swap
