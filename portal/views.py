from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schools.access import parent_required, public, pupils_for_parent


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
    return render(request, "portal/privacy.html")
