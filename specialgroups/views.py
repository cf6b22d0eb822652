from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.services import audit_record
from lib.pdf import document_data, pdf_response, render_typst
from schools.access import parent_required, parents_for_staff, staff_required
from schools.models import group_sort_key
from specialgroups import services
from specialgroups.forms import ActivityGroupForm, MemberAddForm, SpecialGroupForm
from specialgroups.models import Signup, WaitlistEntry
from specialgroups.selectors import (
    mark_visible_contact,
    members_of,
    parents_eligible_for,
    signup_is_closed,
    special_group_for_parent,
    special_group_for_staff,
    special_groups_for_staff,
    special_groups_open_to_parent,
    staff_may_change,
    with_counts,
)
from throttle.limits import SIGNUP_PER_PARENT, TOO_MANY, rate_hit


def _mail_url(special_group) -> str:
    # "mail deze groep" appears once the oudermailing exists.
    try:
        return f"{reverse('mailings:compose')}?special={special_group.public_id}"
    except NoReverseMatch:
        return ""


def _sorted_groups(groups) -> list:
    return sorted(groups, key=lambda g: group_sort_key(g.name))


# Staff ------------------------------------------------------------------------------------


@staff_required
def special_group_list(request: HttpRequest) -> HttpResponse:
    special_groups = (
        with_counts(special_groups_for_staff(request.staff))
        .select_related("main_group")
        .prefetch_related("eligible_groups")
        .order_by("name")
    )
    rows = [
        {
            "group": g,
            "groups": _sorted_groups(g.eligible_groups.all()),
            "closed": signup_is_closed(g),
            "may_change": staff_may_change(request.staff, g),
        }
        for g in special_groups
    ]
    return render(request, "specialgroups/list.html", {"rows": rows})


@staff_required
def special_group_create(request: HttpRequest) -> HttpResponse:
    form = SpecialGroupForm(request.POST or None, staff=request.staff)
    if request.method == "POST" and form.is_valid():
        special_group = services.special_group_create(
            school=request.staff.school,
            created_by=request.user,
            name=form.cleaned_data["name"],
            has_activity=False,
            main_group=form.cleaned_data["main_group"],
        )
        audit_record(request=request, action="create", obj=special_group)
        messages.success(request, _("De speciale groep is opgeslagen."))
        return redirect("specialgroups:detail", group_id=special_group.public_id)
    return render(request, "specialgroups/form.html", {"form": form, "has_activity": False})


@staff_required
def activity_group_create(request: HttpRequest) -> HttpResponse:
    form = ActivityGroupForm(request.POST or None, staff=request.staff)
    if request.method == "POST" and form.is_valid():
        special_group = services.special_group_create(
            school=request.staff.school,
            created_by=request.user,
            has_activity=True,
            **form.cleaned_data,
        )
        audit_record(request=request, action="create", obj=special_group)
        messages.success(request, _("De speciale groep is opgeslagen."))
        return redirect("specialgroups:detail", group_id=special_group.public_id)
    return render(request, "specialgroups/form.html", {"form": form, "has_activity": True})


@staff_required
def special_group_detail(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id)
    may_change = staff_may_change(request.staff, special_group)
    members = mark_visible_contact(request.staff, list(members_of(special_group)))
    add_form = None
    if may_change:
        add_form = MemberAddForm(parents=_addable_parents(request, special_group))
    context = {
        "special_group": special_group,
        "groups": _sorted_groups(special_group.eligible_groups.all()),
        "members": members,
        "taken": Signup.objects.filter(special_group=special_group).count(),
        "closed": signup_is_closed(special_group),
        "may_change": may_change,
        "add_form": add_form,
        "mail_url": _mail_url(special_group),
        "waiting": list(
            WaitlistEntry.objects.filter(special_group=special_group).select_related("parent")
        ),
        "draw": getattr(special_group, "draw", None) if special_group.lottery else None,
    }
    return render(request, "specialgroups/detail.html", context)


