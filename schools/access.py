"""Who may see what. Every view fetches its objects through these helpers.

A stranger to an object gets 404 (we do not confirm that it exists); someone who may see it
but not change it gets 403. Templates only hide buttons; these helpers guard the data.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse

from schools.models import Group, Parent, Pupil, StaffMember


def staff_of(request: HttpRequest) -> StaffMember | None:
    """The active staff role of the logged-in user, or None."""
    if not hasattr(request, "_ocs_staff"):
        staff = None
        if request.user.is_authenticated:
            staff = (
                StaffMember.objects.select_related("school", "user")
                .filter(user=request.user, is_active=True)
                .first()
            )
        request._ocs_staff = staff
    return request._ocs_staff


def parent_of(request: HttpRequest) -> Parent | None:
    """The parent record of the logged-in user, or None when absent or blocked."""
    if not hasattr(request, "_ocs_parent"):
        parent = None
        if request.user.is_authenticated:
            parent = (
                Parent.objects.select_related("school")
                .filter(user=request.user, is_blocked=False)
                .first()
            )
        request._ocs_parent = parent
    return request._ocs_parent


def _mark(view: Callable, access: str) -> Callable:
    # Read by the URL classification test: every route must say who may use it.
    view.ocs_access = access
    return view


def public(view: Callable) -> Callable:
    """Reachable without logging in (start pages, login, password links)."""
    return _mark(view, "public")


def staff_required(view: Callable) -> Callable:
    """Logged-in staff only; sets request.staff. Parents get 403, strangers the login."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:staff_login"))
        staff = staff_of(request)
        if staff is None:
            raise PermissionDenied
        request.staff = staff
        return view(request, *args, **kwargs)

    return _mark(wrapper, "staff")


def manager_required(view: Callable) -> Callable:
    """Directie or beheerder of the school."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.is_manager:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _mark(wrapper, "manager")


def administrator_required(view: Callable) -> Callable:
    """The beheerder of the school: imports, invitations, AVG requests."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.is_administrator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _mark(wrapper, "administrator")


def parent_required(view: Callable) -> Callable:
    """Logged-in, unblocked parents only; sets request.parent."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:parent_login"))
        parent = parent_of(request)
        if parent is None:
            raise PermissionDenied
        request.parent = parent
        return view(request, *args, **kwargs)

    return _mark(wrapper, "parent")


def groups_for_staff(staff: StaffMember) -> QuerySet[Group]:
    groups = Group.objects.filter(school=staff.school)
    if not staff.is_manager:
        groups = groups.filter(teachers=staff)
    return groups


def group_for_staff(request: HttpRequest, group_id) -> Group:
    try:
        return groups_for_staff(request.staff).get(public_id=group_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def parents_for_staff(staff: StaffMember) -> QuerySet[Parent]:
    """Parents of the school (managers) or of the staff member's groups (teachers)."""
    parents = Parent.objects.filter(school=staff.school)
    if not staff.is_manager:
        parents = parents.filter(pupils__group__teachers=staff).distinct()
    return parents


def parent_for_staff(request: HttpRequest, parent_id, *, edit: bool = False) -> Parent:
    try:
        parent = parents_for_staff(request.staff).get(public_id=parent_id)
    except (Parent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if edit and not request.staff.can_edit_parents:
        raise PermissionDenied
    return parent


def pupils_for_parent(parent: Parent) -> QuerySet[Pupil]:
    return parent.pupils.filter(group__isnull=False).select_related("group")
