"""Ouderoverzicht: the groups, a group's parents, a parent's details, and what staff may do
with them. Every view fetches its objects through the access helpers first."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from lib.pdf import pdf_response
from mailings.bounces import parent_email_not_working
from parents import selectors
from parents.forms import MoveForm, ParentForm, YearEndForm
from parents.pdf import families_pdf
from parents.services import (
    LEAVE,
    STAY,
    MoveError,
    group_fingerprint,
    group_move,
    parent_delete,
    parent_update,
    year_end_apply,
    year_end_plan,
)
from schools.access import (
    administrator_required,
    group_for_staff,
    groups_for_staff,
    parent_for_staff,
    staff_required,
)
from schools.models import Group, Pupil
from schools.services import parent_set_blocked


def _require_edit_right(request: HttpRequest) -> None:
    if not request.staff.can_edit_parents:
        raise PermissionDenied


@staff_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.groups_overview(request.staff)
    return render(request, "parents/group_list.html", {"groups": groups})


@staff_required
def group_detail(request: HttpRequest, group_id) -> HttpResponse:
    from schools.markers import pupil_markers

    group = group_for_staff(request, group_id)
    parents = list(selectors.group_parents(group))
    orphans = list(selectors.group_pupils_without_parent(group))
    pupils = [p for parent in parents for p in parent.group_pupils] + orphans
    markers = pupil_markers(school=request.staff.school, pupils=pupils)
    for pupil in pupils:
        pupil.markers = markers.get(pupil.pk, [])
    # The filter "e-mailadres werkt niet": parents whose mail came back undeliverable.
    not_working = sum(1 for parent in parents if parent.email_not_working)
    only_not_working = request.GET.get("email") == "werkt-niet"
    if only_not_working:
        parents = [parent for parent in parents if parent.email_not_working]
    context = {
        "group": group,
        "parents": parents,
        "orphans": orphans,
        "not_working": not_working,
        "only_not_working": only_not_working,
    }
    return render(request, "parents/group_detail.html", context)


@staff_required
def group_pdf(request: HttpRequest, group_id) -> HttpResponse:
    group = group_for_staff(request, group_id)
    families = selectors.group_families(group)
    today = timezone.localdate()
    data = families_pdf(
        school=request.staff.school,
        title=_("Ouderoverzicht %(group)s") % {"group": group.name},
        subtitle=group.name,
        generated_on=today,
        sections=[(None, families)],
    )
    audit_record(request=request, action="download", obj=group, families=len(families))
    return pdf_response(data, f"ouderoverzicht-{group.name}-{today:%Y-%m-%d}.pdf")


@staff_required
def school_pdf(request: HttpRequest) -> HttpResponse:
    """Every group the staff member may see in one PDF, a group per section."""
    groups = list(groups_for_staff(request.staff).order_by("name"))
    sections = selectors.families_by_group(groups)
    today = timezone.localdate()
    school = request.staff.school
    data = families_pdf(
        school=school,
        title=_("Ouderoverzicht alle groepen"),
        subtitle="",
        generated_on=today,
        sections=[(group.name, families) for group, families in sections],
    )
    audit_record(
        request=request,
        action="download",
        object_type="school",
        object_id=str(school.pk),
        school=school,
        families=sum(len(families) for _group, families in sections),
    )
    return pdf_response(data, f"ouderoverzicht-{school.name}-{today:%Y-%m-%d}.pdf")


@staff_required
def group_move_view(request: HttpRequest, group_id) -> HttpResponse:
    """'Verplaats naar': choose a group, see who moves, confirm. Nothing moves before."""
    group = group_for_staff(request, group_id)
    _require_edit_right(request)
    form = MoveForm(request.POST or None, source=group)
    pupils = list(
        Pupil.objects.filter(group=group)
        .order_by("last_name", "first_name")
        .prefetch_related("parents")
    )
    fingerprint = group_fingerprint(p.pk for p in pupils)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        if "confirm" in request.POST:
            try:
                moved = group_move(
                    source=group,
                    target=target,
                    fingerprint=form.cleaned_data["fingerprint"] or None,
                    request=request,
                )
            except MoveError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("%(count)s leerlingen en hun ouders staan nu in %(group)s.")
                    % {"count": moved, "group": target.name},
                )
                # The teacher of the old group may not see the new one.
                if groups_for_staff(request.staff).filter(pk=target.pk).exists():
                    return redirect("parents:group_detail", group_id=target.public_id)
                return redirect("parents:group_list")
        else:
            return render(
                request,
                "parents/group_move.html",
                {
                    "group": group,
                    "form": form,
                    "target": target,
                    "pupils": pupils,
                    "fingerprint": fingerprint,
                    "confirming": True,
                },
            )
    return render(
        request,
        "parents/group_move.html",
        {"group": group, "form": form, "pupils": pupils, "confirming": False},
    )


@staff_required
def parent_detail(request: HttpRequest, parent_id) -> HttpResponse:
    parent = parent_for_staff(request, parent_id)
    audit_record(request=request, action="view", obj=parent)
    context = {
        "parent": parent,
        "email_not_working": parent_email_not_working(parent),
        "links": list(selectors.parent_links(parent)),
        # Only groups this staff member may open are links.
        "visible_group_ids": set(groups_for_staff(request.staff).values_list("pk", flat=True)),
    }
    return render(request, "parents/parent_detail.html", context)


@staff_required
def parent_edit(request: HttpRequest, parent_id) -> HttpResponse:
    parent = parent_for_staff(request, parent_id, edit=True)
    form = ParentForm(request.POST or None, instance=parent)
    if request.method == "POST" and form.is_valid():
        changed = parent_update(parent=parent, data=form.changed_data_dict(), request=request)
        if changed:
            messages.success(request, _("De gegevens zijn opgeslagen."))
        else:
            messages.info(request, _("Er is niets gewijzigd."))
        return redirect("parents:parent_detail", parent_id=parent.public_id)
    return render(request, "parents/parent_edit.html", {"parent": parent, "form": form})


def _group_from_post(request: HttpRequest) -> Group | None:
    group_id = request.POST.get("group")
    if not group_id:
        return None
    return group_for_staff(request, group_id)


@staff_required
@require_POST
def parent_block(request: HttpRequest, parent_id) -> HttpResponse:
    """The lock: toggles blocked ⇄ active. htmx gets the changed row, a plain post a redirect."""
    parent = parent_for_staff(request, parent_id, edit=True)
    group = _group_from_post(request)
    # Everything is checked before anything is written: a group the parent is not in is a
    # stranger's request (404), not a half-done block.
    if group is not None and not selectors.group_parents(group).filter(pk=parent.pk).exists():
        raise Http404
    blocked = not parent.is_blocked
    with transaction.atomic():
        parent_set_blocked(parent=parent, blocked=blocked)
        audit_record(request=request, action="block" if blocked else "unblock", obj=parent)
    message = _("%(name)s is geblokkeerd.") if blocked else _("%(name)s is weer actief.")
    message %= {"name": parent.full_name}
    if request.htmx and group is not None:
        # The new row keeps the button's id, so htmx gives it focus again; the live region
        # tells screen-reader users what changed.
        row = selectors.group_parents(group).get(pk=parent.pk)
        return render(
            request,
            "parents/_lock_response.html",
            {"parent": row, "group": group, "announcement": message},
        )
    messages.success(request, message)
    if group is not None:
        return redirect("parents:group_detail", group_id=group.public_id)
    return redirect("parents:parent_detail", parent_id=parent.public_id)


@staff_required
def parent_delete_view(request: HttpRequest, parent_id) -> HttpResponse:
    parent = parent_for_staff(request, parent_id, edit=True)
    links = list(selectors.parent_links(parent))
    if request.method == "POST":
        group_ids = [link.pupil.group_id for link in links if link.pupil.group_id]
        back = groups_for_staff(request.staff).filter(pk__in=group_ids).order_by("name").first()
        name = parent.full_name
        parent_delete(parent=parent, request=request)
        messages.success(request, _("%(name)s is verwijderd.") % {"name": name})
        if back is not None:
            return redirect("parents:group_detail", group_id=back.public_id)
        return redirect("parents:group_list")
    return render(request, "parents/parent_delete.html", {"parent": parent, "links": links})


@administrator_required
def year_end(request: HttpRequest) -> HttpResponse:
    """The beheerder's year-end move: every group one year up, groep 8 leaves."""
    school = request.staff.school
    plan = year_end_plan(school=school)
    form = YearEndForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid() and "back" not in request.POST:
        targets = form.targets()
        if "confirm" in request.POST:
            try:
                result = year_end_apply(school=school, targets=targets, request=request)
            except MoveError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Het nieuwe schooljaar is ingericht: %(moved)s leerlingen verplaatst, "
                        "%(left)s leerlingen hebben de school verlaten."
                    )
                    % result,
                )
                return redirect("parents:group_list")
        else:
            names = {str(row.group.public_id): row.group.name for row in plan.rows}
            summary = [
                (
                    row,
                    targets[str(row.group.public_id)],
                    names.get(targets[str(row.group.public_id)]),
                )
                for row in plan.rows
            ]
            return render(
                request,
                "parents/year_end.html",
                {
                    "form": form,
                    "summary": summary,
                    "confirming": True,
                    "LEAVE": LEAVE,
                    "STAY": STAY,
                },
            )
    return render(
        request,
        "parents/year_end.html",
        {"form": form, "confirming": False, "LEAVE": LEAVE, "STAY": STAY},
    )
