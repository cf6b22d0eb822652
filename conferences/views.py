from collections import defaultdict
from datetime import time, timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record
from conferences import planning, reminders, services
from conferences.access import (
    pupils_for_parent_current,
    round_for_parent,
    round_for_staff,
    rounds_for_staff,
)
from conferences.forms import NotificationForm, RoundEditForm, RoundForm, SlotAddForm
from conferences.models import ConferenceRound, PeriodRound
from conferences.selectors import portal_rounds, talks_informed
from conferences.slots import AMSTERDAM
from lib.pdf import document_data, pdf_response, render_typst
from mailings.reminder_feedback import reminder_feedback
from schools.access import groups_for_staff, parent_required, staff_required
from schools.models import Parent, Pupil
from throttle.limits import BOOKING_PER_PARENT, TOO_MANY, rate_hit


def _detail(conference: ConferenceRound) -> str:
    return reverse("conferences:round_detail", args=[conference.public_id])


# ---------------------------------------------------------------------------- staff


@staff_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = rounds_for_staff(request.staff).annotate(
        slot_count=Count("slots"),
        booked_count=Count("slots", filter=Q(slots__pupil__isnull=False)),
    )
    rounds = list(rounds.order_by("-start_date", "group__name"))
    return render(
        request,
        "conferences/round_list.html",
        {
            "unpublished": [r for r in rounds if r.published_at is None],
            "published": [r for r in rounds if r.published_at is not None],
        },
    )


@staff_required
def round_create(request: HttpRequest) -> HttpResponse:
    groups = groups_for_staff(request.staff).order_by("name")
    form = RoundForm(request.POST or None, groups=groups)
    shortfall = None
    if request.method == "POST" and form.is_valid():
        accept = request.POST.get("accept_fewer") == "1"
        try:
            conference = services.round_create(
                staff=request.staff, plan=form.settings(), accept_fewer=accept
            )
        except services.TooFewFit as error:
            shortfall = error
        else:
            audit_record(
                request=request,
                action="create",
                obj=conference,
                school=request.staff.school,
                group=conference.group.name,
                slots=conference.slots.count(),
            )
            messages.success(
                request, _("De gesprekken zijn aangemaakt. Ze zijn nog niet gepubliceerd.")
            )
            return redirect(_detail(conference))
    return render(request, "conferences/round_form.html", {"form": form, "shortfall": shortfall})


def pupil_labels(pupils) -> dict[int, str]:
    """Names for the planning dropdown that tell children apart: the full name, and where
    two children of the group share it, their leerlingnummer too."""
    counts = defaultdict(int)
    for pupil in pupils:
        counts[pupil.full_name] += 1
    return {
        p.pk: p.full_name
        if counts[p.full_name] == 1
        else _("%(name)s (leerlingnummer %(number)s)") % {"name": p.full_name, "number": p.number}
        for p in pupils
    }


def _slot_grid(conference: ConferenceRound):
    slots = list(conference.slots.select_related("pupil", "booked_by").order_by("starts_at"))
    unblocked = Parent.objects.filter(is_blocked=False).order_by("last_name", "first_name")
    pupils = list(
        Pupil.objects.filter(group=conference.group, school=conference.school)
        .prefetch_related(Prefetch("parents", queryset=unblocked, to_attr="unblocked_parents"))
        .order_by("first_name", "last_name")
    )
    by_pk = {p.pk: p for p in pupils}
    link = PeriodRound.objects.filter(round=conference).first()
    wishes = planning.wish_labels(period_id=link.period_id) if link else {}
    labels = pupil_labels(pupils)
    for pupil in pupils:
        pupil.label = labels[pupil.pk]
    days = defaultdict(list)
    for slot in slots:
        slot.child = by_pk.get(slot.pupil_id)
        slot.wishes = wishes.get(slot.pupil_id, []) if slot.follows_id is None else []
        days[slot.starts_at.astimezone(AMSTERDAM).date()].append(slot)
    booked_ids = {s.pupil_id for s in slots if s.pupil_id}
    talks_informed(slots)
    return {
        "days": sorted(days.items()),
        "pupils": pupils,
        "not_booked": [p for p in pupils if p.pk not in booked_ids],
        "booked_count": len(booked_ids),
        "free_count": sum(1 for s in slots if s.pupil_id is None),
    }


