from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from families.forms import MyDetailsForm, PolicyForm
from families.models import DetailChange
from families.services import (
    DetailChangeError,
    detail_change_decide,
    details_submit,
    family_policy,
    family_policy_update,
    parent_language_set,
)
from schools.access import administrator_required, parent_required, pupils_for_parent


@parent_required
def my_details(request: HttpRequest) -> HttpResponse:
    """ "Mijn gegevens": what the current school has about the parent and their children."""
    parent = request.parent
    form = MyDetailsForm(request.POST or None, instance=parent)
    if request.method == "POST" and form.is_valid():
        try:
            change = details_submit(parent=parent, data=form.cleaned_data, request=request)
        except DetailChangeError as error:
            form.add_error(None, str(error))
        else:
            if change is None:
                messages.info(request, _("U hebt niets gewijzigd."))
            elif change.status == DetailChange.Status.PENDING:
                messages.success(
                    request,
                    _("Uw wijziging is doorgegeven. De administratie van de school verwerkt haar."),
                )
            else:
                text = _("Uw gegevens zijn bijgewerkt.")
                if "email" in change.values and parent.user_id:
                    text += " " + _(
                        "Uw inlogadres verandert pas als u het bevestigt via de link in de mail "
                        "aan uw nieuwe adres."
                    )
                messages.success(request, text)
            return redirect("families:my_details")
    pending = DetailChange.objects.filter(parent=parent, status=DetailChange.Status.PENDING).first()
    context = {
        "form": form,
        "children": pupils_for_parent(parent).order_by("first_name"),
        "pending": pending,
        "approve": family_policy(school=parent.school).approve_changes,
    }
    return render(request, "families/my_details.html", context)


@administrator_required
def changes(request: HttpRequest) -> HttpResponse:
    """ "Wijzigingen van ouders": waiting changes first, then the latest applied or refused."""
    school = request.staff.school
    policy = family_policy(school=school)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            family_policy_update(
                school=school,
                approve_changes=form.cleaned_data["approve_changes"],
                request=request,
            )
            messages.success(request, _("De instelling is opgeslagen."))
        return redirect("families:changes")
    rows = DetailChange.objects.filter(school=school).select_related("parent", "decided_by")
    context = {
        "policy": policy,
        "pending": list(rows.filter(status=DetailChange.Status.PENDING)),
        "done": list(rows.exclude(status=DetailChange.Status.PENDING)[:100]),
    }
    return render(request, "families/changes.html", context)


@administrator_required
@require_POST
def change_decide(request: HttpRequest, change_id) -> HttpResponse:
    try:
        change = DetailChange.objects.get(public_id=change_id, school=request.staff.school)
    except (DetailChange.DoesNotExist, ValueError):
        raise Http404 from None
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "refuse"):
        messages.error(request, _("Kies goedkeuren of afwijzen."))
        return redirect("families:changes")
    try:
        detail_change_decide(change=change, staff=request.staff, approve=approve, request=request)
    except DetailChangeError as error:
        messages.error(request, str(error))
    else:
        name = change.parent.full_name
        if approve:
            messages.success(request, _("De wijziging van %(name)s is verwerkt.") % {"name": name})
        else:
            messages.success(request, _("De wijziging van %(name)s is afgewezen.") % {"name": name})
    return redirect("families:changes")


@parent_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The parent's language for the portal and OCS's own mails; the portal follows at once."""
    chosen = request.POST.get("language", "")
    try:
        parent_language_set(parent=request.parent, language=chosen, request=request)
    except DetailChangeError as error:
        messages.error(request, str(error))
        return redirect("families:my_details")
    with translation.override(chosen):
        messages.success(request, _("Uw taal is opgeslagen."))
    response = redirect("families:my_details")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response
