"""Preference mode pages: the family's availability and wishes; the teachers' review of
the plan, moves by hand and publication."""

from datetime import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from conferences import planning
from conferences.models import ChildWish, PeriodWish, PlanNote, Slot
from conferences.period_access import period_for_change, period_for_parent
from conferences.period_mail import parent_talks
from conferences.periods import family_needs, period_rounds
from conferences.services import ConferenceError
from schools.access import parent_required, staff_required


def _detail(period) -> str:
    return reverse("conferences:period_detail", args=[period.public_id])


def review_context(period) -> dict:
    rounds = list(period_rounds(period).order_by("group__name"))
    slots = (
        Slot.objects.filter(round__in=rounds)
        .select_related("pupil", "household")
        .order_by("starts_at")
    )
    wishes = planning.wish_labels(period_id=period.pk)
    notes = list(PlanNote.objects.filter(period=period).select_related("pupil", "household"))
    outside = {(n.pupil_id, n.household_id) for n in notes if n.placed}
    per_round = {r.pk: {"round": r, "talks": [], "free": []} for r in rounds}
    for slot in slots:
        entry = per_round[slot.round_id]
        if slot.pupil_id is None:
            entry["free"].append(slot)
        elif slot.follows_id is not None:
            entry["talks"].append({"slot": slot, "continued": True})
        else:
            entry["talks"].append(
                {
                    "slot": slot,
                    "wishes": wishes.get(slot.pupil_id, []),
                    "outside": (slot.pupil_id, slot.household_id) in outside,
                }
            )
    return {
        "planner_template": "conferences/_planner_review.html",
        "plan_rounds": list(per_round.values()),
        "unplaced": [n for n in notes if not n.placed],
        "wish_count": PeriodWish.objects.filter(period=period).count(),
    }


@staff_required
@require_POST
def period_plan(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_change(request, period_id)
    try:
        result = planning.period_plan(period=period)
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(_detail(period))
    audit_record(
        request=request,
        action="update",
        obj=period,
        planned=len(result.placed),
        unplaced=len(result.reasons),
        solver=result.status,
    )
    messages.success(
        request,
        _("De planning is klaar: %(placed)s gesprekken gepland, %(unplaced)s niet.")
        % {"placed": len(result.placed), "unplaced": len(result.reasons)},
    )
    return redirect(_detail(period))


@staff_required
@require_POST
def period_move(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_change(request, period_id)
    try:
        source, target = int(request.POST.get("slot", "")), int(request.POST.get("to", ""))
    except ValueError:
        messages.error(request, _("Kies een nieuwe tijd."))
        return redirect(_detail(period))
    try:
        planning.talk_move(period=period, slot_id=source, to_slot_id=target)
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(_detail(period))
    audit_record(request=request, action="update", obj=period, moved=source, to=target)
    messages.success(request, _("Het gesprek is verplaatst."))
    return redirect(_detail(period))


@staff_required
@require_POST
def period_publish(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_change(request, period_id)
    try:
        sent = planning.period_publish(period=period)
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(_detail(period))
    audit_record(request=request, action="publish", obj=period, mails=sent)
    messages.success(
        request, _("De planning is verstuurd naar %(count)s ouders.") % {"count": sent}
    )
    return redirect(_detail(period))


# ---------------------------------------------------------------------------- families


def wishes_page(request: HttpRequest, period) -> HttpResponse:
    parent = request.parent
    needs = family_needs(parent=parent, period=period)
    wish = PeriodWish.objects.filter(period=period, parent=parent).first()
    chosen = {d: (a, b) for d, a, b in (wish.windows if wish else [])}
    days = []
    for day in planning.period_days(period):
        start, end = chosen.get(day.isoformat(), ("", ""))
        days.append({"day": day, "can": bool(start) or not chosen, "start": start, "end": end})
    child = {w.pupil_id: w for w in ChildWish.objects.filter(period=period, parent=parent)}
    rounds = {r.pk: r for r in period_rounds(period)}
    return render(
        request,
        "conferences/period_wishes.html",
        {
            "period": period,
            "needs": needs,
            "days": days,
            "wish": wish,
            "child": child,
            "talks": _talk_rows(period, parent) if period.published_at else [],
            "rounds": rounds,
            "is_open": period.is_open(),
            "start": min((r.start_time for r in rounds.values()), default=time(15, 0)),
            "end": max((r.end_time for r in rounds.values()), default=time(18, 0)),
        },
    )


@parent_required
@require_POST
def wishes_save(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_parent(request, period_id)
    back = reverse("conferences:period_family", args=[period.public_id])
    windows = []
    problem = False
    for day in planning.period_days(period):
        key = day.isoformat()
        if request.POST.get(f"can-{key}") != "1":
            continue
        try:
            start = time.fromisoformat(request.POST.get(f"start-{key}", ""))
            end = time.fromisoformat(request.POST.get(f"end-{key}", ""))
        except ValueError:
            problem = True
            continue
        windows.append((day, start, end))
    if problem or not windows:
        messages.error(request, _("Geef per dag dat u kunt een begin- en eindtijd op."))
        return redirect(back)
    children = [
        planning.ChildChoice(
            pupil_id=n.pupil.pk,
            separate=request.POST.get(f"separate-{n.pupil.public_id}") == "1",
            interpreter=request.POST.get(f"interpreter-{n.pupil.public_id}") == "1",
            child_joins=request.POST.get(f"joins-{n.pupil.public_id}") == "1",
            longer=request.POST.get(f"longer-{n.pupil.public_id}") == "1",
        )
        for n in family_needs(parent=request.parent, period=period)
    ]
    try:
        planning.wishes_save(
            parent=request.parent,
            period=period,
            windows=windows,
            children=children,
            note=request.POST.get("note", ""),
        )
    except ConferenceError as error:
        messages.warning(request, str(error))
        return redirect(back)
    audit_record(request=request, action="update", obj=period, wishes=len(windows))
    messages.success(
        request,
        _("Uw voorkeuren zijn opgeslagen. Na %(day)s plant de school alle gesprekken.")
        % {"day": _day(period.closes_at)},
    )
    return redirect(back)


def _talk_rows(period, parent) -> list[dict]:
    """The parent's talks, each with the free times it could move to and the parent's open
    swap request for it."""
    from conferences.models import SwapRequest
    from conferences.swaps import free_times

    asked = {
        (r.pupil_id, r.household_id): r
        for r in SwapRequest.objects.filter(
            period=period, status=SwapRequest.Status.OPEN, pupil__guardianships__parent=parent
        ).select_related("to_slot")
    }
    return [
        {
            "slot": talk,
            "free": free_times(talk=talk),
            "asked": asked.get((talk.pupil_id, talk.household_id)),
        }
        for talk in parent_talks(period=period, parent=parent)
    ]


def _day(moment) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "l j F H:i")
