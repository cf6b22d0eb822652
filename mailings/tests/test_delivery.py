"""Delivery against a real SMTP server on loopback. Runs with the immediate task backend and,
with OCS_TEST_TASKS_BACKEND=django_tasks_rq.backend.RQBackend, on Redis (see .ci/run)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mailings.delivery import LEASE, outbox_claim, outbox_deliver
from mailings.models import OutgoingMessage
from mailings.services import mailing_send
from mailings.tasks import deliver_outbox
from mailings.tests.helpers import PDF, pdf, send_to_group

Status = OutgoingMessage.Status


@pytest.fixture
def send(world, django_capture_on_commit_callbacks, run_tasks):
    """Send a mailing as a user does: commit, enqueue, let the queue run it."""

    def do(
        staff=None,
        groups=None,
        special_groups=(),
        subject="Schoolreis",
        body="Hallo",
        files=(),
        parent_ids=None,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            mailing = mailing_send(
                staff=staff or world.anna,
                groups=list(groups if groups is not None else [world.g3]),
                special_groups=list(special_groups),
                parent_ids=parent_ids,
                subject=subject,
                body=body,
                files=list(files),
            )
        run_tasks()
        return mailing

    return do


def statuses(mailing) -> dict[str, str]:
    return dict(mailing.messages.values_list("email", "status"))


def make_due():
    """Pretend the back-off has passed."""
    OutgoingMessage.objects.filter(status=Status.RETRY).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def redeliver(django_capture_on_commit_callbacks, run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver_outbox.enqueue()
    run_tasks()


def test_the_right_recipients_headers_parts_and_attachment_arrive(smtp, send, world, make_parent):
    make_parent(world.school, "geblokkeerd@example.nl", pupils=[world.sam], is_blocked=True)
    make_parent(world.school, "", pupils=[world.sam], first_name="Zonder", with_login=False)
    body = "Beste ouders,\n\nWe gaan naar Zoë's <b>café</b>.\nBcc: evil@example.com\n\nAnna"
    mailing = send(subject="Schoolreis naar café Zoë – vrijdag", body=body, files=[pdf()])

    assert smtp.handler.recipients() == [
        "anna@linde.test",
        "petra@example.nl",
        "quinten@example.nl",
    ]
    assert set(statuses(mailing).values()) == {Status.SENT}
    assert sorted(item["reason"] for item in mailing.skipped) == ["blocked", "no_email"]
    _rcpts, message = next(m for m in smtp.handler.received if "petra@example.nl" in m[0])
    assert message["From"] == "De Linde via OCS <info@linde.test>"
    assert message["Reply-To"] == "Anna Docent <anna@linde.test>"
    assert message["Subject"] == "Schoolreis naar café Zoë – vrijdag"
    assert "Petra Jansen" in message["To"] and message["Bcc"] is None
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    assert "We gaan naar Zoë's <b>café</b>.\nBcc: evil@example.com" in text
    assert "Zoë&#x27;s &lt;b&gt;café&lt;/b&gt;.<br>Bcc: evil@example.com" in html
    assert "<b>" not in html
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["Uitnodiging schoolreis.pdf"]
    assert attachments[0].get_content() == PDF


def test_each_parent_gets_one_message_even_with_children_in_two_chosen_groups(smtp, send, world):
    send(staff=world.dirk, groups=[world.g3, world.g4])
    assert smtp.handler.recipients() == [
        "dirk@linde.test",
        "petra@example.nl",
        "quinten@example.nl",
    ]


def test_with_the_server_down_messages_wait_and_all_go_out_once_when_it_returns(
    smtp, send, django_capture_on_commit_callbacks, run_tasks
):
    smtp.stop()
    mailing = send()
    assert set(statuses(mailing).values()) == {Status.RETRY}
    assert all(m.next_attempt_at > timezone.now() for m in mailing.messages.all())

    redeliver(django_capture_on_commit_callbacks, run_tasks)  # not due yet: nothing happens
    assert set(statuses(mailing).values()) == {Status.RETRY}

    smtp.start()
    make_due()
    redeliver(django_capture_on_commit_callbacks, run_tasks)
    redeliver(django_capture_on_commit_callbacks, run_tasks)
    assert set(statuses(mailing).values()) == {Status.SENT}
    assert smtp.handler.recipients() == [
        "anna@linde.test",
        "petra@example.nl",
        "quinten@example.nl",
    ]


def test_a_421_answer_is_tried_again_later_and_then_delivered(smtp, send):
    smtp.handler.data_reply = "421 4.3.2 Service not available, try later"
    mailing = send()
    message = mailing.messages.get(email="petra@example.nl")
    assert message.status == Status.RETRY and message.attempts == 1
    assert message.last_error.startswith("421")
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=50)

    smtp.handler.data_reply = None
    make_due()
    outbox_deliver()
    assert set(statuses(mailing).values()) == {Status.SENT}
    assert len(smtp.handler.received) == 3


def test_a_550_answer_fails_the_message_at_once(smtp, send):
    smtp.handler.data_reply = "550 5.7.1 Message rejected"
    mailing = send()
    assert set(statuses(mailing).values()) == {Status.FAILED}
    assert mailing.messages.first().last_error.startswith("550")
    smtp.handler.data_reply = None
    make_due()
    outbox_deliver()
    assert smtp.handler.received == []


def test_a_refused_recipient_fails_alone_and_the_others_arrive(smtp, send):
    smtp.handler.refuse = {"petra@example.nl"}
    mailing = send()
    assert statuses(mailing) == {
        "petra@example.nl": Status.FAILED,
        "quinten@example.nl": Status.SENT,
        "anna@linde.test": Status.SENT,
    }
    assert smtp.handler.recipients() == ["anna@linde.test", "quinten@example.nl"]


def test_a_hanging_server_times_out_and_the_messages_wait(smtp, send, settings):
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 0.5
    smtp.handler.delay = 1.5
    started = timezone.now()
    mailing = send()
    assert timezone.now() - started < timedelta(seconds=4)
    assert set(statuses(mailing).values()) == {Status.RETRY}


def test_a_crash_between_claim_and_send_is_recovered_after_the_lease(smtp, world):

    # No on_commit here: the "worker" below claims and then dies.
    mailing = send_to_group(world.anna, world.g3, subject="Onderwerp", body="Tekst")
    claimed = outbox_claim(limit=10)
    assert len(claimed) == 3
    assert outbox_deliver().sent == 0  # held by the dead worker, lease not over
    later = timezone.now() + LEASE + timedelta(seconds=1)
    report = outbox_deliver(now=later)
    assert report.sent == 3
    assert set(statuses(mailing).values()) == {Status.SENT}
    assert smtp.handler.recipients() == [
        "anna@linde.test",
        "petra@example.nl",
        "quinten@example.nl",
    ]


def test_a_late_result_of_the_crashed_worker_does_not_overwrite_the_new_claim(smtp, world):
    from mailings.delivery import _record

    send_to_group(world.anna, world.g3, subject="Onderwerp", body="Tekst")
    stale = outbox_claim(limit=1)[0]
    outbox_deliver(now=timezone.now() + LEASE + timedelta(seconds=1))
    _record(stale, Status.RETRY, "late", timezone.now())
    assert OutgoingMessage.objects.get(pk=stale.pk).status == Status.SENT


def test_system_mail_such_as_an_invitation_goes_through_the_outbox(
    smtp, world, make_parent, django_capture_on_commit_callbacks, run_tasks
):
    from accounts.mail import email_enqueue
    from accounts.services import invitation_send

    fresh = make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(record=fresh)
        email_enqueue(
            to="petra@example.nl",
            template="invitation",
            context={"parent": world.petra, "school": world.school, "link": "x", "hours": 12},
            school=world.school,
            reply_to="anna@linde.test",
            attachments=[("gesprek.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        )
    run_tasks()
    assert smtp.handler.recipients() == ["fresh@example.nl", "petra@example.nl"]
    invitation = next(m for r, m in smtp.handler.received if r == ["fresh@example.nl"])
    assert invitation["From"] == "De Linde via OCS <info@linde.test>"
    assert "/uitnodiging/" in invitation.get_body(("plain",)).get_content()
    with_ics = next(m for r, m in smtp.handler.received if r == ["petra@example.nl"])
    assert with_ics["Reply-To"] == "anna@linde.test"
    assert [a.get_filename() for a in with_ics.iter_attachments()] == ["gesprek.ics"]
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_delivery_task_comes_back_by_itself_while_retries_are_due(smtp, send, uses_rq):
    if not uses_rq:
        pytest.skip("the immediate backend cannot defer; the RQ run proves the re-enqueue")
    import django_rq
    from rq.registry import ScheduledJobRegistry

    smtp.stop()
    send()
    send()  # a second run finding the same retries plans no second follow-up
    registry = ScheduledJobRegistry(queue=django_rq.get_queue("mail"))
    assert registry.count == 1


def test_manage_py_mail_deliver_drains_what_is_due(smtp, send):
    from io import StringIO

    from django.core.management import call_command

    smtp.stop()
    mailing = send()
    smtp.start()
    make_due()
    out = StringIO()
    call_command("mail_deliver", stdout=out)
    assert "sent 3, failed 0, retry later 0" in out.getvalue()
    assert set(statuses(mailing).values()) == {Status.SENT}
