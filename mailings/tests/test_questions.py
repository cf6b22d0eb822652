"""Vraag om reactie: a mailing's question, the parents' answers per child in the portal (two
households, latest answer counts, restriction, deadline), the teacher's tally, the PDF and
the reminder."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from mailings.models import Answer, Choice, OutgoingMessage, Question
from mailings.questions import (
    QuestionError,
    answers_save,
    question_draft,
    question_tally,
)
from mailings.services import mailing_send
from schools.models import Pupil

COMPOSE_SEND = reverse("mailings:send")


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def rik(world, make_parent):
    """A second household in Groep 3: Noor Bakker with her father Rik."""
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Bakker", group=world.g3
    )
    return make_parent(world.school, "rik@example.nl", pupils=[noor], first_name="Rik")


def send_question(client, group, *, kind="yes_no", labels=(), day=None, time="17:00", **extra):
    return client.post(
        COMPOSE_SEND,
        {
            "group": [group.public_id],
            "subject": "Schoolreis",
            "body": "Wij gaan naar de dierentuin.",
            "question_prompt": "Mag uw kind mee op schoolreis?",
            "question_kind": kind,
            "question_choice": list(labels),
            "question_day": day or tomorrow(),
            "question_time": time,
            **extra,
        },
    )


def question_of(world) -> Question:
    return Question.objects.select_related("mailing").get(mailing__school=world.school)


def message_url(question, parent) -> str:
    message = OutgoingMessage.objects.get(mailing=question.mailing, parent=parent)
    return reverse("mailings:portal_detail", args=[message.public_id])


def answer_url(question, parent) -> str:
    message = OutgoingMessage.objects.get(mailing=question.mailing, parent=parent)
    return reverse("mailings:portal_answer", args=[message.public_id])


def answer(client, question, parent, pupil, position):
    return client.post(
        answer_url(question, parent), {f"kind-{pupil.public_id}": str(position)}, follow=True
    )


def test_a_teacher_adds_a_yes_no_question_when_composing(world, login, sent):
    client = login(world.anna)
    with sent as outbox:
        response = send_question(client, world.g3)
    assert response.status_code == 302
    question = question_of(world)
    assert question.kind == "yes_no"
    assert [c.label for c in question.choices.all()] == ["Ja", "Nee"]
    deadline = timezone.localtime(question.deadline)
    assert (deadline.date().isoformat(), deadline.strftime("%H:%M")) == (tomorrow(), "17:00")
    # The mail says there is a question and links to the portal message.
    to_petra = next(m for m in outbox if "petra@example.nl" in m.to[0])
    assert "Dit bericht bevat een vraag: Mag uw kind mee op schoolreis?" in to_petra.body
    link = reverse("mailings:portal_mailing", args=[question.mailing.public_id])
    assert link in to_petra.body
    html = to_petra.alternatives[0][0]
    assert "Beantwoord de vraag" in html and link in html
    entry = AuditEvent.objects.get(action="send", object_type="mailing")
    assert entry.detail["question"] is True


def test_a_mailing_without_a_question_says_nothing_of_one(world, login, sent):
    with sent as outbox:
        login(world.anna).post(
            COMPOSE_SEND, {"group": [world.g3.public_id], "subject": "Nieuws", "body": "Hallo"}
        )
    assert not Question.objects.exists()
    assert all("vraag" not in m.body for m in outbox)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question_prompt": ""}, "Typ de vraag"),
        ({"question_kind": "choice", "question_choice": ["Alleen"]}, "twee tot zes keuzes"),
        (
            {"question_kind": "choice", "question_choice": ["Fiets", "fiets"]},
            "maar één keer voorkomen",
        ),
        ({"question_day": "2020-01-01"}, "in de toekomst liggen"),
        ({"question_day": "morgen"}, "geldige datum en tijd"),
    ],
)
def test_a_bad_question_refuses_the_whole_mailing_with_a_dutch_message(
    world, login, fields, message
):
    data = {
        "group": [world.g3.public_id],
        "subject": "Schoolreis",
        "body": "Wij gaan naar de dierentuin.",
        "question_prompt": "Mag uw kind mee?",
        "question_kind": "yes_no",
        "question_day": tomorrow(),
        "question_time": "17:00",
        **fields,
    }
    response = login(world.anna).post(COMPOSE_SEND, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    # Nothing half-written: no mailing, no outbox rows; what was typed is still there.
    assert not OutgoingMessage.objects.exists() and not Question.objects.exists()
    assert "Wij gaan naar de dierentuin." in response.content.decode()


def test_choices_are_stored_as_typed_in_order(world, login):
    send_question(login(world.anna), world.g3, kind="choice", labels=["Fiets", "Auto", "", "Bus"])
    question = question_of(world)
    assert [(c.position, c.label) for c in question.choices.all()] == [
        (0, "Fiets"),
        (1, "Auto"),
        (2, "Bus"),
    ]


def test_the_database_refuses_a_second_answer_for_a_child_and_a_seventh_choice(world, login):
    from django.db import IntegrityError, transaction

    send_question(login(world.anna), world.g3)
    question = question_of(world)
    yes = question.choices.get(position=0)
    Answer.objects.create(
        question=question,
        pupil=world.sam,
        choice=yes,
        answered_by=world.petra,
        answered_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            question=question,
            pupil=world.sam,
            choice=yes,
            answered_by=world.quinten,
            answered_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(question=question, position=6, label="Zeven")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(kind="open")


def test_both_guardians_answer_and_the_latest_answer_counts(world, login, rik):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    page = answer(login(world.petra), question, world.petra, world.sam, 0).content.decode()
    assert "Bedankt, uw antwoord is opgeslagen." in page
    assert "Geantwoord door Petra Jansen" in page
    # Quinten, Sam's father in another household, changes it: his answer counts now.
    page = answer(login(world.quinten), question, world.quinten, world.sam, 1).content.decode()
    assert "Geantwoord door Quinten Jansen" in page
    only = Answer.objects.get(question=question, pupil=world.sam)
    assert (only.choice.label, only.answered_by) == ("Nee", world.quinten)
    # Petra sees Quinten's answer on her page.
    petra_page = login(world.petra).get(message_url(question, world.petra)).content.decode()
    assert "Geantwoord door Quinten Jansen" in petra_page
    tally = question_tally(mailing=question.mailing)
    assert [(c.label, n) for c, n in tally.choices] == [("Ja", 0), ("Nee", 1)]
    assert [r.name for r in tally.unanswered] == ["Noor Bakker"]


def test_a_parent_answers_only_for_children_in_the_mailings_groups(world, login):
    """Quinten has Sam in Groep 3 and Lotte in Groep 4: a mailing to Groep 3 asks about Sam."""
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    page = login(world.quinten).get(message_url(question, world.quinten)).content.decode()
    assert f"kind-{world.sam.public_id}" in page and f"kind-{world.lotte.public_id}" not in page
    response = answer(login(world.quinten), question, world.quinten, world.lotte, 0)
    assert "U kunt alleen antwoorden voor uw eigen kinderen." in response.content.decode()
    assert not Answer.objects.exists()


def test_a_special_group_mailing_asks_about_every_child_of_the_parent(world, login):
    from specialgroups.models import Signup
    from specialgroups.services import special_group_create

    special = special_group_create(
        school=world.school, created_by=world.dirk.user, name="Overblijf", has_activity=False
    )
    Signup.objects.create(special_group=special, parent=world.quinten)
    mailing = mailing_send(
        staff=world.dirk,
        groups=[],
        special_groups=[special],
        parent_ids=None,
        subject="Overblijven",
        body="Blijft uw kind over?",
        files=[],
    )
    from mailings.questions import question_create

    draft = question_draft(
        prompt="Blijft uw kind over?", kind="yes_no", labels=[], day=tomorrow(), time="12:00"
    )
    question = question_create(mailing=mailing, draft=draft)
    tally = question_tally(mailing=mailing)
    assert sorted(r.name for r in tally.children) == ["Lotte Jansen", "Sam Jansen"]
    page = login(world.quinten).get(message_url(question, world.quinten)).content.decode()
    assert f"kind-{world.sam.public_id}" in page and f"kind-{world.lotte.public_id}" in page


def test_a_restricted_guardian_has_no_say_and_their_answer_goes(world, login, sent):
    from families.restrictions import restriction_add

    with sent:
        send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.quinten), question, world.quinten, world.sam, 0)
    assert Answer.objects.filter(pupil=world.sam).exists()
    restriction_add(
        parent=world.quinten, pupil=world.sam, reason="Uitspraak", staff=world.dirk, request=None
    )
    assert not Answer.objects.filter(pupil=world.sam).exists()
    page = login(world.quinten).get(message_url(question, world.quinten)).content.decode()
    assert f"kind-{world.sam.public_id}" not in page
    response = answer(login(world.quinten), question, world.quinten, world.sam, 0)
    assert "U kunt alleen antwoorden voor uw eigen kinderen." in response.content.decode()
    assert not Answer.objects.filter(pupil=world.sam).exists()
    # Petra still answers for Sam.
    answer(login(world.petra), question, world.petra, world.sam, 1)
    assert Answer.objects.get(pupil=world.sam).answered_by == world.petra


def test_a_blocked_parent_cannot_answer(world, login):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    world.petra.is_blocked = True
    world.petra.save()
    response = login(world.petra).post(
        answer_url(question, world.petra), {f"kind-{world.sam.public_id}": "0"}
    )
    assert response.status_code in (302, 403)
    assert not Answer.objects.exists()
    with pytest.raises(QuestionError):
        answers_save(question=question, parent=world.petra, chosen={str(world.sam.public_id): "0"})


def test_answers_close_at_the_deadline_with_a_clear_dutch_text(world, login):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 0)
    Question.objects.filter(pk=question.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = login(world.petra).get(message_url(question, world.petra)).content.decode()
    assert "Antwoorden kan niet meer: de termijn is verstreken op" in page
    assert "Antwoord opslaan" not in page
    response = answer(login(world.petra), question, world.petra, world.sam, 1)
    assert "De termijn om te antwoorden is verstreken op" in response.content.decode()
    assert Answer.objects.get(pupil=world.sam).choice.label == "Ja"
    status = login(world.anna).get(reverse("mailings:detail", args=[question.mailing.public_id]))
    assert "Gesloten: antwoorden kon tot" in status.content.decode()


def test_the_status_page_shows_the_tally_and_who_has_not_answered(world, login, rik):
    send_question(login(world.anna), world.g3, kind="choice", labels=["Fiets", "Auto", "Bus"])
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 2)
    page = (
        login(world.anna)
        .get(reverse("mailings:detail", args=[question.mailing.public_id]))
        .content.decode()
    )
    assert "1 van 2 kinderen beantwoord" in page
    tally = page[page.index("tally-title") : page.index("Nog niet beantwoord")]
    assert '<td>Bus</td><td><progress max="2" value="1">' in tally
    assert '<td>Fiets</td><td><progress max="2" value="0">' in tally
    waiting = page[page.index("not-answered") : page.index("</ul>", page.index("not-answered"))]
    assert "Noor Bakker" in waiting and "Rik Ouder" in waiting and "Sam" not in waiting


def test_a_reminder_goes_to_families_without_an_answer_once_a_day(world, login, rik, sent):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.quinten), question, world.quinten, world.sam, 0)
    client = login(world.anna)
    page = client.get(reverse("mailings:detail", args=[question.mailing.public_id]))
    assert "Wij hebben nog geen antwoord van u op de vraag" in page.content.decode()
    url = reverse("mailings:question_remind", args=[question.mailing.public_id])
    with sent as outbox:
        response = client.post(url, {"text": "Graag uw antwoord vóór de reis."}, follow=True)
    assert "Er gaat een herinnering naar 1 gezin." in response.content.decode()
    reminders = [m for m in outbox if m.subject.startswith("Herinnering")]
    assert [m.to for m in reminders] == [["rik@example.nl"]], [m.to for m in reminders]
    assert "Graag uw antwoord vóór de reis." in reminders[0].body
    assert "Mag uw kind mee op schoolreis?" in reminders[0].body
    assert reminders[0].reply_to == ["anna@linde.test"]
    # The same day: nothing more, whichever reminder it is.
    with sent as outbox:
        response = client.post(url, {"text": "Nogmaals"}, follow=True)
        client.post(reverse("mailings:remind", args=[question.mailing.public_id]))
    assert not [m for m in outbox if m.subject.startswith("Herinnering")]
    assert "kreeg vandaag al een herinnering" in response.content.decode()
    entry = AuditEvent.objects.get(action="send", object_type="question")
    assert entry.detail == {"reminders": 1}


def test_no_reminder_after_the_deadline(world, login, sent):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    Question.objects.filter(pk=question.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = reverse("mailings:question_remind", args=[question.mailing.public_id])
    with sent as outbox:
        response = login(world.anna).post(url, {"text": "Toch nog?"}, follow=True)
    assert "De termijn om te antwoorden is verstreken." in response.content.decode()
    assert not [m for m in outbox if m.subject.startswith("Herinnering")]


def test_the_answers_pdf_lists_each_group_with_names_as_typed(world, login, make_parent):
    odd = Pupil.objects.create(
        school=world.school,
        number="1009",
        first_name="#Jan $1 *ster*",
        last_name="\\Back",
        group=world.g3,
    )
    make_parent(world.school, "odd@example.nl", pupils=[odd], first_name="Ouder #[x]")
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 1)
    response = login(world.anna).get(
        reverse("mailings:question_pdf", args=[question.mailing.public_id])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Mag uw kind mee op schoolreis?" in text
    assert "Groep 3" in text
    assert "#Jan $1 *ster* \\Back" in text
    assert "Ouder #[x] Ouder" in text
    assert "Sam Jansen" in text and "Nee" in text and "Petra Jansen" in text
    assert "geen antwoord: 1" in text
    assert AuditEvent.objects.filter(action="download", object_type="question").exists()


def test_a_mailing_without_a_question_has_no_answers_pdf(world, login):
    login(world.anna).post(
        COMPOSE_SEND, {"group": [world.g3.public_id], "subject": "Nieuws", "body": "Hallo"}
    )
    mailing = world.school.mailings.get()
    response = login(world.anna).get(reverse("mailings:question_pdf", args=[mailing.public_id]))
    assert response.status_code == 404


def test_the_logboek_reads_answers_and_reminders_in_dutch(world, login):
    from audit.sentences import describe

    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 0)
    sentences = describe(AuditEvent.objects.order_by("pk"), reader=world.dirk)
    assert "Petra Jansen heeft de vraag bij ‘Schoolreis’ beantwoord." in sentences


def test_a_parent_never_reads_or_answers_for_another_family(world, login, rik):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 0)
    client = login(rik)
    # Petra's copy of the message and its answer form are not Rik's: 404.
    assert client.get(message_url(question, world.petra)).status_code == 404
    response = client.post(answer_url(question, world.petra), {f"kind-{world.sam.public_id}": "1"})
    assert response.status_code == 404
    # Through his own message he cannot answer for Sam either, nor see Petra's answer.
    response = answer(client, question, rik, world.sam, 1)
    assert "U kunt alleen antwoorden voor uw eigen kinderen." in response.content.decode()
    assert "Petra" not in client.get(message_url(question, rik)).content.decode()
    assert Answer.objects.get(pupil=world.sam).choice.label == "Ja"
    # A GET or a POST without the CSRF token changes nothing.
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(rik.user, backend="accounts.backends.EmailBackend")
    noor = Pupil.objects.get(first_name="Noor")
    response = csrf_client.post(answer_url(question, rik), {f"kind-{noor.public_id}": "0"})
    assert response.status_code == 403
    assert client.get(answer_url(question, rik)).status_code == 405
    assert not Answer.objects.filter(pupil=noor).exists()


def test_the_avg_export_holds_a_parents_answers_and_erasure_removes_them(world, login):
    from privacy.services import parent_erase, parent_export

    send_question(login(world.anna), world.g3)
    question = question_of(world)
    answer(login(world.petra), question, world.petra, world.sam, 1)
    exported = parent_export(parent=world.petra)
    assert exported["antwoorden_op_vragen"] == [
        {
            "bericht": "Schoolreis",
            "vraag": "Mag uw kind mee op schoolreis?",
            "kind": "Sam Jansen",
            "antwoord": "Nee",
            "gegeven_op": Answer.objects.get().answered_at.isoformat(),
        }
    ]
    parent_erase(parent=world.petra)
    assert not Answer.objects.exists()


def test_a_parent_reading_in_english_answers_in_english(world, login):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    client = login(world.petra)
    client.post("/portaal/taal/", {"language": "en"})
    page = answer(client, question, world.petra, world.sam, 0).content.decode()
    assert "Thank you, your answer has been saved." in page
    assert "Question for a response" in page and "Save answer" in page
    assert "> Yes</label>" in page and "> No</label>" in page
    assert "Answered by Petra Jansen" in page


def test_the_berichten_list_marks_a_message_with_a_question(world, login):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    client = login(world.petra)
    page = client.get(reverse("mailings:portal_list")).content.decode()
    assert "Vraag om reactie · antwoorden tot" in page
    Question.objects.filter(pk=question.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = client.get(reverse("mailings:portal_list")).content.decode()
    assert "Vraag om reactie · gesloten" in page


def test_the_dashboard_says_a_question_waits_for_an_answer(world, login):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    client = login(world.petra)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "De school wacht op uw antwoord op 1 vraag." in page
    answer(client, question, world.petra, world.sam, 0)
    # Answered (by her or by Quinten): the notice goes, for both guardians.
    assert "wacht op uw antwoord" not in client.get(reverse("portal:dashboard")).content.decode()
    quinten = login(world.quinten).get(reverse("portal:dashboard")).content.decode()
    assert "wacht op uw antwoord" not in quinten


def test_a_blocked_guardian_gets_no_reminder_the_other_does(world, login, rik, sent):
    send_question(login(world.anna), world.g3)
    question = question_of(world)
    world.petra.is_blocked = True
    world.petra.save()
    rik.is_blocked = True
    rik.save()
    url = reverse("mailings:question_remind", args=[question.mailing.public_id])
    with sent as outbox:
        response = login(world.anna).post(url, {"text": "Graag uw antwoord."}, follow=True)
    reminders = [m for m in outbox if m.subject.startswith("Herinnering")]
    assert [m.to for m in reminders] == [["quinten@example.nl"]], [m.to for m in reminders]
    page = response.content.decode()
    assert "Er gaat een herinnering naar 1 gezin." in page
    assert "1 gezin is per e-mail niet bereikbaar" in page
