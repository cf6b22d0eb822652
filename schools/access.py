"""Who may see what. Every view fetches its objects through these helpers.

A stranger to an object gets 404 (we do not confirm that it exists); someone who may see it
but not change it gets 403. Templates only hide buttons; these helpers guard the data.
"""

from collections.abc import Callable
from functools import reduce, wraps
from operator import or_
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, device_classes

from schools.models import Group, Parent, Pupil, StaffMember

# The school whose pages a person with roles at several schools is looking at.
CURRENT_SCHOOL_KEY = "ocs_school"
# Set at login for a person with roles at more than one school, so that only they pay the
# query for the school switch in the header.
MULTI_SCHOOL_KEY = "ocs_multi_school"


def _for_current_school(request: HttpRequest, rows: QuerySet):
    """One row of a person's roles: the one at the school chosen in this session, else the
    first. Every page shows one school's data at a time; roles elsewhere are ignored."""
    wanted = request.session.get(CURRENT_SCHOOL_KEY)
    chosen = None
    for row in rows:
        if row.school_id == wanted:
            return row
        chosen = chosen or row
    return chosen


def _second_factor_state(request: HttpRequest) -> dict:
    """Annotations for the staff query: whether the login has a confirmed second factor,
    and whether the device this session passed (django-otp keeps its id in the session)
    still exists, is confirmed and is the login's own. The access check then costs the
    same one query with or without a second factor."""
    has_factor = [
        Exists(model.objects.filter(user_id=OuterRef("user_id"), confirmed=True))
        for model in device_classes()
    ]
    state = {"has_factor": ExpressionWrapper(reduce(or_, has_factor), BooleanField())}
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) or ""
    label, _slash, device_id = persistent_id.rpartition("/")
    try:
        model = apps.get_model(label)
        device_pk = int(device_id)
    except (LookupError, ValueError):
        return state
    if any(model is known for known in device_classes()):
        device = model.objects.filter(pk=device_pk, user_id=OuterRef("user_id"), confirmed=True)
        state["passed_factor"] = Exists(device)
    return state


def staff_of(request: HttpRequest) -> StaffMember | None:
    """The active staff role of the logged-in user at the current school, or None."""
    if not hasattr(request, "_ocs_staff"):
        staff = None
        if request.user.is_authenticated:
            staff = _for_current_school(
                request,
                StaffMember.objects.select_related("school", "user")
                .filter(user=request.user, is_active=True)
                .annotate(**_second_factor_state(request))
                .order_by("school__name", "pk"),
            )
        request._ocs_staff = staff
    return request._ocs_staff


def parent_of(request: HttpRequest) -> Parent | None:
    """The parent record of the logged-in user at the current school, or None when absent
    or blocked."""
    if not hasattr(request, "_ocs_parent"):
        parent = None
        if request.user.is_authenticated:
            parent = _for_current_school(
                request,
                Parent.objects.select_related("school")
                .filter(user=request.user, is_blocked=False)
                .order_by("school__name", "pk"),
            )
        request._ocs_parent = parent
    return request._ocs_parent


def parent_records_of(user) -> QuerySet[Parent]:
    """Every unblocked parent record of a login, at every school (portal overview only)."""
    return Parent.objects.filter(user=user, is_blocked=False).select_related("school")


def _mark(view: Callable, access: str) -> Callable:
    # Read by the URL classification test: every route must say who may use it.
    view.ocs_access = access
    return view


def public(view: Callable) -> Callable:
    """Reachable without logging in (start pages, login, password links)."""
    return _mark(view, "public")


def second_factor_redirect(request: HttpRequest, staff: StaffMember) -> HttpResponse | None:
    """Staff with a second factor must have used it in this session; where the school
    requires one, staff without a device must set it up first."""
    if getattr(staff, "passed_factor", False) and staff.has_factor:
        return None
    next_url = {"next": request.get_full_path()}
    if staff.has_factor:
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode(next_url)}")
    if staff.school.require_staff_2fa:
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode(next_url)}")
    return None


def staff_required(view: Callable | None = None, *, second_factor: bool = True) -> Callable:
    """Logged-in staff only; sets request.staff. Parents get 403, strangers the login.
    `second_factor=False` only for the pages that set up or check the second factor."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("accounts:staff_login"))
            staff = staff_of(request)
            if staff is None:
                raise PermissionDenied
            request.staff = staff
            if second_factor and (response := second_factor_redirect(request, staff)):
                return response
            return view(request, *args, **kwargs)

        return _mark(wrapper, "staff")

    return decorate(view) if view is not None else decorate


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


def account_required(view: Callable) -> Callable:
    """Any logged-in user who may use OCS (staff or parent): their own account pages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:parent_login"))
        staff = staff_of(request)
        if staff is None and parent_of(request) is None:
            raise PermissionDenied
        if staff is not None:
            request.staff = staff
            if response := second_factor_redirect(request, staff):
                return response
        else:
            request.parent = parent_of(request)
        return view(request, *args, **kwargs)

    return _mark(wrapper, "account")


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
