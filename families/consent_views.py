from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from families.consent import (
    GIVEN,
    WITHDRAWN,
    ConsentError,
    consent_answers_set,
    consent_overview,
    consent_purpose_add,
    consent_purposes,
    consent_remind,
    consent_round_current,
    consent_round_start,
    parents_without_answer,
    pupils_for_consent,
    school_year_of,
)
from families.forms import PurposeForm
from families.models import ConsentAnswer
from families.services import family_policy, family_policy_set
from lib.pdf import document_data, pdf_response, render_typst
from schools.access import (
    administrator_required,
    group_for_staff,
    groups_for_staff,
    parent_required,
    staff_required,
)
from schools.models import group_sort_key


@parent_required
def consent(request: HttpRequest) -> HttpResponse:
    """The guardian's answers per child, for the current school's round."""
    parent = request.parent
    consent_round = consent_round_current(school=parent.school)
    purposes = list(consent_purposes(school=parent.school))
    children = list(pupils_for_consent(parent).order_by("first_name"))
    if request.method == "POST" and consent_round is not None:
        child = next((c for c in children if str(c.public_id) == request.POST.get("pupil")), None)
        if child is None:
            raise Http404
        answers = {p.pk: request.POST.get(f"p{p.pk}", "") for p in purposes}
        try:
            changed = consent_answers_set(
                parent=parent,
                pupil=child,
                consent_round=consent_round,
                answers=answers,
                request=request,
            )
        except ConsentError as error:
            messages.error(request, str(error))
        else:
            if changed:
                messages.success(
                    request,
                    _("Uw antwoord voor %(name)s is opgeslagen.") % {"name": child.first_name},
                )
            else:
                messages.info(request, _("U hebt niets gewijzigd."))
        return redirect("families:consent")
    mine = {}
    if consent_round is not None:
        for a in ConsentAnswer.objects.filter(round=consent_round, parent=parent):
            mine[(a.pupil_id, a.purpose_id)] = a.answer
    rows = [
        (
            child,
            [(p, mine.get((child.pk, p.pk), "")) for p in purposes],
        )
        for child in children
    ]
    context = {"round": consent_round, "rows": rows, "GIVEN": GIVEN, "WITHDRAWN": WITHDRAWN}
    return render(request, "families/consent.html", context)


@administrator_required
def consent_admin(request: HttpRequest) -> HttpResponse:
    """The beheerder's page: purposes, the school's rule, the round and its reminders."""
    school = request.staff.school
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "purpose":
                form = PurposeForm(request.POST)
                if not form.is_valid():
                    raise ConsentError(_("Geef het doel een naam (hoogstens 100 tekens)."))
                consent_purpose_add(
                    school=school,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    request=request,
                )
                messages.success(request, _("Het doel is toegevoegd."))
            elif action == "rule":
                family_policy_set(
                    school=school,
                    request=request,
                    consent_one_no_wins=bool(request.POST.get("consent_one_no_wins")),
                )
                messages.success(request, _("De instelling is opgeslagen."))
            elif action == "start":
                consent_round_start(school=school, school_year=school_year_of(), request=request)
                messages.success(request, _("De toestemming voor dit schooljaar staat open."))
            elif action == "remind":
                current = consent_round_current(school=school)
                if current is None:
                    raise ConsentError(_("Start eerst de vraag voor dit schooljaar."))
                count = consent_remind(consent_round=current, request=request)
                messages.success(
                    request, _("Herinnering verstuurd aan %(count)s ouders.") % {"count": count}
                )
        except ConsentError as error:
            messages.error(request, str(error))
        return redirect("families:consent_admin")
    current = consent_round_current(school=school)
    context = {
        "purposes": consent_purposes(school=school),
        "round": current,
        "this_year": school_year_of(),
        "policy": family_policy(school=school),
        "waiting": parents_without_answer(consent_round=current).count() if current else 0,
    }
    return render(request, "families/consent_admin.html", context)


@staff_required
def consent_groups(request: HttpRequest) -> HttpResponse:
    groups = sorted(groups_for_staff(request.staff), key=lambda g: group_sort_key(g.name))
    context = {"groups": groups, "round": consent_round_current(school=request.staff.school)}
    return render(request, "families/consent_groups.html", context)


def _group_context(request: HttpRequest, group_id) -> dict:
    group = group_for_staff(request, group_id)
    school = request.staff.school
    current = consent_round_current(school=school)
    purposes = list(consent_purposes(school=school))
    pupils = list(group.pupils.order_by("first_name", "last_name"))
    rows = (
        consent_overview(consent_round=current, pupils=pupils, purposes=purposes) if current else []
    )
    return {"group": group, "round": current, "purposes": purposes, "rows": rows, "school": school}


@staff_required
def consent_group(request: HttpRequest, group_id) -> HttpResponse:
    return render(request, "families/consent_group.html", _group_context(request, group_id))


@staff_required
def consent_group_pdf(request: HttpRequest, group_id) -> HttpResponse:
    context = _group_context(request, group_id)
    group, current = context["group"], context["round"]
    data = document_data(
        title=_("Toestemming beeldmateriaal %(group)s") % {"group": group.name},
        subtitle=_("Schooljaar %(year)s") % {"year": current.school_year} if current else "",
        school=context["school"],
        generated_on=timezone.localdate(),
    )
    data.update(
        note=" · ".join(
            (_("✓ toestemming"), _("✗ nee: geen toestemming"), _("? nog geen antwoord"))
        ),
        pupil_title=_("Leerling"),
        purposes=[purpose.name for purpose in context["purposes"]],
        marks={"ja": "✓", "nee": "✗ " + _("nee"), "open": "?"},
        empty=_("Er is nog geen toestemmingsronde gestart."),
        rows=[
            {"pupil": row.pupil.full_name, "outcomes": [str(o) for o in row.outcomes]}
            for row in context["rows"]
        ],
    )
    return pdf_response(render_typst("consent.typ", data), f"toestemming-{group.name}.pdf")
