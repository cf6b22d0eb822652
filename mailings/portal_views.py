"""Berichten in the ouderportaal: every message the school sent this parent record, newest
first, and each message with its attachments. Opening one records that the parent read it
(the only read status OCS knows: no tracking pixels, no rewritten links)."""

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mailings.access import attachment_for_parent, message_for_parent, messages_for_parent
from mailings.models import OutgoingMessage
from mailings.questions import question_for_parent
from schools.access import (
    CURRENT_SCHOOL_KEY,
    parent_records_of,
    parent_required,
    pupils_for_parent,
)

PER_PAGE = 25


def _subject(message: OutgoingMessage) -> str:
    if message.mailing_id is not None:
        return message.mailing.subject
    return (message.payload or {}).get("subject", "")


def _body(message: OutgoingMessage) -> str:
    if message.mailing_id is not None:
        return message.mailing.body
    return (message.payload or {}).get("text", "")


@parent_required
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    """Four queries whatever the number of messages: children, count, page, groups."""
    children = list(pupils_for_parent(request.parent).order_by("first_name", "pk"))
    messages = (
        messages_for_parent(request.parent)
        .select_related("mailing__question")
        .prefetch_related("mailing__groups")
        .order_by("-created_at", "-pk")
    )
    chosen = next((c for c in children if str(c.public_id) == request.GET.get("kind")), None)
    if chosen is not None:
        messages = messages.filter(mailing__groups=chosen.group_id)
    page = Paginator(messages, PER_PAGE).get_page(request.GET.get("pagina"))
    rows = []
    for message in page:
        groups = (
            {g.pk for g in message.mailing.groups.all()}
            if message.mailing_id is not None
            else set()
        )
        rows.append(
            {
                "message": message,
                "subject": _subject(message),
                "preview": _body(message),
                "children": [c for c in children if c.group_id in groups],
            }
        )
    context = {
        "rows": rows,
        "page": page,
        "children": children,
        "chosen": chosen,
        "now": timezone.now(),
    }
    return render(request, "mailings/portal_list.html", context)


@parent_required
@require_GET
def portal_detail(request: HttpRequest, message_id) -> HttpResponse:
    message = message_for_parent(request, message_id)
    if message.read_at is None:
        # Conditional: the first opening counts, a second tab does not move it.
        OutgoingMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    context = {
        "message": message,
        "subject": _subject(message),
        "body": _body(message),
        "attachments": list(message.mailing.attachments.all()) if message.mailing_id else [],
        "mailing": message.mailing,
        "question": question_for_parent(mailing=message.mailing, parent=request.parent),
    }
    return render(request, "mailings/portal_detail.html", context)


@parent_required
@require_GET
def portal_mailing(request: HttpRequest, mailing_id) -> HttpResponse:
    """The link "Lees dit bericht in het ouderportaal" in a mailing: the same for every
    recipient, it leads each parent to their own copy. A parent with children at two schools
    may be looking at the other school: when the mailing went to their own record at that
    school, the session switches there first (as the header's school switch does). Anyone
    else gets 404."""
    # The login's unblocked parent records, each at its own school (a few rows at most).
    own = dict(parent_records_of(request.user).values_list("pk", "school_id"))
    rows = [
        (message_id, school_id, parent_id)
        for message_id, school_id, parent_id in OutgoingMessage.objects.filter(
            mailing__public_id=mailing_id,
            parent_id__in=list(own),
            carries_secret=False,
            is_sender_copy=False,
        ).values_list("public_id", "school_id", "parent_id")
        if school_id == own[parent_id]  # the school's own mail to its own parent record
    ]
    if not rows:
        raise Http404
    rows.sort(key=lambda row: row[2] != request.parent.pk)  # the current school's first
    message_id, school_id, _parent_id = rows[0]
    if school_id != request.parent.school_id:
        request.session[CURRENT_SCHOOL_KEY] = school_id
    return redirect("mailings:portal_detail", message_id)


@parent_required
@require_GET
def portal_attachment(request: HttpRequest, message_id, attachment_id) -> HttpResponse:
    item = attachment_for_parent(request, message_id, attachment_id)
    try:
        handle = default_storage.open(item.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.mimetype
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
