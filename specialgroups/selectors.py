"""Who may join a special group, who sees which, and the per-object fetch helpers.

Eligibility (parents): a group without activity and without hoofdgroep is open to every
unblocked parent of the school with a current pupil; with a hoofdgroep, to the parents of that
group's pupils; a group with activity, to the parents of pupils in any of its groups.

Staff visibility: directie and beheerder see every special group of their school. A teacher
sees the school-wide ones (no activity, no hoofdgroep), the ones whose hoofdgroep or eligible
groups include one of their own groups, and the ones they created.
Changing a group (edit, delete, adding or removing members): its creator or a manager; anyone
else who sees it may read it (members, PDF, mail) and gets 403 on a change.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from schools.models import Guardianship, Parent, Pupil, StaffMember
from specialgroups.models import Signup, SpecialGroup

EligibleGroup = SpecialGroup.eligible_groups.through


def _current_group_ids_of(parent: Parent):
    return Pupil.objects.filter(
        guardianships__parent=parent, group__isnull=False, school_id=parent.school_id
    ).values("group_id")


def special_groups_open_to_parent(parent: Parent) -> QuerySet[SpecialGroup]:
    """The special groups this parent may see and join (open or closed for sign-up)."""
    if parent.is_blocked:
        return SpecialGroup.objects.none()
    group_ids = _current_group_ids_of(parent)
    return SpecialGroup.objects.filter(school_id=parent.school_id).filter(
        Q(has_activity=False, main_group__isnull=True) & Exists(group_ids)
        | Q(has_activity=False, main_group__in=group_ids)
        | Q(has_activity=True)
        & Exists(EligibleGroup.objects.filter(specialgroup_id=OuterRef("pk"), group__in=group_ids))
    )


def parent_may_join(*, special_group: SpecialGroup, parent: Parent) -> bool:
    return special_groups_open_to_parent(parent).filter(pk=special_group.pk).exists()


def parents_eligible_for(special_group: SpecialGroup) -> QuerySet[Parent]:
    """Unblocked parents with a current pupil in the group(s) the special group is open to."""
    pupils = Guardianship.objects.filter(parent=OuterRef("pk"), pupil__group__isnull=False)
    if special_group.has_activity:
        pupils = pupils.filter(
            pupil__group__in=EligibleGroup.objects.filter(specialgroup_id=special_group.pk).values(
                "group_id"
            )
        )
    elif special_group.main_group_id is not None:
        pupils = pupils.filter(pupil__group_id=special_group.main_group_id)
    return Parent.objects.filter(school_id=special_group.school_id, is_blocked=False).filter(
        Exists(pupils)
    )


def special_groups_for_staff(staff: StaffMember) -> QuerySet[SpecialGroup]:
    groups = SpecialGroup.objects.filter(school=staff.school)
    if staff.is_manager:
        return groups
    mine = staff.groups.values("pk")
    return groups.filter(
        Q(has_activity=False, main_group__isnull=True)
        | Q(main_group__in=mine)
        | Exists(EligibleGroup.objects.filter(specialgroup_id=OuterRef("pk"), group__in=mine))
        | Q(created_by_id=staff.user_id)
    )


def staff_may_change(staff: StaffMember, special_group: SpecialGroup) -> bool:
    return staff.is_manager or special_group.created_by_id == staff.user_id


def special_group_for_staff(request: HttpRequest, group_id, *, edit: bool = False) -> SpecialGroup:
    try:
        special_group = (
            special_groups_for_staff(request.staff)
            .select_related("main_group", "created_by")
            .get(public_id=group_id)
        )
    except (SpecialGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if edit and not staff_may_change(request.staff, special_group):
        raise PermissionDenied
    return special_group


def special_group_for_parent(request: HttpRequest, group_id) -> SpecialGroup:
    try:
        return special_groups_open_to_parent(request.parent).get(public_id=group_id)
    except (SpecialGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def with_counts(groups: QuerySet[SpecialGroup]) -> QuerySet[SpecialGroup]:
    """member_count: visible (unblocked) members; taken: every sign-up, which is what the
    maximum counts."""
    return groups.annotate(
        member_count=Count("signups", filter=Q(signups__parent__is_blocked=False), distinct=True),
        taken=Count("signups", distinct=True),
    )


def members_of(special_group: SpecialGroup) -> QuerySet[Signup]:
    """The visible members, with their current children and groups prefetched."""
    from django.db.models import Prefetch

    return (
        Signup.objects.filter(special_group=special_group, parent__is_blocked=False)
        .select_related("parent")
        .prefetch_related(
            Prefetch(
                "parent__pupils",
                queryset=Pupil.objects.filter(group__isnull=False)
                .select_related("group")
                .order_by("first_name"),
                to_attr="current_pupils",
            )
        )
        .order_by("parent__last_name", "parent__first_name")
    )


def signup_is_closed(special_group: SpecialGroup) -> bool:
    """Past the inclusive end date, in the school's time zone (Europe/Amsterdam)."""
    return (
        special_group.has_activity
        and special_group.signup_deadline is not None
        and timezone.localdate() > special_group.signup_deadline
    )


def mark_visible_contact(staff: StaffMember, members: list) -> list:
    """Sets `show_contact` on each sign-up. A school-wide special group brings together
    parents of many groups; a teacher sees the e-mail address and phone number only of the
    parents of their own groups (as everywhere in OCS), the directie and beheerder of all.
    Everyone else is reached through "Mail deze groep", which does not show addresses."""
    if staff.is_manager:
        visible = {signup.parent_id for signup in members}
    else:
        from schools.access import parents_for_staff

        visible = set(
            parents_for_staff(staff)
            .filter(pk__in=[signup.parent_id for signup in members])
            .values_list("pk", flat=True)
        )
    for signup in members:
        signup.show_contact = signup.parent_id in visible
    return members
