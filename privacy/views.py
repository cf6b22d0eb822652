import json

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.services import audit_record
from privacy.services import parent_erase, parent_export
from schools.access import administrator_required, parent_for_staff, parents_for_staff
from schools.models import ParentTombstone


@administrator_required
def requests(request: HttpRequest) -> HttpResponse:
    """AVG requests: find a parent, then export or erase everything about them."""
    query = request.GET.get("q", "").strip()
    parents = []
    if len(query) >= 2:
        parents = (
            parents_for_staff(request.staff)
            .filter(
                Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(email__icontains=query)
            )
            .prefetch_related("pupils")[:25]
        )
    return render(request, "privacy/requests.html", {"query": query, "parents": parents})


@administrator_required
def export(request: HttpRequest, parent_id) -> HttpResponse:
    parent = parent_for_staff(request, parent_id)
    document = parent_export(parent=parent)
    audit_record(request=request, action="export", obj=parent)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="avg-export-ouder-{parent.pk}.json"'
    return response


@administrator_required
def erase(request: HttpRequest, parent_id) -> HttpResponse:
    parent = parent_for_staff(request, parent_id)
    if request.method == "POST":
        parent_erase(parent=parent, request=request, remember=ParentTombstone.Reason.ERASED)
        messages.success(request, _("Alle gegevens van deze ouder zijn gewist."))
        return redirect("privacy:requests")
    return render(request, "privacy/erase_confirm.html", {"parent": parent})
