"""Bounces end to end: OCS sends over SMTP with a VERP return path per message; a mail server
answers with a delivery status notification (RFC 3464) sent over SMTP to the bounce intake
(aiosmtpd on loopback, a plain smtplib client), which marks the right message and parent.
The intake works in its own thread and database connection, so these tests commit."""

import io
import smtplib
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from mailings.bounces import parent_email_not_working
from mailings.delivery import outbox_deliver
from mailings.intake import intake_controller
from mailings.models import OutgoingMessage
from mailings.services import outbox_system_message
from mailings.tests.bounce_helpers import dsn, free_port, outgoing  # noqa: F401
from mailings.tests.helpers import send_to_group
from mailings.verp import signature, verp_address

pytestmark = pytest.mark.django_db(transaction=True)
Status = OutgoingMessage.Status
DOMAIN = "bounces.ocs.test"


@pytest.fixture
def intake(settings):
    settings.OCS_BOUNCE_DOMAIN = DOMAIN
    controller, handler = intake_controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()
    handler.close()


def bounce(intake, to: str, report: bytes) -> None:
    """A mail server returns a report: null sender, to the message's return path."""
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=10) as client:
        client.sendmail("", [to], report)


def mailing_to_group3(world, outgoing):  # noqa: F811
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis", body="Hallo")
    outbox_deliver()
    return mailing


def row(mailing, email) -> OutgoingMessage:
    return mailing.messages.get(email=email)


def return_path_of(outgoing, address):  # noqa: F811
    [(sender, _raw)] = outgoing.to(address)
    return sender


def test_every_message_leaves_with_its_own_signed_return_path(world, outgoing, intake):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    petra = row(mailing, "petra@example.nl")
    quinten = row(mailing, "quinten@example.nl")
    assert return_path_of(outgoing, "petra@example.nl") == verp_address(petra)
    assert return_path_of(outgoing, "quinten@example.nl") == verp_address(quinten)
    assert verp_address(petra) != verp_address(quinten)
    assert verp_address(petra).startswith(f"bounces+{petra.public_id.hex}-")
    assert verp_address(petra).endswith("@" + DOMAIN)
    # The From header stays the school's.
    [(_sender, raw)] = outgoing.to("petra@example.nl")
    assert b"From: De Linde via OCS <info@linde.test>" in raw


def test_without_a_bounce_domain_the_return_path_is_the_from_address(world, outgoing):  # noqa: F811
    mailing_to_group3(world, outgoing)
    assert return_path_of(outgoing, "petra@example.nl") == "info@linde.test"


def test_a_hard_bounce_marks_that_parents_message_and_address(world, outgoing, intake, client):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    bounce(intake, verp_address(petra_row), dsn(recipient="petra@example.nl"))

    petra_row.refresh_from_db()
    assert petra_row.status == Status.BOUNCED
    assert petra_row.bounce_status == "5.1.1"
    assert "User unknown" in petra_row.last_error
    assert row(mailing, "quinten@example.nl").status == Status.SENT
    assert parent_email_not_working(world.petra)
    assert not parent_email_not_working(world.quinten)
    entry = AuditEvent.objects.get(action="bounce")
    assert (entry.school, entry.object_id) == (world.school, str(world.petra.pk))

    # The mailing's status shows it, and the family counts as not reached by mail.
    client.force_login(world.anna.user, backend="accounts.backends.EmailBackend")
    page = client.get(reverse("mailings:detail", args=[mailing.public_id])).content.decode()
    assert "onbestelbaar" in page
    assert "1 onbestelbaar" in page

    # The same report again changes nothing and writes no second entry.
    bounce(intake, verp_address(petra_row), dsn(recipient="petra@example.nl"))
    assert AuditEvent.objects.filter(action="bounce").count() == 1


def test_a_bounce_of_system_mail_marks_the_parent_too(world, outgoing, intake):  # noqa: F811
    outbox_system_message(
        to=world.quinten.email,
        subject="Uitnodiging",
        text="Hallo",
        html="<p>Hallo</p>",
        from_email="De Linde via OCS <info@linde.test>",
        school=world.school,
        parent=world.quinten,
    )
    outbox_deliver()
    message = OutgoingMessage.objects.get(email="quinten@example.nl")
    bounce(intake, verp_address(message), dsn(recipient="quinten@example.nl", status="5.2.1"))
    assert parent_email_not_working(world.quinten)


def test_a_soft_bounce_is_recorded_and_sent_again_without_marking_the_address(
    world,
    outgoing,  # noqa: F811
    intake,
):
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    bounce(
        intake,
        verp_address(petra_row),
        dsn(
            recipient="petra@example.nl",
            status="4.2.2",
            diagnostic="smtp; 452 4.2.2 Mailbox full",
        ),
    )
    petra_row.refresh_from_db()
    assert petra_row.status == Status.RETRY
    assert (petra_row.bounce_status, petra_row.soft_bounces) == ("4.2.2", 1)
    assert not parent_email_not_working(world.petra)
    assert not AuditEvent.objects.filter(action="bounce").exists()

    # After the backoff the worker sends it again, to the same return path.
    outbox_deliver(now=timezone.now() + timedelta(hours=1))
    petra_row.refresh_from_db()
    assert petra_row.status == Status.SENT
    assert [s for s, _raw in outgoing.to("petra@example.nl")] == [verp_address(petra_row)] * 2


