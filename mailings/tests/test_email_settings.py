"""Beheer → E-mailinstellingen: the beheerder sees what can be checked offline (key, size,
selector, alignment of the From and DKIM domains, bounce domain) and the records to publish;
nobody else of the school, and no other school's beheerder sees this school's page."""

import subprocess

import dkim
import pytest
from django.urls import reverse

from mailings.dkim import load_key

URL = reverse("mailings:email_settings")


@pytest.fixture(scope="module")
def key_1024(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkim") / "short.pem"
    subprocess.run(  # noqa: S603 - a fixed command line
        ["/usr/bin/openssl", "genrsa", "-out", str(path), "1024"], check=True, capture_output=True
    )
    return path


@pytest.fixture
def configured(settings, key_1024):
    settings.OCS_DKIM_KEY_FILE = str(key_1024)
    settings.OCS_DKIM_SELECTOR = "ocs2026"
    settings.OCS_DKIM_DOMAIN = ""
    settings.OCS_BOUNCE_DOMAIN = "bounces.linde.test"
    return settings


def test_the_beheerder_sees_the_checks_and_the_record_to_publish(
    client, world, login, configured, django_assert_max_num_queries
):
    login(world.bea)
    with django_assert_max_num_queries(8):
        page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "1024 bits: werkt nog, maar 2048 bits wordt aangeraden." in text
    assert "ocs2026" in text
    assert "wordt ondertekend voor linde.test: dat past bij het afzenderdomein" in text
    assert "bounces+…@bounces.linde.test" in text
    assert "ocs2026._domainkey.linde.test" in text
    record = load_key().dns_record
    assert record in text
    # The record shown is the one that verifies OCS's signatures.
    message = (
        b"From: De Linde via OCS <info@linde.test>\r\nTo: petra@example.nl\r\n"
        b"Subject: Test\r\n\r\nHallo\r\n"
    )
    signed = dkim.sign(message, b"ocs2026", b"linde.test", load_key().pem) + message
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: record.encode())
    assert "_dmarc.linde.test" in text


def test_a_dkim_domain_that_does_not_match_the_school_is_flagged(client, world, login, configured):
    configured.OCS_DKIM_DOMAIN = "ocs.example.nl"
    login(world.bea)
    text = client.get(URL).content.decode()
    assert "wordt ondertekend voor ocs.example.nl: dat past niet bij het afzenderdomein" in text
    assert "ocs2026._domainkey.ocs.example.nl" in text


def test_missing_and_unreadable_keys_are_named(client, world, login, settings, tmp_path):
    settings.OCS_DKIM_KEY_FILE = ""
    settings.OCS_DKIM_SELECTOR = ""
    settings.OCS_BOUNCE_DOMAIN = ""
    login(world.bea)
    text = client.get(URL).content.decode()
    assert "Geen sleutel ingesteld (OCS_DKIM_KEY_FILE)." in text
    assert "Geen selector ingesteld (OCS_DKIM_SELECTOR)." in text
    assert "Uit: mail gaat zonder DKIM-handtekening de deur uit." in text
    assert "Niet ingesteld (OCS_BOUNCE_DOMAIN)" in text
    assert "_domainkey" not in text

    bad = tmp_path / "key.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    settings.OCS_DKIM_KEY_FILE = str(bad)
    text = client.get(URL).content.decode()
    assert f"De sleutel in {bad} is niet te gebruiken" in text


def test_only_the_beheerder_opens_it(client, world, login, configured):
    for staff in (world.anna, world.dirk):
        login(staff)
        assert client.get(URL).status_code == 403
    client.logout()
    login(world.petra)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_another_schools_beheerder_sees_their_own_school(client, world, login, configured):
    login(world.olaf)
    text = client.get(URL).content.decode()
    assert "info@eik.test" in text and "ocs2026._domainkey.eik.test" in text
    assert "info@linde.test" not in text and "_domainkey.linde.test" not in text


def test_the_page_and_the_marker_read_in_english(client, world, login, configured):
    login(world.bea)
    client.post(reverse("set_language"), {"language": "en"})
    text = client.get(URL).content.decode()
    assert "E-mail settings" in text and "Key size" in text
    assert "1024 bits: still works, but 2048 bits is advised." in text
    assert "To publish in the domain" in text
