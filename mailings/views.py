from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from mailings.access import (
    attachment_for_staff,
    mailing_for_staff,
    mailings_for_staff,
)
from mailings.attachments import ALLOWED, MAX_FILE_SIZE, MAX_TOTAL_SIZE
from mailings.models import OutgoingMessage
from mailings.questions import (
    mailing_send_with_question,
    question_form_values,
    question_from_post,
    question_tally,
)
from mailings.reminder_feedback import reminder_feedback
from mailings.selectors import mailing_reach, with_counts
from mailings.services import (
    MailingError,
    mailing_candidates,
    mailing_recipients,
    mailing_remind,
    pending_for_staff,
    skip_reason_label,
    uploads_keep,
)
from schools.access import groups_for_staff, staff_required
from schools.models import group_sort_key
from specialgroups.selectors import special_groups_for_staff

Status = OutgoingMessage.Status

# The status page of a mailing: families per page, and families not reached listed by name.
FAMILIES_PER_PAGE = 50
NOT_REACHED_SHOWN = 50


def _chosen(request: HttpRequest, data) -> tuple[list, list]:
    """The groups and special groups named in the request, each one the staff member may
    mail; an id they may not use (or that does not exist) is a 404, never a silent skip."""
    group_ids = set(data.getlist("group"))
    special_ids = set(data.getlist("special"))
    groups = []
    special_groups = []
    try:
        if group_ids:
            groups = list(groups_for_staff(request.staff).filter(public_id__in=group_ids))
        if special_ids:
            special_groups = list(
                special_groups_for_staff(request.staff).filter(public_id__in=special_ids)
            )
    except (ValueError, ValidationError):  # a malformed UUID
        raise Http404 from None
    if len(groups) != len(group_ids) or len(special_groups) != len(special_ids):
        raise Http404
    groups.sort(key=lambda g: group_sort_key(g.name))
    return groups, special_groups


def _compose_context(request, groups, special_groups, individual, **extra) -> dict:
    all_groups = sorted(groups_for_staff(request.staff), key=lambda g: group_sort_key(g.name))
    context = {
        "all_groups": all_groups,
        "all_special_groups": list(special_groups_for_staff(request.staff)),
        "groups": groups,
        "special_groups": special_groups,
        "chosen_group_ids": {str(g.public_id) for g in groups},
        "chosen_special_ids": {str(s.public_id) for s in special_groups},
        "individual": individual,
        "max_file_size": MAX_FILE_SIZE,
        "max_total_size": MAX_TOTAL_SIZE,
        "allowed_extensions": " ".join(sorted(ALLOWED)),
    }
    if groups or special_groups:
        candidates = mailing_candidates(
            staff=request.staff, groups=groups, special_groups=special_groups
        )
        recipients = mailing_recipients(candidates=candidates)
        skipped = {p.pk: skip_reason_label(reason) for p, reason in recipients.skipped}
        context.update(
            candidates=[(p, skipped.get(p.pk, "")) for p in candidates],
            sections=_sections(candidates, skipped, groups, special_groups),
            reachable_count=len(recipients.reachable),
            skipped=[(p, skip_reason_label(reason)) for p, reason in recipients.skipped],
        )
    context.update(extra)
    return context


def _sections(candidates, skipped, groups, special_groups) -> list[tuple[str, list]]:
    """The parents to tick, per chosen group or special group (each parent once, under the
    first one that holds them), so a teacher can select a whole group at once."""
    from specialgroups.models import Signup

    members = defaultdict(set)
    signups = Signup.objects.filter(special_group__in=special_groups)
    for special_id, parent_id in signups.values_list("special_group_id", "parent_id"):
        members[special_id].add(parent_id)
    placed: set[int] = set()
    sections = []
    for owner in [*groups, *special_groups]:
        if owner in groups:
            inside = [
                p for p in candidates if any(c.group_id == owner.pk for c in p.current_pupils)
            ]
        else:
            inside = [p for p in candidates if p.pk in members[owner.pk]]
        rows = [(p, skipped.get(p.pk, "")) for p in inside if p.pk not in placed]
        placed.update(p.pk for p in inside)
        if rows:
            sections.append((owner.name, rows))
    return sections


@staff_required
@require_GET
def compose(request: HttpRequest) -> HttpResponse:
    """Step 1 chooses groups (a GET form, so a link can preselect them); with a choice the
    page also shows step 2: attachments, parents (when individual), subject and message."""
    groups, special_groups = _chosen(request, request.GET)
    individual = bool(request.GET.get("individual"))
    context = _compose_context(
        request, groups, special_groups, individual, question=question_form_values(request.GET)
    )
    return render(request, "mailings/compose.html", context)


