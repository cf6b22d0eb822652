from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schools.access import parent_of, parent_required, public, pupils_for_parent, staff_of


@parent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The ouderportaal's start page: the parent's children and what asks for their action."""
    from portal.notices import notices_for_parent

    context = {
        "children": pupils_for_parent(request.parent).order_by("first_name"),
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
