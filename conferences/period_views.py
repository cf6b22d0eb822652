"""Pages of school-wide conference periods: staff create and open a period; a family plans
all its children's talks on one page."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from conferences import periods
from conferences.period_access import (
    period_for_change,
    period_for_parent,
    period_for_staff,
    periods_for_staff,
)
from conferences.period_forms import PeriodForm
from conferences.services import ConferenceError
from schools.access import groups_for_staff, parent_required, staff_required


def _detail(period) -> str:
    return reverse("conferences:period_detail", args=[period.public_id])


# ---------------------------------------------------------------------------- staff


@staff_required
def period_list(request: HttpRequest) -> HttpResponse:
    items = periods_for_staff(request.staff).annotate(
        slot_count=Count("links__round__slots"),
        booked_count=Count(
            "links__round__slots",
            filter=Q(
                links__round__slots__pupil__isnull=False,
                links__round__slots__follows__isnull=True,
            ),
        ),
    )
    return render(request, "conferences/period_list.html", {"periods": items})


@staff_required
def period_create(request: HttpRequest) -> HttpResponse:
    groups = groups_for_staff(request.staff).order_by("name")
    form = PeriodForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            period = periods.period_create(staff=request.staff, plan=form.settings())
        except ConferenceError as error:
            form.add_error(None, str(error))
        else:
            audit_record(
                request=request,
                action="create",
                obj=period,
                school=request.staff.school,
                groups=[g.name for g in form.cleaned_data["groups"]],
                mode=period.mode,
            )
            messages.success(
                request,
                _("De periode is aangemaakt. Ouders zien haar pas na ‘Openzetten voor ouders’."),
            )
            return redirect(_detail(period))
    return render(request, "conferences/period_form.html", {"form": form})


@staff_required
def period_detail(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_staff(request, period_id)
    rounds = (
        periods.period_rounds(period)
        .annotate(
            slot_count=Count("slots"),
            # A longer talk's second time is not another child.
            booked_count=Count(
                "slots", filter=Q(slots__pupil__isnull=False, slots__follows__isnull=True)
            ),
        )
        .order_by("group__name")
    )
    context = {"period": period, "rounds": rounds}
    if period.is_preference:
        from conferences.planner_views import review_context

        context.update(review_context(period))
        if period.published_at is not None:
            from conferences.swaps import requests_for

            context["swaps"] = requests_for(staff=request.staff, period=period)
    return render(request, "conferences/period_detail.html", context)


@staff_required
@require_POST
def period_open(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_change(request, period_id)
    periods.period_open(period=period)
    audit_record(request=request, action="publish", obj=period)
    if period.is_preference:
        messages.success(request, _("Ouders kunnen nu hun voorkeuren opgeven."))
    else:
        messages.success(request, _("Ouders kunnen nu hun gesprekken plannen."))
    return redirect(_detail(period))


# ---------------------------------------------------------------------------- families


def _separate(request: HttpRequest, needs_all) -> set[int]:
    wanted = set(request.GET.getlist("apart") or request.POST.getlist("apart"))
    return {n.pupil.pk for n in needs_all if str(n.pupil.public_id) in wanted}


@parent_required
def period_family(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_parent(request, period_id)
    if period.is_preference:
        from conferences.planner_views import wishes_page

        return wishes_page(request, period)
    base = periods.family_needs(parent=request.parent, period=period)
    separate = _separate(request, base)
    needs = periods.family_needs(parent=request.parent, period=period, separate=separate)
    proposal = {}
    if request.GET.get("plan") == "1":
        proposal = periods.chain_propose(parent=request.parent, period=period, needs=needs)
        if not proposal:
            messages.warning(
                request, _("OCS vond geen tijden die samen passen. Kies de tijden zelf.")
            )
    rows = []
    for need in needs:
        chosen = proposal.get(need.key) or need.current
        pool = sorted(
            [*need.options, *([need.current] if need.current else [])], key=lambda s: s.starts_at
        )
        rows.append(
            {"need": need, "chosen": chosen, "pool": pool, "proposed": need.key in proposal}
        )
    return render(
        request,
        "conferences/period_family.html",
        {
            "period": period,
            "rows": rows,
            "separate": separate,
            "proposal": bool(proposal),
            "is_open": period.is_open(),
            "has_coparent": {n.pupil.pk for n in base if n.pupil.parents.count() > 1},
        },
    )


@parent_required
@require_POST
def period_book(request: HttpRequest, period_id) -> HttpResponse:
    period = period_for_parent(request, period_id)
    base = periods.family_needs(parent=request.parent, period=period)
    separate = _separate(request, base)
    back = reverse("conferences:period_family", args=[period.public_id])
    if separate:
        apart = [n.pupil.public_id for n in base if n.pupil.pk in separate]
        back += "?" + "&".join(f"apart={public_id}" for public_id in apart)
    choices = {}
    for key, value in request.POST.items():
        if key.startswith("talk-") and value.isdigit():
            choices[key.removeprefix("talk-")] = int(value)
    if not choices:
        messages.error(request, _("Kies voor elk kind een tijd."))
        return redirect(back)
    try:
        booked = periods.family_book(
            parent=request.parent, period=period, choices=choices, separate=separate
        )
    except ConferenceError as error:
        messages.warning(request, str(error) + " " + _("Er is niets opgeslagen."))
        return redirect(back)
    audit_record(
        request=request,
        action="create",
        obj=period,
        school=period.school,
        slots=[s.pk for s in booked],
    )
    messages.success(
        request,
        _("Opgeslagen: %(count)s gesprekken. U krijgt een overzicht per e-mail.")
        % {"count": len(booked)},
    )
    return redirect(back)
