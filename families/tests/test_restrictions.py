"""Two households: a guardian restricted for a child, through every route, on two schools."""

import pytest

from audit.models import AuditEvent
from families.models import GuardianRestriction
from families.restrictions import RestrictionError, restriction_add
from schools.models import Guardianship

pytestmark = pytest.mark.django_db

REASON = "Uitspraak rechtbank 12-03"


@pytest.fixture
def restricted(world):
    """Quinten (children Sam in Groep 3 and Lotte in Groep 4) restricted for Sam."""
    return restriction_add(
        parent=world.quinten, pupil=world.sam, reason=REASON, staff=world.dirk, request=None
    )


def test_the_restricted_guardian_does_not_see_the_child_in_the_portal(world, login, restricted):
    client = login(world.quinten)
    for url in ("/portaal/", "/portaal/mijn-gegevens/"):
        page = client.get(url).content.decode()
        assert "Lotte Jansen" in page and "Sam Jansen" not in page, url
    # Petra, the other guardian, still sees Sam.
    assert "Sam Jansen" in login(world.petra).get("/portaal/").content.decode()


def test_no_consent_answer_and_an_earlier_answer_no_longer_counts(world, login, restricted):
    from families.consent import consent_overview, consent_purposes, consent_round_start
    from families.models import ConsentAnswer

    consent_round = consent_round_start(school=world.school, school_year="2026-2027", request=None)
    purposes = list(consent_purposes(school=world.school))
    ConsentAnswer.objects.create(
        round=consent_round,
        purpose=purposes[0],
        pupil=world.sam,
        parent=world.quinten,
        answer="nee",
    )
    [row] = consent_overview(consent_round=consent_round, pupils=[world.sam], purposes=purposes)
    assert row.outcomes[0] == "open"
    data = {"pupil": str(world.sam.public_id), f"p{purposes[0].pk}": "ja"}
    assert login(world.quinten).post("/portaal/toestemming/", data).status_code == 404


def test_no_mailing_about_the_child(world, restricted):
    from mailings.services import mailing_candidates

    g3 = mailing_candidates(staff=world.anna, groups=[world.g3], special_groups=[])
    assert world.petra in g3 and world.quinten not in g3
    g4 = mailing_candidates(staff=world.bram, groups=[world.g4], special_groups=[])
    assert world.quinten in g4  # still their other child's mail


def test_no_booking_for_the_child(world, restricted):
    from conferences.access import pupils_for_parent_current

    assert list(pupils_for_parent_current(world.quinten)) == [world.lotte]


def test_not_in_the_group_pdf_nor_the_avg_export_as_guardian(world, restricted):
    from parents.selectors import group_families
    from privacy.services import parent_export

    names = {link.parent.full_name for f in group_families(world.g3) for link in f.guardianships}
    assert names == {"Petra Jansen"}
    export = parent_export(parent=world.quinten)
    assert [c["naam"] for c in export["kinderen"]] == ["Lotte Jansen"]
    assert export["beperkte_toegang"][0]["reden"] == REASON


def test_the_teacher_sees_a_marker_without_the_reason(world, login, restricted):
    page = login(world.anna).get(f"/ouderoverzicht/groep/{world.g3.public_id}/").content.decode()
    assert "beperkte toegang ouder" in page
    assert REASON not in page
    assert login(world.anna).get("/beheer/gezag/").status_code == 403


def test_directie_and_beheerder_see_the_reason_and_lift_it(world, login, restricted):
    assert REASON in login(world.dirk).get("/beheer/gezag/").content.decode()
    client = login(world.bea)
    assert REASON in client.get("/beheer/gezag/").content.decode()
    client.post(f"/beheer/gezag/{restricted.public_id}/opheffen/")
    assert Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()
    assert not GuardianRestriction.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(world.quinten.pk)).values_list("action", flat=True)
    )
    assert "restrict" in actions and "unrestrict" in actions
    assert not AuditEvent.objects.filter(detail__icontains="rechtbank").exists()


def test_the_beheerder_restricts_through_the_page_and_a_reason_is_required(world, login):
    client = login(world.bea)
    link = f"{world.quinten.public_id}:{world.sam.public_id}"
    response = client.post("/beheer/gezag/", {"link": link, "reason": " "})
    assert "Vul de reden in" in response.content.decode()
    assert Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()
    client.post("/beheer/gezag/", {"link": link, "reason": REASON})
    assert not Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()


def test_the_other_school_can_neither_restrict_nor_lift(world, login, restricted):
    client = login(world.olaf)
    assert REASON not in client.get("/beheer/gezag/").content.decode()
    assert client.post(f"/beheer/gezag/{restricted.public_id}/opheffen/").status_code == 404
    link = f"{world.petra.public_id}:{world.sam.public_id}"
    client.post("/beheer/gezag/", {"link": link, "reason": "x"})
    assert Guardianship.objects.filter(parent=world.petra, pupil=world.sam).exists()
    with pytest.raises(RestrictionError):
        restriction_add(
            parent=world.petra, pupil=world.sam, reason="x", staff=world.olaf, request=None
        )
    assert GuardianRestriction.objects.count() == 1


def test_an_import_that_links_the_guardian_again_is_undone_within_it(world, restricted):
    from schools.models import ImportBatch
    from schools.signals import import_applied

    Guardianship.objects.create(parent=world.quinten, pupil=world.sam, relation="vader")
    batch = ImportBatch.objects.create(school=world.school, pupils_csv="")
    import_applied.send(sender=ImportBatch, request=None, batch=batch, summary={})
    assert not Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()


def test_the_portal_never_shows_the_other_guardians_contact_details(world, login):
    from schools.models import Parent

    Parent.objects.filter(pk=world.quinten.pk).update(
        phone="06-55554444", street="Quintenstraat", postcode="9999 ZZ"
    )
    client = login(world.petra)
    for url in (
        "/portaal/",
        "/portaal/mijn-gegevens/",
        "/portaal/toestemming/",
        "/portaal/oudergesprekken/",
        "/portaal/speciale-groepen/",
        "/portaal/berichten/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for secret in ("06-55554444", "Quintenstraat", "9999 ZZ", "quinten@example.nl"):
            assert secret not in page, (url, secret)
