from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schools.access import parent_of, parent_records_of, parent_required, public, staff_of
from schools.models import Pupil


@parent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The ouderportaal's start page: the parent's children and what asks for their action.

    A parent with children at several schools of this installation sees all children, each
    with their school; notices and the pages behind the menu are those of the current school
    (the switcher in the header changes it)."""
    from portal.notices import notices_for_parent

    records = list(parent_records_of(request.user))
    children = (
        Pupil.objects.filter(guardianships__parent__in=records, group__isnull=False)
        .select_related("group", "school")
        .distinct()
        .order_by("school__name", "first_name")
    )
    context = {
        "children": children,
        "several_schools": len({r.school_id for r in records}) > 1,
        "notices": notices_for_parent(request.parent),
    }
    return render(request, "portal/dashboard.html", context)


@public
def privacy(request: HttpRequest) -> HttpResponse:
    # Public, but a logged-in reader keeps their menu and their way back.
    if request.user.is_authenticated:
        staff = staff_of(request)
        if staff is not None:
            request.staff = staff
        elif (parent := parent_of(request)) is not None:
            request.parent = parent
    return render(request, "portal/privacy.html")
