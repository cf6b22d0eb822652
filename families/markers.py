"""The families app's markers on a child's line in the Ouderoverzicht."""

from django.utils.translation import gettext as _

from families.models import GuardianRestriction
from schools.markers import Marker, marker_provider
from schools.models import Pupil


@marker_provider
def _restricted(pupil_ids: list[int]) -> dict[int, list[Marker]]:
    # Without the reason: that is for directie and beheerder only.
    ids = set(
        GuardianRestriction.objects.filter(pupil_id__in=pupil_ids).values_list(
            "pupil_id", flat=True
        )
    )
    return {pk: [Marker(_("beperkte toegang ouder"), "bad")] for pk in ids}


@marker_provider
def _no_consent(pupil_ids: list[int]) -> dict[int, list[Marker]]:
    from families.consent import consent_overview, consent_purposes, consent_round_current

    pupils = list(Pupil.objects.filter(pk__in=pupil_ids).select_related("school"))
    if not pupils:
        return {}
    school = pupils[0].school
    consent_round = consent_round_current(school=school)
    if consent_round is None:
        return {}
    purposes = list(consent_purposes(school=school))
    rows = consent_overview(consent_round=consent_round, pupils=pupils, purposes=purposes)
    return {
        row.pupil.pk: [Marker(_("geen toestemming beeldmateriaal"), "wait")]
        for row in rows
        if row.any_refused
    }
