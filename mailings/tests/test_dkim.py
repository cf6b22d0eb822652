"""Signed mail: what OCS sends over SMTP verifies with dkimpy's own verifier, the DNS answer
being the record the beheerder's page tells the school to publish."""

import subprocess

import dkim
import pytest
from django.core.management.utils import get_random_secret_key

from mailings.delivery import outbox_deliver
from mailings.dkim import load_key
from mailings.services import outbox_system_message
from mailings.tests.bounce_helpers import outgoing  # noqa: F401
from mailings.tests.helpers import pdf, send_to_group

SELECTOR = "ocs2026"


@pytest.fixture(scope="session")
def key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkim") / "dkim.pem"
    subprocess.run(  # noqa: S603 - a fixed command line
        ["/usr/bin/openssl", "genrsa", "-out", str(path), "2048"],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def dkim_settings(settings, key_file):
    settings.OCS_DKIM_KEY_FILE = str(key_file)
    settings.OCS_DKIM_SELECTOR = SELECTOR
    settings.OCS_DKIM_DOMAIN = ""
    return settings


def dns_for(domain: str, record: str):
    """A DNS that knows one TXT record, as dkimpy asks for it."""

    def lookup(name, timeout=5):
        if name == f"{SELECTOR}._domainkey.{domain}.".encode():
            return record.encode()
        return None

    return lookup


def signature_tags(raw: bytes) -> dict[str, str]:
    header = raw.split(b"\r\n\r\n", 1)[0].decode()
    start = header.index("DKIM-Signature:")
    value = header[start + len("DKIM-Signature:") :].split("\r\n", 1)[0]
    for line in header[start:].split("\r\n")[1:]:
        if not line.startswith((" ", "\t")):
            break
        value += line
    tags = [tag.strip().split("=", 1) for tag in value.split(";") if "=" in tag]
    return {name.strip(): val.replace(" ", "") for name, val in tags}


def test_mailings_with_attachments_and_sender_copies_verify(
    world,
    dkim_settings,
    outgoing,  # noqa: F811
):
    send_to_group(world.anna, world.g3, subject="Schoolreis naar Artis ✓", files=[pdf()])
    outbox_deliver()
    record = load_key().dns_record
    assert len(outgoing.received) == 3  # petra, quinten and anna's own copy
    for _sender, _rcpts, raw in outgoing.received:
        assert raw.startswith(b"DKIM-Signature:")
        tags = signature_tags(raw)
        assert (tags["d"], tags["s"], tags["a"]) == ("linde.test", SELECTOR, "rsa-sha256")
        assert "from" in tags["h"].split(":")
        assert dkim.verify(raw, dnsfunc=dns_for("linde.test", record))


def test_a_changed_message_or_another_key_does_not_verify(world, dkim_settings, outgoing):  # noqa: F811
    send_to_group(world.anna, world.g3, subject="Schoolreis")
    outbox_deliver()
    record = load_key().dns_record
    raw = outgoing.received[0][2]
    assert dkim.verify(raw, dnsfunc=dns_for("linde.test", record))
    assert not dkim.verify(
        raw.replace(b"Subject: Schoolreis", b"Subject: Schoolreis!"),
        dnsfunc=dns_for("linde.test", record),
    )
    body_changed = raw.replace(b"Anna Docent.</p>", b"Anna Dokter.</p>")
    assert body_changed != raw
    assert not dkim.verify(body_changed, dnsfunc=dns_for("linde.test", record))
    other = record[: record.index("p=") + 40] + "A" + record[record.index("p=") + 41 :]
    assert not dkim.verify(raw, dnsfunc=dns_for("linde.test", other))


def test_system_mail_is_signed_for_the_configured_domain(world, dkim_settings, outgoing):  # noqa: F811
    dkim_settings.OCS_DKIM_DOMAIN = "ocs.example.nl"
    outbox_system_message(
        to="petra@example.nl",
        subject="Uw nieuwe wachtwoord",
        text="Klik op de link",
        html="<p>Klik op de link</p>",
        from_email="De Linde via OCS <info@linde.test>",
        school=world.school,
        secret=True,
    )
    outbox_deliver()
    [(_sender, _rcpts, raw)] = outgoing.received
    assert signature_tags(raw)["d"] == "ocs.example.nl"
    assert dkim.verify(raw, dnsfunc=dns_for("ocs.example.nl", load_key().dns_record))


def test_without_a_key_mail_goes_out_unsigned(world, settings, outgoing, tmp_path):  # noqa: F811
    settings.OCS_DKIM_SELECTOR = SELECTOR
    settings.OCS_DKIM_KEY_FILE = str(tmp_path / "missing.pem")
    send_to_group(world.anna, world.g3)
    outbox_deliver()
    assert len(outgoing.received) == 3
    assert all(b"DKIM-Signature" not in raw for _s, _r, raw in outgoing.received)


def test_an_unreadable_key_is_reported_not_raised(tmp_path):
    from mailings.dkim import DkimKeyError

    bad = tmp_path / "bad.pem"
    bad.write_text(get_random_secret_key())
    with pytest.raises(DkimKeyError):
        load_key(str(bad))
