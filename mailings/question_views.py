"""Views of "Vraag om reactie": a parent's answer in the portal, the answers as a PDF and the
reminder to families that have not answered. Objects come through the access helpers."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from lib.pdf import document_data, pdf_response, render_typst
from mailings.access import mailing_for_staff, message_for_parent
from mailings.question_models import Question
from mailings.questions import (
    QuestionError,
    answers_pdf_data,
    answers_save,
    question_remind,
    question_tally,
)
from mailings.reminder_feedback import reminder_feedback
from schools.access import parent_required, staff_required


@parent_required
@require_POST
def portal_answer(request: HttpRequest, message_id) -> HttpResponse:
    """The parent's answers, one per child: fields "kind-<child's public id>" holding the
    position of the chosen answer."""
    message = message_for_parent(request, message_id)
    try:
        question = Question.objects.select_related("mailing").get(mailing_id=message.mailing_id)
    except Question.DoesNotExist:
        raise Http404 from None
    chosen = {
        key.removeprefix("kind-"): value
        for key, value in request.POST.items()
        if key.startswith("kind-") and value != ""
    }
    try:
        saved = answers_save(question=question, parent=request.parent, chosen=chosen)
    except QuestionError as error:
        messages.error(request, error.message)
        return redirect("mailings:portal_detail", message.public_id)
    if saved:
        audit_record(
            request=request,
            action=AuditEvent.Action.EDIT,
            obj=question,
            school=request.parent.school,
            pupils=[a.pupil_id for a in saved],
        )
    messages.success(request, _("Bedankt, uw antwoord is opgeslagen."))
    return redirect("mailings:portal_detail", message.public_id)


@staff_required
@require_GET
def answers_pdf(request: HttpRequest, mailing_id) -> HttpResponse:
    mailing = mailing_for_staff(request, mailing_id)
    tally = question_tally(mailing=mailing)
    if tally is None:
        raise Http404
    data = document_data(
        title=_("Antwoorden: %(subject)s") % {"subject": mailing.subject},
        subtitle=_("Antwoorden tot %(deadline)s") % {"deadline": tally.deadline},
        school=mailing.school,
        generated_on=timezone.localdate(),
    )
    data.update(
        question=tally.question.prompt,
        totals=" · ".join(f"{choice.display}: {count}" for choice, count in tally.choices)
        + " · "
        + _("geen antwoord: %(count)s") % {"count": len(tally.unanswered)},
        titles=[_("Kind"), _("Antwoord"), _("Gegeven door"), _("Op"), _("Ouders")],
        empty=_("Dit bericht ging niet naar ouders van kinderen in een groep."),
        groups=answers_pdf_data(tally=tally),
    )
    pdf = render_typst("answers.typ", data)
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=tally.question,
        school=mailing.school,
        count=len(tally.children),
    )
    return pdf_response(pdf, f"antwoorden-{mailing.subject}.pdf")


@staff_required
@require_POST
def remind(request: HttpRequest, mailing_id) -> HttpResponse:
    mailing = mailing_for_staff(request, mailing_id)
    try:
        result = question_remind(mailing=mailing, text=request.POST.get("text", ""))
    except QuestionError as error:
        messages.error(request, error.message)
        return redirect("mailings:detail", mailing.public_id)
    if result.families:
        audit_record(
            request=request,
            action=AuditEvent.Action.SEND,
            obj=mailing.question,
            school=mailing.school,
            reminders=result.families,
        )
    reminder_feedback(
        request,
        families=result.families,
        already_today=result.already_today,
        unreachable=result.unreachable,
        nothing_to_do=_("Voor elk kind is al geantwoord."),
    )
    return redirect("mailings:detail", mailing.public_id)