def _addable_parents(request: HttpRequest, special_group):
    """Eligible parents this staff member may see, who are not members yet."""
    visible = parents_for_staff(request.staff).values("pk")
    return (
        parents_eligible_for(special_group)
        .filter(pk__in=visible)
        .exclude(signups__special_group=special_group)
        .order_by("last_name", "first_name")
    )


@staff_required
def special_group_edit(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id, edit=True)
    if special_group.has_activity:
        initial = {
            "name": special_group.name,
            "description": special_group.description,
            "signup_deadline": special_group.signup_deadline,
            "max_participants": special_group.max_participants,
            "eligible_groups": list(special_group.eligible_groups.all()),
        }
        form = ActivityGroupForm(
            request.POST or None, staff=request.staff, creating=False, initial=initial
        )
    else:
        initial = {"name": special_group.name, "main_group": special_group.main_group}
        form = SpecialGroupForm(request.POST or None, staff=request.staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.special_group_update(special_group=special_group, **form.cleaned_data)
        except services.SpecialGroupError as exc:
            form.add_error(None, str(exc))
        else:
            audit_record(request=request, action="edit", obj=special_group)
            messages.success(request, _("De speciale groep is opgeslagen."))
            return redirect("specialgroups:detail", group_id=special_group.public_id)
    context = {
        "form": form,
        "has_activity": special_group.has_activity,
        "special_group": special_group,
    }
    return render(request, "specialgroups/form.html", context)


@staff_required
def special_group_delete(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id, edit=True)
    if request.method == "POST":
        audit_record(request=request, action="delete", obj=special_group, name=special_group.name)
        services.special_group_delete(special_group=special_group)
        messages.success(request, _("De speciale groep is verwijderd."))
        return redirect("specialgroups:list")
    return render(request, "specialgroups/delete.html", {"special_group": special_group})


@staff_required
@require_POST
def member_add(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id, edit=True)
    form = MemberAddForm(request.POST, parents=_addable_parents(request, special_group))
    if not form.is_valid():
        messages.error(request, _("Kies een ouder uit de lijst."))
        return redirect("specialgroups:detail", group_id=special_group.public_id)
    parent = form.cleaned_data["parent"]
    try:
        # Staff may add a late volunteer by hand after the end date; the maximum still holds.
        services.signup_create(
            special_group=special_group,
            parent=parent,
            added_by=request.user,
            enforce_deadline=False,
        )
    except services.SignupError as exc:
        messages.error(request, str(exc))
    else:
        audit_record(request=request, action="edit", obj=special_group, added=str(parent.public_id))
        messages.success(request, _("%(name)s is toegevoegd.") % {"name": parent.full_name})
    return redirect("specialgroups:detail", group_id=special_group.public_id)


@staff_required
@require_POST
def member_remove(request: HttpRequest, group_id, parent_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id, edit=True)
    signup = (
        Signup.objects.filter(special_group=special_group, parent__public_id=parent_id)
        .select_related("parent")
        .first()
    )
    if signup is not None:
        services.signup_delete(special_group=special_group, parent=signup.parent)
        audit_record(request=request, action="edit", obj=special_group, removed=str(parent_id))
        messages.success(
            request, _("%(name)s is verwijderd uit de groep.") % {"name": signup.parent.full_name}
        )
    return redirect("specialgroups:detail", group_id=special_group.public_id)


@staff_required
def member_pdf(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_staff(request, group_id)
    members = mark_visible_contact(request.staff, list(members_of(special_group)))
    data = document_data(
        title=special_group.name,
        subtitle=ngettext(
            "Speciale groep · %(n)d ouder", "Speciale groep · %(n)d ouders", len(members)
        )
        % {"n": len(members)},
        school=request.staff.school,
        generated_on=timezone.localdate(),
    )
    note = ""
    if special_group.has_activity:
        note = _("Inschrijven t/m %(date)s · maximaal %(max)s ouders") % {
            "date": date_format(special_group.signup_deadline, "j F Y")
            if special_group.signup_deadline
            else "",
            "max": special_group.max_participants or "",
        }
    data.update(
        note=note,
        titles=[_("Ouder"), _("Contact"), _("Kind en groep")],
        empty=_("Er heeft zich nog niemand ingeschreven."),
        rows=[
            {
                "parent": signup.parent.full_name,
                "contact": [signup.parent.email]
                + ([signup.parent.phone] if signup.parent.phone else [])
                if signup.show_contact
                else [_("via de school")],
                "children": [
                    f"{pupil.full_name} ({pupil.group.name})"
                    for pupil in signup.parent.current_pupils
                ],
            }
            for signup in members
        ],
    )
    data = render_typst("members.typ", data)
    audit_record(
        request=request,
        action="download",
        obj=special_group,
        document="leden-pdf",
        count=len(members),
    )
    return pdf_response(data, f"speciale-groep-{special_group.name}.pdf")


# Parent portal ----------------------------------------------------------------------------


def _portal_cards(parent, special_groups) -> list[dict]:
    special_groups = (
        with_counts(special_groups)
        .annotate(
            is_member=Exists(Signup.objects.filter(special_group=OuterRef("pk"), parent=parent)),
            is_waiting=Exists(
                WaitlistEntry.objects.filter(special_group=OuterRef("pk"), parent=parent)
            ),
        )
        .order_by("name")
    )
    cards = []
    for g in special_groups:
        left = None if g.max_participants is None else max(g.max_participants - g.taken, 0)
        cards.append({"group": g, "left": left, "closed": signup_is_closed(g), "full": left == 0})
    return cards


@parent_required
def portal_list(request: HttpRequest) -> HttpResponse:
    cards = _portal_cards(request.parent, special_groups_open_to_parent(request.parent))
    services.portal_list_seen(parent=request.parent)
    return render(request, "specialgroups/portal_list.html", {"cards": cards})


def _portal_answer(request: HttpRequest, special_group, level: str, text: str) -> HttpResponse:
    """htmx swaps just the group's card, with the message in it; without JavaScript the
    browser gets the list again with the message on top."""
    if request.htmx:
        groups = special_groups_open_to_parent(request.parent).filter(pk=special_group.pk)
        context = {
            "card": _portal_cards(request.parent, groups)[0],
            "card_message": text,
            "card_level": level,
        }
        return render(request, "specialgroups/_portal_card.html", context)
    messages.add_message(request, getattr(messages, level.upper()), text)
    return redirect("specialgroups:portal_list")


@parent_required
@require_POST
def portal_signup(request: HttpRequest, group_id) -> HttpResponse:
    special_group = special_group_for_parent(request, group_id)
    if not rate_hit(SIGNUP_PER_PARENT, request.parent.pk):
        return _portal_answer(request, special_group, "warning", str(TOO_MANY))
    try:
        services.signup_create(special_group=special_group, parent=request.parent)
    except services.AlreadySignedUp as exc:
        return _portal_answer(request, special_group, "info", str(exc))
    except services.SignupError as exc:
        return _portal_answer(request, special_group, "warning", str(exc))
    text = _("U bent ingeschreven voor %(name)s.") % {"name": special_group.name}
    return _portal_answer(request, special_group, "success", text)


@parent_required
@require_POST
def portal_withdraw(request: HttpRequest, group_id) -> HttpResponse:
    # Only ever the logged-in parent's own sign-up: no parent id is read from the request.
    special_group = special_group_for_parent(request, group_id)
    if not rate_hit(SIGNUP_PER_PARENT, request.parent.pk):
        return _portal_answer(request, special_group, "warning", str(TOO_MANY))
    if services.signup_delete(special_group=special_group, parent=request.parent):
        text = _("U bent uitgeschreven voor %(name)s.") % {"name": special_group.name}
    else:
        text = _("U was niet ingeschreven voor %(name)s.") % {"name": special_group.name}
    return _portal_answer(request, special_group, "success", text)
