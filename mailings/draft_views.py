"""Concepten: the author's drafts and planned mailings. The compose page's "Opslaan als
concept" and "Later versturen" post here; a draft opens in the same compose page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from mailings.access import draft_for_staff, drafts_for_staff, mailings_for_staff
from mailings.drafts import (
    AMSTERDAM,
    draft_delete,
    draft_save,
    draft_schedule,
    draft_send_now,
    schedule_cancel,
    send_at_parse,
)
from mailings.models import Mailing
from mailings.question_models import MAX_CHOICES, Question
from mailings.questions import question_form_values, question_from_post
from mailings.services import MailingError, pending_for_staff
from mailings.views import _chosen, _compose_context, sent_answer
from schools.access import staff_required
from schools.models import group_sort_key


@staff_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    rows = (
        drafts_for_staff(request.staff)
        .prefetch_related("groups", "special_groups", "attachments")
        .order_by("-created_at", "-pk")
    )
    return render(request, "mailings/drafts.html", {"drafts": rows})


def _draft_context(request, draft: Mailing | None, groups, special_groups, individual, **extra):
    context = _compose_context(request, groups, special_groups, individual, **extra)
    context.update(
        draft=draft,
        kept_attachments=list(draft.attachments.all()) if draft is not None else [],
    )
    if draft is not None and "send_at" not in extra and draft.send_at is not None:
        context["send_at"] = timezone.localtime(draft.send_at, AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
    return context


def _question_values(draft: Mailing) -> dict:
    """The draft's stored question as the compose form shows it."""
    question = Question.objects.filter(mailing=draft).prefetch_related("choices").first()
    if question is None:
        return question_form_values(QueryDict())
    deadline = timezone.localtime(question.deadline, AMSTERDAM)
    labels = [c.label for c in question.choices.all()] if question.kind == "choice" else []
    return {
        "add": True,
        "prompt": question.prompt,
        "kind": question.kind,
        "labels": labels + [""] * (MAX_CHOICES - len(labels)),
        "day": deadline.strftime("%Y-%m-%d"),
        "time": deadline.strftime("%H:%M"),
    }


def _already_sent(request: HttpRequest, draft_id) -> HttpResponse:
    """The draft went meanwhile (its planned time came): say so instead of a bare 404."""
    mailing = (
        mailings_for_staff(request.staff).filter(sender=request.staff, public_id=draft_id).first()
    )
    if mailing is None:
        raise Http404
    messages.warning(
        request, _("Dit bericht is al verstuurd; uw laatste wijzigingen zijn niet opgeslagen.")
    )
    return redirect("mailings:detail", mailing.public_id)


@staff_required
@require_POST
def draft_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, draft_id) -> HttpResponse:
    if request.method == "POST":
        try:
            # Locked: the worker cannot send it while this change is being saved.
            draft = draft_for_staff(request, draft_id, for_update=True)
        except Http404:
            return _already_sent(request, draft_id)
        return _save(request, draft)
    draft = draft_for_staff(request, draft_id)
    if "group" in request.GET or "special" in request.GET:  # step 1 chose again
        groups, special_groups = _chosen(request, request.GET)
        individual = bool(request.GET.get("individual"))
    else:
        groups = sorted(draft.groups.all(), key=lambda g: group_sort_key(g.name))
        special_groups = list(draft.special_groups.all())
        individual = draft.individual
    context = _draft_context(
        request,
        draft,
        groups,
        special_groups,
        individual,
        subject=draft.subject,
        body=draft.body,
        chosen_parent_ids=set(draft.chosen_parents),
        question=_question_values(draft),
    )
    return render(request, "mailings/compose.html", context)


