from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import AuditEvent
from audit.sentences import describe
from schools.access import manager_required


@manager_required
def log(request: HttpRequest) -> HttpResponse:
    """The directie and beheerder read (and filter) their school's audit log."""
    events = AuditEvent.objects.filter(school=request.staff.school)
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        events = events.filter(actor_label__icontains=actor)
    object_id = request.GET.get("object", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = list(zip(page, describe(page, reader=request.staff), strict=True))
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "rows": rows,
            "actions": AuditEvent.Action.choices,
            "filters": {"action": action, "actor": actor, "object": object_id},
        },
    )
