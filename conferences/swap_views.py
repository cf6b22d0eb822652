"""Swap requests after a period's plan went out: the parent asks for another free time of
the same teacher, the teacher approves or refuses (conferences.swaps)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from conferences import swaps
from conferences.period_access import period_for_parent, swap_for_decision
from conferences.services import ConferenceError
from schools.access import parent_required, staff_required


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "D j M H:i")


def _times(swap) -> dict:
    return {"old": _when(swap.from_starts_at), "new": _when(swap.to_slot.starts_at)}


@parent_required
@require_POST
def swap_ask(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_parent(request, period_id)
    back = reverse("conferences:period_family", args=[period.public_id])
    try:
        slot_id, to_slot_id = int(request.POST.get("slot", "")), int(request.POST.get("to", ""))
    except ValueError:
        messages.error(request, _("Kies een andere tijd."))
        return redirect(back)
    try:
        swap = swaps.swap_request(
            parent=request.parent, period=period, slot_id=slot_id, to_slot_id=to_slot_id
        )
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(back)
    audit_record(request=request, action="create", obj=swap, **_times(swap))
    messages.success(
        request,
        _(
            "Uw verzoek is naar de leerkracht gestuurd. "
            "U krijgt een e-mail zodra er een besluit is."
        ),
    )
    return redirect(back)


def _detail(swap) -> str:
    return reverse("conferences:period_detail", args=[swap.period.public_id])


@staff_required
@require_POST
def swap_approve(request: HttpRequest, period_id, swap_id) -> HttpResponse:
    swap = swap_for_decision(request, period_id, swap_id)
    try:
        swaps.swap_approve(swap=swap, staff=request.staff)
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(_detail(swap))
    audit_record(request=request, action="move", obj=swap, **_times(swap))
    messages.success(request, _("Het gesprek is verplaatst; het gezin krijgt de nieuwe tijd."))
    return redirect(_detail(swap))


@staff_required
@require_POST
def swap_refuse(request: HttpRequest, period_id, swap_id) -> HttpResponse:
    swap = swap_for_decision(request, period_id, swap_id)
    try:
        swaps.swap_refuse(swap=swap, staff=request.staff)
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(_detail(swap))
    audit_record(request=request, action="edit", obj=swap, **_times(swap))
    messages.success(request, _("Het verzoek is geweigerd; de ouder krijgt bericht."))
    return redirect(_detail(swap))