def test_a_delayed_report_is_only_recorded(world, outgoing, intake):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    bounce(
        intake,
        verp_address(petra_row),
        dsn(recipient="petra@example.nl", status="4.4.7", action="delayed"),
    )
    petra_row.refresh_from_db()
    assert (petra_row.status, petra_row.bounce_status, petra_row.soft_bounces) == (
        Status.SENT,
        "4.4.7",
        1,
    )
    assert not parent_email_not_working(world.petra)


def test_forged_and_other_school_return_paths_touch_nothing(world, outgoing, intake):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    eik_row = OutgoingMessage.objects.create(
        school=world.other_school,
        parent=world.eik_parent,
        email=world.eik_parent.email,
        payload={"subject": "x", "text": "x", "html": "", "from_email": "info@eik.test"},
        next_attempt_at=timezone.now(),
    )
    outbox_deliver()
    before = list(OutgoingMessage.objects.order_by("pk").values_list("pk", "status"))

    def verp(public_id, signature):
        return f"bounces+{public_id.hex}-{signature}@{DOMAIN}"

    forged = [
        # a made-up signature
        verp(petra_row.public_id, "0" * 20),
        # the other school's message, signed as if it were De Linde's
        verp(eik_row.public_id, signature(world.school.pk, eik_row.public_id)),
        # De Linde's message signed for the other school
        verp(petra_row.public_id, signature(world.other_school.pk, petra_row.public_id)),
        # no such message
        verp(uuid.uuid4(), signature(world.school.pk, uuid.uuid4())),
    ]
    for address in forged:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            bounce(intake, address, dsn(recipient="petra@example.nl"))
        assert refused.value.smtp_code == 550
    # Another domain's address is refused at RCPT.
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        bounce(intake, verp_address(petra_row).replace(DOMAIN, "elders.test"), dsn(recipient="x"))

    # A genuine return path of the other school's message, whose report names De Linde's
    # parent: only that message is touched, never De Linde's rows or parents.
    bounce(intake, verp_address(eik_row), dsn(recipient="petra@example.nl"))

    after = dict(OutgoingMessage.objects.values_list("pk", "status"))
    assert after.pop(eik_row.pk) == Status.BOUNCED
    assert after == {pk: status for pk, status in before if pk != eik_row.pk}
    assert not parent_email_not_working(world.petra)
    assert parent_email_not_working(world.eik_parent)
    assert list(AuditEvent.objects.filter(action="bounce").values_list("school", flat=True)) == [
        world.other_school.pk
    ]


def test_an_out_of_office_reply_to_the_return_path_changes_nothing(world, outgoing, intake):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    reply = (
        b"From: petra@example.nl\r\nTo: x\r\nSubject: Afwezig\r\nAuto-Submitted: auto-replied\r\n"
        b"\r\nIk ben tot 1 december afwezig.\r\n"
    )
    bounce(intake, verp_address(petra_row), reply)
    petra_row.refresh_from_db()
    assert (petra_row.status, petra_row.bounce_status) == (Status.SENT, "")


def test_the_mark_clears_when_the_address_changes(world, outgoing, intake, client):  # noqa: F811
    mailing = mailing_to_group3(world, outgoing)
    bounce(
        intake,
        verp_address(row(mailing, "petra@example.nl")),
        dsn(recipient="petra@example.nl"),
    )
    assert parent_email_not_working(world.petra)
    client.force_login(world.anna.user, backend="accounts.backends.EmailBackend")
    detail = reverse("parents:parent_detail", args=[world.petra.public_id])
    assert "e-mailadres werkt niet" in client.get(detail).content.decode()

    world.petra.email = "petra.nieuw@example.nl"
    world.petra.save(update_fields=["email"])
    assert not parent_email_not_working(world.petra)
    assert "e-mailadres werkt niet" not in client.get(detail).content.decode()


def test_a_report_piped_in_by_a_mail_server_alias_marks_the_message(
    world,
    outgoing,  # noqa: F811
    settings,
    monkeypatch,
):
    settings.OCS_BOUNCE_DOMAIN = DOMAIN
    mailing = mailing_to_group3(world, outgoing)
    petra_row = row(mailing, "petra@example.nl")
    stdin = io.TextIOWrapper(io.BytesIO(dsn(recipient="petra@example.nl")))
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setenv("RECIPIENT", verp_address(petra_row))
    call_command("bounce_intake", "--stdin", stdout=io.StringIO())
    petra_row.refresh_from_db()
    assert petra_row.status == Status.BOUNCED

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Subject: x\r\n\r\nx\r\n")))
    monkeypatch.setenv("RECIPIENT", f"bounces+{uuid.uuid4().hex}-{'0' * 20}@{DOMAIN}")
    with pytest.raises(SystemExit) as exit_code:
        call_command("bounce_intake", "--stdin", stdout=io.StringIO())
    assert exit_code.value.code == 67
