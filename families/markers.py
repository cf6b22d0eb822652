"""The families app's markers on a child's line in the Ouderoverzicht."""

from django.utils.translation import gettext as _

from families.models import GuardianRestriction
from schools.markers import Marker, marker_provider
from schools.models import Pupil, School


@marker_provider
def _restricted(school: School, pupils: list[Pupil]) -> dict[int, list[Marker]]:
    # Without the reason: that is for directie and beheerder only.
    ids = set(
        GuardianRestriction.objects.filter(school=school, pupil__in=pupils).values_list(
            "pupil_id", flat=True
        )
    )
    return {pk: [Marker(_("beperkte toegang ouder"), "bad")] for pk in ids}


@marker_provider
def _no_consent(school: School, pupils: list[Pupil]) -> dict[int, list[Marker]]:
    from families.consent import consent_overview, consent_purposes, consent_round_current

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
