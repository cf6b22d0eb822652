"""Fetch helpers for conference rounds, following schools/access.py: a stranger gets 404."""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest

from conferences.models import ConferenceRound
from schools.access import groups_for_staff
from schools.models import Guardianship, Parent, Pupil


def rounds_for_staff(staff) -> QuerySet[ConferenceRound]:
    """Rounds of the groups the staff member sees: the teacher's own groups, or every group
    of the school for directie and beheerder."""
    return ConferenceRound.objects.filter(
        school=staff.school, group__in=groups_for_staff(staff)
    ).select_related("group", "teacher", "teacher__user", "school")


def round_for_staff(request: HttpRequest, round_id) -> ConferenceRound:
    try:
        return rounds_for_staff(request.staff).get(public_id=round_id)
    except (ConferenceRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pupils_for_parent_current(parent: Parent) -> QuerySet[Pupil]:
    return parent.pupils.filter(group__isnull=False, school=parent.school).select_related("group")


def rounds_for_parent(parent: Parent) -> QuerySet[ConferenceRound]:
    """Published rounds of the groups of the parent's current children."""
    mine = Guardianship.objects.filter(parent=parent, pupil__group=OuterRef("group"))
    return (
        ConferenceRound.objects.filter(school=parent.school, published_at__isnull=False)
        .filter(Exists(mine))
        .select_related("group", "teacher", "teacher__user", "school")
    )


def round_for_parent(request: HttpRequest, round_id) -> ConferenceRound:
    try:
        return rounds_for_parent(request.parent).get(public_id=round_id)
    except (ConferenceRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