@staff_required
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    groups, special_groups = _chosen(request, request.POST)
    individual = bool(request.POST.get("individual"))
    parent_ids = request.POST.getlist("parent") if individual else None
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    # Files accepted now or kept from the previous attempt stay with the form when it comes
    # back (another file refused, a field missing): the teacher never chooses them again.
    kept = pending_for_staff(staff=request.staff, ids=request.POST.getlist("kept"))
    added, refused = uploads_keep(staff=request.staff, files=request.FILES.getlist("attachments"))
    kept += added
    try:
        question = question_from_post(request.POST)
        if refused:
            raise MailingError(" ".join(refused), refused)
        mailing = mailing_send_with_question(
            question=question,
            staff=request.staff,
            groups=groups,
            special_groups=special_groups,
            parent_ids=parent_ids,
            subject=subject,
            body=body,
            files=[],
            pending=kept,
        )
    except MailingError as error:
        context = _compose_context(
            request,
            groups,
            special_groups,
            individual,
            error=error.message,
            problems=error.problems,
            subject=subject,
            body=body,
            chosen_parent_ids=set(parent_ids or []),
            question=question_form_values(request.POST),
            kept=kept,
        )
        return render(request, "mailings/compose.html", context, status=400)
    audit_record(
        request=request,
        action=AuditEvent.Action.SEND,
        obj=mailing,
        recipients=mailing.recipient_count,
        skipped=len(mailing.skipped_recipients),
        attachments=mailing.attachments.count(),
        groups=[g.name for g in groups],
        special_groups=[s.name for s in special_groups],
        question=mailing.question_created is not None,
    )
    return sent_answer(request, mailing)


def sent_answer(request: HttpRequest, mailing) -> HttpResponse:
    """The page after a mailing went to the outbox (now, or from a draft): how many parents
    it goes to, and who was not reached and why."""
    messages.success(
        request,
        ngettext(
            "Uw bericht wordt verstuurd naar %(count)s ouder. U ontvangt zelf een kopie.",
            "Uw bericht wordt verstuurd naar %(count)s ouders. U ontvangt zelf een kopie.",
            mailing.recipient_count,
        )
        % {"count": mailing.recipient_count},
    )
    if mailing.skipped_recipients:
        names = ", ".join(
            f"{parent.full_name} ({skip_reason_label(reason)})"
            for parent, reason in mailing.skipped_recipients
        )
        messages.warning(request, _("Niet bereikt: %(names)s.") % {"names": names})
    return redirect("mailings:detail", mailing.public_id)


@staff_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    mailings = with_counts(mailings_for_staff(request.staff))[:200]
    return render(
        request,
        "mailings/sent.html",
        {"mailings": mailings, "show_sender": request.staff.is_manager},
    )


@staff_required
@require_GET
def detail(request: HttpRequest, mailing_id) -> HttpResponse:
    mailing = mailing_for_staff(request, mailing_id, with_counts=True)
    reach = mailing_reach(mailing)
    # A school-wide mailing has hundreds of families: the figures count them all, the table
    # and the list of families not reached show one page at a time.
    families = Paginator(reach.families, FAMILIES_PER_PAGE).get_page(request.GET.get("pagina"))
    not_reached = reach.not_reached
    context = {
        "mailing": mailing,
        "reach": reach,
        "families": families,
        "not_reached": not_reached[:NOT_REACHED_SHOWN],
        "not_reached_more": max(0, len(not_reached) - NOT_REACHED_SHOWN),
        # The sender's copy and recipients without a parent record (not in a family).
        "others": list(
            mailing.messages.filter(Q(is_sender_copy=True) | Q(parent__isnull=True)).order_by(
                "is_sender_copy", "name", "email"
            )
        ),
        "attachments": list(mailing.attachments.all()),
        "groups": list(mailing.groups.all()),
        "special_groups": list(mailing.special_groups.all()),
        "done": mailing.sent_count + mailing.failed_count + mailing.bounced_count,
        "busy": mailing.sent_count + mailing.failed_count + mailing.bounced_count < mailing.total,
        "skipped": [(item["name"], skip_reason_label(item["reason"])) for item in mailing.skipped],
    }
    if request.htmx:
        return render(request, "mailings/_status.html", context)
    context["tally"] = question_tally(
        mailing=mailing,
        reach=reach,
        groups=context["groups"],
        special_groups=context["special_groups"],
    )
    return render(request, "mailings/detail.html", context)


@staff_required
@require_POST
def remind(request: HttpRequest, mailing_id) -> HttpResponse:
    mailing = mailing_for_staff(request, mailing_id)
    result = mailing_remind(mailing=mailing)
    if result.families:
        audit_record(
            request=request, action=AuditEvent.Action.SEND, obj=mailing, reminders=result.families
        )
    reminder_feedback(
        request,
        families=result.families,
        already_today=result.already_today,
        unreachable=result.unreachable,
        nothing_to_do=_("Alle gezinnen hebben het bericht gelezen."),
    )
    return redirect("mailings:detail", mailing.public_id)


@staff_required
@require_GET
def attachment(request: HttpRequest, mailing_id, attachment_id) -> HttpResponse:
    item = attachment_for_staff(request, mailing_id, attachment_id)
    try:
        handle = default_storage.open(item.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.mimetype
    )
    response["X-Content-Type-Options"] = "nosniff"
    audit_record(
        request=request, action=AuditEvent.Action.DOWNLOAD, obj=item, school=request.staff.school
    )
    return response
