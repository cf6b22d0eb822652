"""Drafts ("Opslaan als concept") and planned mailings ("Later versturen"): who sees them,
what survives editing, how the worker sends them on time and what a late edit is told."""

from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.sentences import describe
from families.restrictions import restriction_add
from mailings.drafts import scheduled_send, scheduled_send_due, send_at_parse
from mailings.models import Mailing, MailingAttachment, OutgoingMessage
from mailings.services import MailingError
from mailings.tests.helpers import pdf

AMS = ZoneInfo("Europe/Amsterdam")
NEW = reverse("mailings:draft_new")
DRAFTS = reverse("mailings:drafts")


def edit_url(draft):
    return reverse("mailings:draft_edit", args=[draft.public_id])


def form(groups=(), action="draft", files=(), **fields):
    data = {
        "group": [str(g.public_id) for g in groups],
        "subject": fields.pop("subject", "Schoolreis"),
        "body": fields.pop("body", "Beste ouders, de schoolreis is op 12 juni."),
        "attachments": list(files),
        "action": action,
    }
    data.update(fields)
    return data


def to(message) -> str:
    return parseaddr(message.to[0])[1]


def later(**delta) -> str:
    return (timezone.localtime(timezone.now(), AMS) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def test_a_draft_keeps_everything_and_only_its_author_sees_it(world, login, make_staff):
    client = login(world.anna)
    response = client.post(NEW, form([world.g3], files=[pdf("Route.pdf")]))
    assert response.status_code == 302 and response.url == DRAFTS
    draft = Mailing.objects.get()
    assert draft.status == "draft" and not OutgoingMessage.objects.exists()
    page = client.get(DRAFTS).content.decode()
    assert "Schoolreis" in page and "1 bijlage" in page
    page = client.get(edit_url(draft)).content.decode()
    assert "Route.pdf" in page and "de schoolreis is op 12 juni" in page
    # Not on the sent list, not for the directie, not for another teacher of the group.
    assert "Schoolreis" not in client.get(reverse("mailings:sent")).content.decode()
    colleague = make_staff(world.school, "carla@linde.test", groups=[world.g3])
    for other in (world.dirk, colleague, world.olaf):
        other_client = login(other)
        assert "Schoolreis" not in other_client.get(DRAFTS).content.decode()
        assert other_client.get(edit_url(draft)).status_code == 404
        assert other_client.post(edit_url(draft), form([world.g3])).status_code == 404
        assert (
            other_client.post(reverse("mailings:draft_remove", args=[draft.public_id])).status_code
            == 404
        )
        assert (
            other_client.get(reverse("mailings:detail", args=[draft.public_id])).status_code == 404
        )
    assert Mailing.objects.filter(pk=draft.pk).exists()
    assert (
        "Schoolreis" not in login(world.petra).get(reverse("mailings:portal_list")).content.decode()
    )


def test_attachments_survive_editing_and_go_with_the_mail(world, login, sent):
    client = login(world.anna)
    client.post(NEW, form([world.g3], files=[pdf("Route.pdf"), pdf("Lijst.pdf")]))
    draft = Mailing.objects.get()
    lijst = draft.attachments.get(filename="Lijst.pdf")
    # Edit the text, drop one attachment, add another.
    client.post(
        edit_url(draft),
        form(
            [world.g3],
            subject="Schoolreis (nieuw)",
            files=[pdf("Kosten.pdf")],
            remove_attachment=[str(lijst.public_id)],
        ),
    )
    draft.refresh_from_db()
    assert draft.subject == "Schoolreis (nieuw)"
    assert sorted(a.filename for a in draft.attachments.all()) == ["Kosten.pdf", "Route.pdf"]
    # A plain text edit keeps them.
    client.post(edit_url(draft), form([world.g3], subject="Schoolreis 12 juni"))
    assert draft.attachments.count() == 2
    with sent as outbox:
        response = client.post(
            edit_url(draft), form([world.g3], subject="Schoolreis 12 juni", action="send")
        )
    assert response.status_code == 302
    mails = [m for m in outbox if m.subject == "Schoolreis 12 juni"]
    assert sorted(to(m) for m in mails) == [
        "anna@linde.test",
        "petra@example.nl",
        "quinten@example.nl",
    ]
    names = sorted(a.get_filename() for a in mails[0].message().iter_attachments())
    assert names == ["Kosten.pdf", "Route.pdf"]
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert "Schoolreis 12 juni" in client.get(reverse("mailings:sent")).content.decode()
    assert "Schoolreis" not in client.get(DRAFTS).content.decode()


def test_a_draft_may_be_incomplete_but_sending_it_is_refused_without_writing(world, login):
    client = login(world.anna)
    client.post(NEW, form([world.g3], subject="", body="", files=[pdf()]))
    draft = Mailing.objects.get()
    assert draft.subject == "" and draft.attachments.count() == 1
    response = client.post(edit_url(draft), form([world.g3], subject="", action="send"))
    assert response.status_code == 400
    assert "Vul een onderwerp in." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and not OutgoingMessage.objects.exists()
    # The refused attempt wrote nothing, also not its new text or a second attachment.
    response = client.post(
        edit_url(draft), form([world.g3], subject="", action="schedule", files=[pdf("x.pdf")])
    )
    assert response.status_code == 400
    assert draft.attachments.count() == 1 and Mailing.objects.get().body == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Kies de datum en de tijd"),
        ("morgen", "is geen datum en tijd"),
        ("2020-01-01T08:00", "is al voorbij"),
    ],
)
def test_later_versturen_needs_a_time_in_the_future(world, login, value, message):
    response = login(world.anna).post(NEW, form([world.g3], action="schedule", send_at=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mailing.objects.exists()


def test_the_time_is_dutch_time():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("UTC"))
    moment = send_at_parse("2026-12-01T08:00", now=now)
    assert moment.astimezone(ZoneInfo("UTC")).hour == 7  # CET is UTC+1 in winter
    assert send_at_parse("1-12-2026 08:00", now=now) == moment
    summer = send_at_parse("2027-06-01T08:00", now=now)
    assert summer.astimezone(ZoneInfo("UTC")).hour == 6  # CEST
    with pytest.raises(MailingError):
        send_at_parse("2030-01-01T08:00", now=now)  # more than a year ahead


def schedule(client, world, minutes=30, **fields):
    response = client.post(
        NEW, form([world.g3], action="schedule", send_at=later(minutes=minutes), **fields)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mailing.objects.get(status="scheduled")


def test_a_planned_mailing_goes_at_its_time_to_the_parents_of_that_moment(
    world, login, make_parent, sent
):
    client = login(world.anna)
    mailing = schedule(client, world, subject="Kerstviering")
    assert "ingepland voor" in client.get(DRAFTS).content.decode()
    # Before its time nothing goes.
    assert scheduled_send_due() == 0 and not OutgoingMessage.objects.exists()
    # Meanwhile a parent joins, one is blocked and one is restricted for the child.
    from schools.models import Pupil

    kim = Pupil.objects.create(
        school=world.school, number="1009", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "nieuw@example.nl", pupils=[kim])
    world.petra.is_blocked = True
    world.petra.save()
    restriction_add(
        parent=world.quinten, pupil=world.sam, reason="uitspraak", staff=world.dirk, request=None
    )
    when = mailing.send_at + timedelta(seconds=1)
    with sent as outbox:
        assert scheduled_send_due(now=when) == 1
        assert scheduled_send_due(now=when) == 0  # once only
    addresses = sorted(to(m) for m in outbox if m.subject == "Kerstviering")
    assert addresses == ["anna@linde.test", "nieuw@example.nl"]
    mailing.refresh_from_db()
    assert mailing.status == "sent"
    assert [s["reason"] for s in mailing.skipped] == ["blocked"]
    event = AuditEvent.objects.get(object_type="mailingschedule", action="send")
    assert describe([event], reader=world.dirk) == [
        "Het ingeplande bericht ‘Kerstviering’ is verstuurd aan 1 ouders."
    ]


def test_cancelled_plans_do_not_go_and_a_late_cancel_is_told(world, login, sent):
    client = login(world.anna)
    mailing = schedule(client, world)
    cancel = reverse("mailings:draft_unschedule", args=[mailing.public_id])
    response = client.post(cancel, follow=True)
    assert "Het inplannen is geannuleerd" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "draft" and mailing.send_at is None
    assert scheduled_send_due(now=timezone.now() + timedelta(days=1)) == 0
    # Planned again, then sent by the worker; a cancel afterwards changes nothing.
    client.post(edit_url(mailing), form([world.g3], action="schedule", send_at=later(minutes=5)))
    mailing.refresh_from_db()
    assert mailing.status == "scheduled"
    with sent:
        scheduled_send(mailing_id=mailing.pk, now=mailing.send_at)
    response = client.post(cancel, follow=True)
    assert "Dit bericht is al verstuurd" in response.content.decode()
    response = client.post(edit_url(mailing), form([world.g3], subject="te laat"), follow=True)
    assert "Dit bericht is al verstuurd" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.subject == "Schoolreis" and mailing.status == "sent"


def test_a_planned_mailing_that_cannot_go_returns_to_the_drafts_with_the_reason(world, login):
    client = login(world.anna)
    mailing = schedule(client, world)
    world.petra.is_blocked = True
    world.petra.save()
    world.quinten.email = ""
    world.quinten.save()
    assert scheduled_send(mailing_id=mailing.pk, now=mailing.send_at) == "problem"
    mailing.refresh_from_db()
    assert mailing.status == "draft" and not OutgoingMessage.objects.exists()
    page = client.get(DRAFTS).content.decode()
    assert "Niet verstuurd: Geen van de gekozen ouders kan een e-mail ontvangen." in page


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_planned_mailing_on_time(world, login, database_queue, settings):
    """The database queue as `make run` has it: scheduling writes a deferred task; the
    worker leaves it until its time and then sends."""
    from django_tasks_db.models import DBTaskResult

    client = login(world.anna)
    mailing = schedule(client, world, minutes=10)
    task = DBTaskResult.objects.get(task_path="mailings.drafts.send_scheduled_mailings")
    assert task.run_after == mailing.send_at
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    mailing.refresh_from_db()
    assert mailing.status == "scheduled"  # not yet
    # Its time comes.
    past = timezone.now() - timedelta(seconds=1)
    Mailing.objects.filter(pk=mailing.pk).update(send_at=past)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=past)
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    mailing.refresh_from_db()
    assert mailing.status == "sent"
    assert OutgoingMessage.objects.filter(mailing=mailing, is_sender_copy=False).count() == 2


def test_mail_deliver_sends_what_is_due_too(world, login, capsys):
    mailing = schedule(login(world.anna), world)
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    call_command("mail_deliver")
    assert "planned mailings sent 1" in capsys.readouterr().out
    assert Mailing.objects.get(pk=mailing.pk).status == "sent"


def test_deleting_a_draft_removes_it_and_its_files(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.anna)
    client.post(NEW, form([world.g3], files=[pdf("Route.pdf")]))
    draft = Mailing.objects.get()
    path = draft.attachments.get().file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mailings:draft_remove", args=[draft.public_id]))
    assert response.status_code == 302
    assert not Mailing.objects.exists() and not MailingAttachment.objects.exists()
    import os

    assert not os.path.exists(path)
    event = AuditEvent.objects.get(action="delete", object_type="mailing")
    assert describe([event], reader=world.dirk) == [
        "Anna Docent heeft het concept ‘Schoolreis’ verwijderd."
    ]


def test_individual_choice_is_kept_and_checked_again_when_sent(world, login, sent):
    client = login(world.anna)
    client.post(NEW, form([world.g3], individual="1", parent=[str(world.petra.public_id)]))
    draft = Mailing.objects.get()
    assert draft.individual and draft.chosen_parents == [str(world.petra.public_id)]
    page = client.get(edit_url(draft)).content.decode()
    assert f'value="{world.petra.public_id}" checked' in page
    with sent as outbox:
        client.post(
            edit_url(draft),
            form([world.g3], individual="1", parent=[str(world.petra.public_id)], action="send"),
        )
    assert sorted(to(m) for m in outbox) == ["anna@linde.test", "petra@example.nl"]


def test_the_drafts_page_costs_the_same_for_one_draft_or_many(
    world, login, django_assert_max_num_queries
):
    client = login(world.anna)
    client.post(NEW, form([world.g3], files=[pdf()]))
    # Session, user, staff role, drafts, groups, special groups, attachments, messages.
    with django_assert_max_num_queries(9):
        client.get(DRAFTS)
    for i in range(15):
        client.post(NEW, form([world.g3], subject=f"Concept {i}", files=[pdf()]))
    with django_assert_max_num_queries(9):
        page = client.get(DRAFTS).content.decode()
    assert "Concept 14" in page


def test_a_draft_keeps_its_question_and_sends_it(world, login, sent):
    from mailings.question_models import Question

    client = login(world.anna)
    day = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%d")
    question = {
        "question_prompt": "Mag uw kind mee op schoolreis?",
        "question_kind": "yes_no",
        "question_day": day,
        "question_time": "12:00",
    }
    client.post(NEW, form([world.g3], **question))
    draft = Mailing.objects.get()
    assert draft.question.prompt == "Mag uw kind mee op schoolreis?"
    page = client.get(edit_url(draft)).content.decode()
    assert 'value="Mag uw kind mee op schoolreis?"' in page and f'value="{day}"' in page
    # Planned after the answering deadline: refused.
    late = (timezone.localtime() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        edit_url(draft), form([world.g3], action="schedule", send_at=late, **question)
    )
    assert response.status_code == 400
    assert "na de datum om te antwoorden" in response.content.decode()
    with sent:
        client.post(edit_url(draft), form([world.g3], action="send", **question))
    draft.refresh_from_db()
    assert draft.status == "sent" and Question.objects.get().mailing_id == draft.pk
