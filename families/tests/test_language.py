"""A parent's language for the portal and OCS's own mails."""

import pytest
from django.conf import settings

from audit.models import AuditEvent
from conftest import PASSWORD
from schools.models import Parent

pytestmark = pytest.mark.django_db


def test_the_parent_chooses_english_and_the_portal_follows(world, login):
    client = login(world.petra)
    response = client.post("/portaal/taal/", {"language": "en"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert Parent.objects.get(pk=world.petra.pk).language == "en"
    page = client.get("/portaal/mijn-gegevens/").content.decode()
    assert "My details" in page and "Your language has been saved." in page
    assert AuditEvent.objects.filter(action="edit", detail__fields=["language"]).exists()
    # Nonsense is refused; the choice stays.
    client.post("/portaal/taal/", {"language": "de"})
    assert Parent.objects.get(pk=world.petra.pk).language == "en"


def test_logging_in_brings_the_parents_language(world, client):
    Parent.objects.filter(pk=world.petra.pk).update(language="en")
    response = client.post("/ouders/login/", {"username": "petra@example.nl", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_ocs_mail_about_a_parent_speaks_their_language(world, sent):
    from families.consent import consent_remind, consent_round_start

    Parent.objects.filter(pk=world.quinten.pk).update(language="en")
    consent_round = consent_round_start(school=world.school, school_year="2026-2027", request=None)
    with sent as mails:
        consent_remind(consent_round=consent_round, request=None)
    subjects = {m.to[0]: m.subject for m in mails}
    assert subjects["quinten@example.nl"].startswith("Photo and video consent")
    assert subjects["petra@example.nl"].startswith("Toestemming beeldmateriaal")
