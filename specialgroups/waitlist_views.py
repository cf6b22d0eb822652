"""Waiting list and lottery: the parent joins or leaves; staff turn the lottery on and draw."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from schools.access import parent_required, staff_required
from specialgroups import waitlist
from specialgroups.models import Signup, SpecialGroup
from specialgroups.selectors import (
    signup_is_closed,
    special_group_for_parent,
    special_group_for_staff,
    staff_may_change,
)
from specialgroups.services import SignupError
from throttle.limits import SIGNUP_PER_PARENT, TOO_MANY, rate_hit


@parent_required
@require_POST
def portal_wait(request: HttpRequest, group_id) -> HttpResponse:
    from specialgroups.views import _portal_answer

    special_group = special_group_for_parent(request, group_id)
    if not rate_hit(SIGNUP_PER_PARENT, request.parent.pk):
        return _portal_answer(request, special_group, "warning", str(TOO_MANY))
    try:
        waitlist.waitlist_join(special_group=special_group, parent=request.parent)
    except SignupError as exc:
        return _portal_answer(request, special_group, "warning", str(exc))
    if special_group.lottery:
        text = _("U doet mee aan de loting voor %(name)s.") % {"name": special_group.name}
    else:
        text = _(
            "U staat op de wachtlijst voor %(name)s. Komt er een plaats vrij, dan wordt u "
            "ingeschreven en krijgt u een e-mail."
        ) % {"name": special_group.name}
    return _portal_answer(request, special_group, "success", text)


@parent_required
@require_POST
def portal_unwait(request: HttpRequest, group_id) -> HttpResponse:
    from specialgroups.views import _portal_answer

    special_group = special_group_for_parent(request, group_id)
    waitlist.waitlist_leave(special_group=special_group, parent=request.parent)
    text = _("U staat niet meer op de lijst voor %(name)s.") % {"name": special_group.name}
    return _portal_answer(request, special_group, "success", text)


def _detail(special_group: SpecialGroup) -> str:
    return reverse("specialgroups:detail", kwargs={"group_id": special_group.public_id})


@staff_required
@require_POST
def lottery_switch(request: HttpRequest, group_id) -> HttpResponse:
    """Turn the lottery on or off: only before the end date and before anyone signed up."""
    special_group = special_group_for_staff(request, group_id)
    if not staff_may_change(request.staff, special_group) or not special_group.has_activity:
        messages.error(request, _("U mag deze groep niet wijzigen."))
        return redirect(_detail(special_group))
    if (
        signup_is_closed(special_group)
        or Signup.objects.filter(special_group=special_group).exists()
    ):
        messages.warning(
            request, _("Verloten kan alleen worden gekozen zolang niemand is ingeschreven.")
        )
        return redirect(_detail(special_group))
    on = request.POST.get("lottery") == "1"
    SpecialGroup.objects.filter(pk=special_group.pk).update(lottery=on)
    audit_record(request=request, action="update", obj=special_group, lottery=on)
    messages.success(
        request,
        _("De plaatsen worden na de einddatum verloot.")
        if on
        else _("Wie zich het eerst inschrijft, heeft een plaats."),
    )
    return redirect(_detail(special_group))


@staff_required
@require_POST
def lottery_draw(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id)
    if not staff_may_change(request.staff, special_group):
        messages.error(request, _("U mag deze groep niet wijzigen."))
        return redirect(_detail(special_group))
    try:
        draw = waitlist.lottery_draw(special_group=special_group)
    except SignupError as exc:
        messages.warning(request, str(exc))
        return redirect(_detail(special_group))
    audit_record(
        request=request,
        action="update",
        obj=special_group,
        lottery_seed=str(draw.seed),
        winners=len(draw.winners),
        losers=len(draw.losers),
        priority=len(draw.priority),
    )
    messages.success(
        request,
        _("Verloot: %(won)s ingeloot, %(lost)s uitgeloot. Iedereen krijgt een e-mail.")
        % {"won": len(draw.winners), "lost": len(draw.losers)},
    )
    return redirect(_detail(special_group))
