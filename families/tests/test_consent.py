"""Toestemming beeldmateriaal: two guardians, one no wins, withdrawal, overview and PDF,
reminders, audit and the AVG export."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from audit.models import AuditEvent
from families.consent import (
    consent_answers_set,
    consent_purposes,
    consent_remind,
    consent_round_start,
    school_year_of,
)
from families.models import ConsentAnswer
from families.services import family_policy_set

pytestmark = pytest.mark.django_db

PORTAL = "/portaal/toestemming/"


@pytest.fixture
def round_(world):
    return consent_round_start(school=world.school, school_year="2026-2027", request=None)


def answer(parent, pupil, consent_round, **by_name):
    ids = {p.name: p.pk for p in consent_purposes(school=parent.school)}
    return consent_answers_set(
        parent=parent,
        pupil=pupil,
        consent_round=consent_round,
        answers={ids[name]: value for name, value in by_name.items()},
        request=None,
    )


def group_page(client, world):
    return client.get(f"/toestemming/groep/{world.g3.public_id}/").content.decode()


def sam_row(page: str) -> str:
    return page.split("Sam Jansen", 1)[1].split("</tr>", 1)[0]


def test_school_year_starts_in_august():
    import datetime

    assert school_year_of(datetime.date(2026, 7, 31)) == "2025-2026"
    assert school_year_of(datetime.date(2026, 8, 1)) == "2026-2027"


def test_a_guardian_answers_in_the_portal_and_the_teacher_sees_it(world, login, round_):
    purposes = list(consent_purposes(school=world.school))
    assert [p.name for p in purposes] == ["Schoolgids", "Website", "Sociale media", "Nieuwsbrief"]
    client = login(world.petra)
    page = client.get(PORTAL).content.decode()
    assert "Sam Jansen" in page and "Lotte" not in page  # only her own child
    data = {"pupil": str(world.sam.public_id)} | {f"p{p.pk}": "ja" for p in purposes}
    data[f"p{purposes[2].pk}"] = "nee"
    assert client.post(PORTAL, data).status_code == 302
    assert ConsentAnswer.objects.filter(parent=world.petra, answer="ja").count() == 3
    event = AuditEvent.objects.get(action="consent", object_id=str(world.petra.pk))
    assert event.detail["answers"]["Sociale media"] == "nee"

    row = sam_row(group_page(login(world.anna), world))
    assert row.count("consent-yes") == 3 and row.count("consent-no") == 1


def test_two_guardians_and_one_no_wins(world, login, round_):
    answer(world.petra, world.sam, round_, Website="ja", Schoolgids="ja")
    answer(world.quinten, world.sam, round_, Website="nee", Schoolgids="ja")
    row = sam_row(group_page(login(world.anna), world))
    # Schoolgids: both yes; Website: one no wins; the other two: open.
    assert row.count("consent-yes") == 1
    assert row.count("consent-no") == 1
    assert row.count("consent-open") == 2


def test_without_one_no_wins_the_latest_answer_counts(world, login, round_):
    family_policy_set(school=world.school, request=None, consent_one_no_wins=False)
    answer(world.quinten, world.sam, round_, Website="nee")
    answer(world.petra, world.sam, round_, Website="ja")
    row = sam_row(group_page(login(world.anna), world))
    assert row.count("consent-yes") == 1 and row.count("consent-no") == 0


def test_withdrawal_turns_a_yes_into_no_and_is_audited(world, login, round_):
    answer(world.petra, world.sam, round_, Website="ja")
    answer(world.petra, world.sam, round_, Website="nee")
    assert ConsentAnswer.objects.get(parent=world.petra).answer == "ingetrokken"
    assert AuditEvent.objects.filter(action="consent", object_id=str(world.petra.pk)).count() == 2
    row = sam_row(group_page(login(world.anna), world))
    assert row.count("consent-no") == 1
    page = login(world.petra).get(PORTAL).content.decode()
    assert "U hebt uw toestemming ingetrokken." in page


def test_a_guardian_cannot_answer_for_another_child(world, login, round_):
    from families.consent import ConsentError

    with pytest.raises(ConsentError):
        answer(world.petra, world.lotte, round_, Website="ja")
    purposes = list(consent_purposes(school=world.school))
    data = {"pupil": str(world.lotte.public_id)} | {f"p{p.pk}": "ja" for p in purposes}
    assert login(world.petra).post(PORTAL, data).status_code == 404
    assert not ConsentAnswer.objects.exists()


def test_the_group_overview_is_for_the_groups_teacher_and_managers_only(world, login, round_):
    url = f"/toestemming/groep/{world.g3.public_id}/"
    assert login(world.anna).get(url).status_code == 200
    assert login(world.dirk).get(url).status_code == 200
    assert login(world.bram).get(url).status_code == 404  # not his group
    assert login(world.olaf).get(url).status_code == 404  # other school
    assert login(world.petra).get(url).status_code == 403


def test_the_group_pdf_lists_every_pupil_with_their_marks(world, login, round_):
    answer(world.petra, world.sam, round_, Website="nee")
    world.sam.first_name = "Şam #[x]*"  # Typst's markup characters, printed as they are
    world.sam.save()
    response = login(world.anna).get(f"/toestemming/groep/{world.g3.public_id}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Toestemming beeldmateriaal" in text and world.g3.name in text
    row = next(line for line in text.splitlines() if "Şam #[x]*" in line)
    assert "✗ nee" in row  # Website refused by Petra
    assert "?" in row  # the other purposes not answered


def test_reminders_go_to_each_guardian_who_did_not_answer_once_per_window(world, round_, sent):
    answer(world.petra, world.sam, round_, Website="ja")
    with sent as mails:
        assert consent_remind(consent_round=round_, request=None) == 1
    assert [m.to for m in mails] == [["quinten@example.nl"]]
    from families.consent import ConsentError

    with pytest.raises(ConsentError):
        consent_remind(consent_round=round_, request=None)
    assert AuditEvent.objects.filter(action="remind").count() == 1


def test_the_beheerder_starts_the_round_and_adds_a_purpose(world, login):
    client = login(world.bea)
    client.post("/beheer/toestemming/", {"action": "start"})
    client.post("/beheer/toestemming/", {"action": "purpose", "name": "Jaarboek"})
    page = client.get("/beheer/toestemming/").content.decode()
    assert school_year_of() in page and "Jaarboek" in page
    assert "Jaarboek" in login(world.petra).get(PORTAL).content.decode()
    # Starting twice is refused with a message; the other school has no round.
    client.post("/beheer/toestemming/", {"action": "start"})
    assert "De school vraagt op dit moment geen toestemming." in (
        login(world.eik_parent).get(PORTAL).content.decode()
    )
    assert login(world.anna).get("/beheer/toestemming/").status_code == 403


def test_the_avg_export_holds_the_answers(world, round_):
    from privacy.services import parent_export

    answer(world.petra, world.sam, round_, Website="ja")
    data = parent_export(parent=world.petra)
    assert data["toestemming_beeldmateriaal"][0]["doel"] == "Website"


def test_a_refusal_shows_as_a_marker_in_the_ouderoverzicht(world, login, round_):
    url = f"/ouderoverzicht/groep/{world.g3.public_id}/"
    assert "geen toestemming beeldmateriaal" not in login(world.anna).get(url).content.decode()
    answer(world.quinten, world.sam, round_, Website="nee")
    assert "geen toestemming beeldmateriaal" in login(world.anna).get(url).content.decode()