@staff_required
def round_detail(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    if request.method == "POST":
        changes = {}
        for key, value in request.POST.items():
            if not key.startswith("slot_"):
                continue
            try:
                sid = int(key.removeprefix("slot_"))
                new = int(value) if value else None
                old = request.POST.get(f"was_{sid}", "")
                old = int(old) if old else None
            except ValueError:
                continue
            changes[sid] = (old, new)
        problems = services.round_assign(conference=conference, changes=changes)
        for problem in problems:
            messages.warning(request, problem)
        if not problems:
            messages.success(request, _("Opgeslagen."))
        audit_record(request=request, action="edit", obj=conference, step="tijden")
        return redirect(_detail(conference))
    context = {"conference": conference, "add_form": SlotAddForm(), **_slot_grid(conference)}
    return render(request, "conferences/round_detail.html", context)


@staff_required
@require_POST
def slot_delete(request: HttpRequest, round_id, slot_id: int) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    try:
        services.slot_delete(conference=conference, slot_id=slot_id)
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Het tijdvak is verwijderd."))
    return redirect(_detail(conference))


@staff_required
@require_POST
def slot_add(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    form = SlotAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Geef een dag en een begintijd op."))
        return redirect(_detail(conference))
    try:
        services.slot_add(
            conference=conference, day=form.cleaned_data["day"], start=form.cleaned_data["start"]
        )
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Het tijdvak is toegevoegd."))
    return redirect(_detail(conference))


@staff_required
def round_edit(request: HttpRequest, round_id) -> HttpResponse:
    """Name, place and closing date: the settings that never move a booked talk."""
    conference = round_for_staff(request, round_id)
    closes = timezone.localtime(conference.closes_at)
    # Booking closes at midnight after the last day ("tot en met").
    closes_on = closes.date() - timedelta(days=1) if closes.time() == time(0) else closes.date()
    initial = {"name": conference.name, "location": conference.location, "closes_on": closes_on}
    form = RoundEditForm(request.POST or None, initial=initial, conference=conference)
    if request.method == "POST" and form.is_valid():
        services.round_update(
            conference=conference,
            name=form.cleaned_data["name"],
            location=form.cleaned_data["location"],
            closes_at=form.closes_at,
        )
        audit_record(request=request, action="edit", obj=conference, step="instellingen")
        messages.success(request, _("De instellingen zijn opgeslagen."))
        return redirect(_detail(conference))
    return render(request, "conferences/round_edit.html", {"conference": conference, "form": form})


@staff_required
def round_delete(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    booked = conference.slots.filter(pupil__isnull=False).count()
    if request.method == "POST":
        name = conference.name
        audit_record(request=request, action="delete", obj=conference, name=name, booked=booked)
        cancelled = services.round_delete(conference=conference)
        if cancelled and conference.is_published:
            messages.success(
                request,
                ngettext(
                    "%(name)s is verwijderd. De ouders van %(count)s kind kregen een annulering.",
                    "%(name)s is verwijderd. De ouders van %(count)s kinderen kregen een "
                    "annulering.",
                    cancelled,
                )
                % {"name": name, "count": cancelled},
            )
        else:
            messages.success(request, _("%(name)s is verwijderd.") % {"name": name})
        return redirect("conferences:round_list")
    return render(
        request, "conferences/round_delete.html", {"conference": conference, "booked": booked}
    )


@staff_required
@require_POST
def round_publish(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    services.round_publish(conference=conference)
    audit_record(request=request, action="edit", obj=conference, step="publiceren")
    messages.success(
        request,
        _(
            "Gepubliceerd: de ouders zien de gesprekken nu in het ouderportaal. "
            "Stuur ze een melding met het e-mail-icoon."
        ),
    )
    return redirect(_detail(conference))


@staff_required
def round_notify(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    if not conference.is_published:
        messages.error(
            request, _("Publiceer de gesprekken voordat u de ouders een melding stuurt.")
        )
        return redirect(_detail(conference))
    subject, body = services.default_notification(conference)
    form = NotificationForm(request.POST or None, initial={"subject": subject, "body": body})
    recipients = services.group_parents(conference).count()
    if request.method == "POST" and form.is_valid():
        count = services.notification_send(
            conference=conference,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        audit_record(
            request=request, action="send", obj=conference, recipients=count, kind="melding"
        )
        messages.success(
            request, _("De melding is verstuurd naar %(count)s ouders.") % {"count": count}
        )
        return redirect(_detail(conference))
    return render(
        request,
        "conferences/notify.html",
        {"conference": conference, "form": form, "recipients": recipients},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def round_remind(request: HttpRequest, round_id) -> HttpResponse:
    """ "Herinnering sturen": one click on the round's page sends the default text; this
    page shows that text to change first. At most one reminder per family a day."""
    conference = round_for_staff(request, round_id)
    if not conference.is_published:
        messages.error(
            request, _("Publiceer de gesprekken voordat u de ouders een melding stuurt.")
        )
        return redirect(_detail(conference))
    subject, body = reminders.default_reminder(conference)
    edited = request.method == "POST" and "subject" in request.POST
    form = NotificationForm(
        request.POST if edited else None, initial={"subject": subject, "body": body}
    )
    if request.method == "POST" and (not edited or form.is_valid()):
        if edited:
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        result = reminders.round_remind(conference=conference, subject=subject, body=body)
        if result.families:
            audit_record(
                request=request,
                action="send",
                obj=conference,
                recipients=result.parents,
                kind="herinnering",
            )
        reminder_feedback(
            request,
            families=result.families,
            already_today=result.already_today,
            nothing_to_do=_("Alle kinderen zijn ingepland."),
        )
        return redirect(_detail(conference))
    families = reminders.families_without_talk(conference)
    return render(
        request,
        "conferences/remind.html",
        {"conference": conference, "form": form, "families": len(families)},
    )


@staff_required
def round_pdf(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_staff(request, round_id)
    grid = _slot_grid(conference)
    data = document_data(
        title=conference.name,
        subtitle=conference.teacher.full_name if conference.teacher else "",
        school=conference.school,
        generated_on=timezone.localdate(),
    )
    data.update(
        note=_("%(booked)s van %(total)s kinderen ingepland · %(free)s tijden vrij")
        % {
            "booked": grid["booked_count"],
            "total": len(grid["pupils"]),
            "free": grid["free_count"],
        },
        titles=[_("Tijd"), _("Kind"), _("Ouder(s)")],
        free=_("vrij"),
        days=[
            {
                "name": _date(day, "l j F Y"),
                "slots": [
                    {
                        "time": f"{_date(slot.starts_at.astimezone(AMSTERDAM), 'H:i')}–"
                        f"{_date(slot.ends_at.astimezone(AMSTERDAM), 'H:i')}",
                        "child": (
                            _("%(name)s (vervolg)") % {"name": slot.child.full_name}
                            if slot.follows_id
                            else slot.child.full_name
                        )
                        if slot.child
                        else "",
                        "wishes": "; ".join(slot.wishes),
                        "parents": ", ".join(p.full_name for p in slot.child.unblocked_parents)
                        if slot.child
                        else "",
                    }
                    for slot in slots
                ],
            }
            for day, slots in grid["days"]
        ],
        not_booked_title=_("Nog niet ingeschreven"),
        not_booked=[pupil.full_name for pupil in grid["not_booked"]],
    )
    pdf = render_typst("conference.typ", data)
    audit_record(request=request, action="download", obj=conference)
    return pdf_response(pdf, f"oudergesprekken-{conference.group.name}-{conference.start_date}")


# ---------------------------------------------------------------------------- parents


@parent_required
def portal(request: HttpRequest) -> HttpResponse:
    cards = portal_rounds(request.parent)
    return render(request, "conferences/portal.html", {"cards": cards})


def _portal_with_error(request, conference, pupil, message: str, status=400) -> HttpResponse:
    """The portal again, with the problem in the card of the child it is about (focused when
    the page loads), not in a message at the top that does not say which child."""
    cards = portal_rounds(request.parent)
    for card in cards:
        card.has_error = card.conference.pk == conference.pk and card.pupil.pk == pupil.pk
    if not any(card.has_error for card in cards):  # no card for this child and round
        messages.warning(request, message)
    context = {"cards": cards, "card_error": message}
    return render(request, "conferences/portal.html", context, status=status)


def _pupil_for_parent(request: HttpRequest) -> Pupil:
    try:
        return pupils_for_parent_current(request.parent).get(public_id=request.POST.get("pupil"))
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@parent_required
@require_POST
def portal_book(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_parent(request, round_id)
    pupil = _pupil_for_parent(request)
    if not rate_hit(BOOKING_PER_PARENT, request.parent.pk):
        messages.warning(request, TOO_MANY)
        return redirect("conferences:portal")
    try:
        slot_id = int(request.POST.get("slot", ""))
    except ValueError:
        message = _("Kies een tijd voor %(child)s.") % {"child": pupil.first_name}
        return _portal_with_error(request, conference, pupil, message)
    try:
        slot = services.slot_book(
            parent=request.parent, conference=conference, pupil=pupil, slot_id=slot_id
        )
    except services.ConferenceError as error:
        return _portal_with_error(request, conference, pupil, str(error), status=409)
    audit_record(
        request=request,
        action="create",
        obj=slot,
        school=conference.school,
        round=str(conference.public_id),
    )
    local = slot.starts_at.astimezone(AMSTERDAM)
    messages.success(
        request,
        _(
            "Opgeslagen: het gesprek voor %(child)s is op %(day)s om %(time)s. "
            "U krijgt een bevestiging per e-mail."
        )
        % {
            "child": pupil.first_name,
            "day": _date(local, "l j F"),
            "time": _date(local, "H:i"),
        },
    )
    return redirect("conferences:portal")


@parent_required
@require_POST
def portal_cancel(request: HttpRequest, round_id) -> HttpResponse:
    conference = round_for_parent(request, round_id)
    pupil = _pupil_for_parent(request)
    if not rate_hit(BOOKING_PER_PARENT, request.parent.pk):
        messages.warning(request, TOO_MANY)
        return redirect("conferences:portal")
    try:
        cancelled = services.booking_cancel(
            parent=request.parent, conference=conference, pupil=pupil
        )
    except services.ConferenceError as error:
        messages.warning(request, str(error))
        return redirect("conferences:portal")
    if cancelled:
        audit_record(request=request, action="delete", obj=conference, pupil=str(pupil.public_id))
        messages.success(request, _("Het gesprek is geannuleerd."))
    return redirect("conferences:portal")


def _date(value, fmt):
    from django.utils.formats import date_format

    return date_format(value, fmt)