def _save(request: HttpRequest, draft: Mailing | None) -> HttpResponse:
    """Save the form as the draft, then, by the button pressed, leave it, plan it or send it;
    all in one transaction, so a refused plan or send keeps the draft as it was."""
    action = request.POST.get("action", "draft")
    groups, special_groups = _chosen(request, request.POST)
    individual = bool(request.POST.get("individual"))
    parent_ids = request.POST.getlist("parent") if individual else None
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    created = draft is None
    pending = pending_for_staff(staff=request.staff, ids=request.POST.getlist("kept"))
    then = None
    if action == "schedule":
        then = lambda mailing: draft_schedule(draft=mailing, send_at=send_at)  # noqa: E731
    elif action == "send":
        then = lambda mailing: draft_send_now(draft=mailing)  # noqa: E731
    try:
        question = question_from_post(request.POST)
        send_at = send_at_parse(request.POST.get("send_at", "")) if action == "schedule" else None
        mailing = draft_save(
            staff=request.staff,
            draft=draft,
            groups=groups,
            special_groups=special_groups,
            parent_ids=parent_ids,
            subject=subject,
            body=body,
            files=request.FILES.getlist("attachments"),
            remove_attachment_ids=request.POST.getlist("remove_attachment"),
            question=question,
            pending=pending,
            then=then,
        )
    except MailingError as error:
        if draft is not None:
            draft.refresh_from_db()
        context = _draft_context(
            request,
            draft,
            groups,
            special_groups,
            individual,
            error=error.message,
            problems=error.problems,
            subject=subject,
            body=body,
            send_at=request.POST.get("send_at", ""),
            chosen_parent_ids=set(parent_ids or []),
            question=question_form_values(request.POST),
            kept=pending,
        )
        return render(request, "mailings/compose.html", context, status=400)
    if action == "send":
        return _sent_now(request, mailing, groups, special_groups)
    audit_record(
        request=request,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.EDIT,
        obj=mailing,
        attachments=mailing.attachments.count(),
    )
    if action == "schedule":
        moment = formats.date_format(timezone.localtime(mailing.send_at, AMSTERDAM), "j F Y H:i")
        audit_record(
            request=request,
            action=AuditEvent.Action.CREATE,
            obj=mailing,
            object_type="mailingschedule",
            at=moment,
        )
        messages.success(
            request,
            _(
                "Het bericht wordt op %(moment)s verstuurd. Tot die tijd kunt u het wijzigen "
                "of het inplannen annuleren."
            )
            % {"moment": moment},
        )
    else:
        messages.success(request, _("Het bericht is opgeslagen bij de concepten."))
    return redirect("mailings:drafts")


def _sent_now(request, mailing, groups, special_groups) -> HttpResponse:
    audit_record(
        request=request,
        action=AuditEvent.Action.SEND,
        obj=mailing,
        recipients=mailing.recipient_count,
        skipped=len(mailing.skipped_recipients),
        attachments=mailing.attachments.count(),
        groups=[g.name for g in groups],
        special_groups=[s.name for s in special_groups],
    )
    return sent_answer(request, mailing)


@staff_required
@require_POST
def draft_unschedule(request: HttpRequest, draft_id) -> HttpResponse:
    try:
        draft = draft_for_staff(request, draft_id)
    except Http404:
        return _already_sent(request, draft_id)
    if schedule_cancel(draft=draft):
        audit_record(
            request=request,
            action=AuditEvent.Action.DELETE,
            obj=draft,
            object_type="mailingschedule",
        )
        messages.success(
            request, _("Het inplannen is geannuleerd. Het bericht staat bij de concepten.")
        )
    elif not Mailing.objects.filter(pk=draft.pk, status=Mailing.Status.DRAFT).exists():
        return _already_sent(request, draft_id)
    return redirect("mailings:drafts")


@staff_required
@require_POST
def draft_remove(request: HttpRequest, draft_id) -> HttpResponse:
    try:
        draft = draft_for_staff(request, draft_id, for_update=True)
    except Http404:
        return _already_sent(request, draft_id)
    subject = draft.subject
    audit_record(request=request, action=AuditEvent.Action.DELETE, obj=draft, subject=subject)
    draft_delete(draft=draft)
    messages.success(request, _("Het concept is verwijderd."))
    return redirect("mailings:drafts")
