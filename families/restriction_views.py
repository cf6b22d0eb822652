from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from families.forms import RestrictionForm
from families.models import GuardianRestriction
from families.restrictions import RestrictionError, restriction_add, restriction_lift
from schools.access import manager_required
from schools.models import Guardianship


@manager_required
def restrictions(request: HttpRequest) -> HttpResponse:
    """ "Gezag en toegang": restricted guardians with their reasons (directie and beheerder)."""
    school = request.staff.school
    links = (
        Guardianship.objects.filter(pupil__school=school, pupil__group__isnull=False)
        .select_related("parent", "pupil__group")
        .order_by("pupil__group__name", "pupil__last_name", "pupil__first_name")
    )
    form = RestrictionForm(request.POST or None, links=links)
    if request.method == "POST" and form.is_valid():
        parent_id, _sep, pupil_id = form.cleaned_data["link"].partition(":")
        link = next(
            (
                candidate
                for candidate in links
                if str(candidate.parent.public_id) == parent_id
                and str(candidate.pupil.public_id) == pupil_id
            ),
            None,
        )
        try:
            if link is None:
                raise RestrictionError(_("Deze ouder is niet (meer) gekoppeld aan dit kind."))
            restriction = restriction_add(
                parent=link.parent,
                pupil=link.pupil,
                reason=form.cleaned_data["reason"],
                staff=request.staff,
                request=request,
            )
        except RestrictionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(parent)s heeft geen toegang meer tot %(pupil)s.")
                % {"parent": link.parent.full_name, "pupil": link.pupil.full_name},
            )
            if restriction.talks_cancelled or restriction.mail_withdrawn:
                messages.info(
                    request,
                    _(
                        "Geannuleerde gesprekken: %(talks)s. Teruggehaalde berichten die nog "
                        "niet verstuurd waren: %(mail)s."
                    )
                    % {"talks": restriction.talks_cancelled, "mail": restriction.mail_withdrawn},
                )
            return redirect("families:restrictions")
    rows = GuardianRestriction.objects.filter(school=school).select_related(
        "parent", "pupil__group", "created_by"
    )
    return render(request, "families/restrictions.html", {"form": form, "rows": rows})


@manager_required
@require_POST
def restriction_lift_view(request: HttpRequest, restriction_id) -> HttpResponse:
    try:
        restriction = GuardianRestriction.objects.select_related("parent", "pupil").get(
            public_id=restriction_id, school=request.staff.school
        )
    except (GuardianRestriction.DoesNotExist, ValueError):
        raise Http404 from None
    restriction_lift(restriction=restriction, staff=request.staff, request=request)
    messages.success(
        request,
        _("%(parent)s is weer gekoppeld aan %(pupil)s.")
        % {"parent": restriction.parent.full_name, "pupil": restriction.pupil.full_name},
    )
    return redirect("families:restrictions")
