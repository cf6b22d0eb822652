"""Rounds with a name and a place, editing and deleting a round, telling children apart,
the notification for parents already planned in, proper invitations and the PDF's pages."""

import io
from datetime import time, timedelta

import vobject
from django.core import mail
from django.urls import reverse
from django.utils.formats import date_format
from pypdf import PdfReader

from conferences.mail import conference_ics
from conferences.models import ConferenceRound, Slot
from conferences.services import (
    notification_send,
    round_assign,
    slot_book,
)
from conferences.tests.conftest import slot_at


def ics_text(message) -> str:
    content = message.attachments[0][1]
    return content.decode() if isinstance(content, bytes) else content


def detail(conference):
    return reverse("conferences:round_detail", args=[conference.public_id])


def test_a_round_is_named_after_its_group_and_month_unless_the_teacher_names_it(
    client, world, login, first_day
):
    login(world.anna)
    data = {
        "group": str(world.g3.public_id),
        "total": 3,
        "duration_minutes": 10,
        "per_block": 3,
        "break_minutes": 0,
        "start_date": first_day.isoformat(),
        "start_time": "15:00",
        "end_time": "16:00",
    }
    client.post("/oudergesprekken/nieuw/", data)
    named = {**data, "name": "Startgesprekken", "location": "https://meet.example.nl/groep3"}
    client.post("/oudergesprekken/nieuw/", named)
    first, second = ConferenceRound.objects.order_by("pk")
    assert first.name == f"Oudergesprekken Groep 3 {date_format(first_day, 'F')}"
    assert (second.name, second.location) == ("Startgesprekken", named["location"])
    listing = client.get("/oudergesprekken/").content.decode()
    assert first.name in listing and "Startgesprekken" in listing
    page = client.get(detail(second)).content.decode()
    assert "<h1>Startgesprekken</h1>" in page
    assert f'<a href="{named["location"]}">' in page


def test_a_bad_video_link_is_refused_in_dutch(client, world, login, make_round):
    conference = make_round()
    login(world.anna)
    url = reverse("conferences:round_edit", args=[conference.public_id])
    closes = (conference.days[0] - timedelta(days=1)).isoformat()
    page = client.post(url, {"name": "X", "location": "https://", "closes_on": closes})
    assert page.status_code == 200
    assert "Dit is geen geldige link." in page.content.decode()


def test_the_teacher_edits_name_place_and_closing_without_moving_a_talk(
    client, world, login, make_round
):
    conference = make_round()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 10).pk,
    )
    before = list(conference.slots.values_list("pk", "starts_at", "pupil_id"))
    login(world.anna)
    url = reverse("conferences:round_edit", args=[conference.public_id])
    page = client.get(url).content.decode()
    closes_on = conference.days[0] - timedelta(days=1)
    assert f'value="{closes_on.isoformat()}"' in page  # "t/m" the day before, as shown
    new_close = conference.days[0] - timedelta(days=3)
    response = client.post(
        url, {"name": "Rapportgesprekken", "location": "Lokaal 12", "closes_on": new_close}
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.name, conference.location) == ("Rapportgesprekken", "Lokaal 12")
    assert conference.closes_text == f"t/m {date_format(new_close, 'l j F')}"
    assert list(conference.slots.values_list("pk", "starts_at", "pupil_id")) == before


def test_deleting_a_published_round_cancels_the_booked_talks_with_an_ics(
    client, world, login, make_round, mails
):
    conference = make_round()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 10).pk,
    )
    login(world.anna)
    url = reverse("conferences:round_delete", args=[conference.public_id])
    assert "Er is 1 gesprek gepland." in client.get(url).content.decode()
    with mails as outbox:
        response = client.post(url, follow=True)
    assert not ConferenceRound.objects.filter(pk=conference.pk).exists()
    assert not Slot.objects.filter(round_id=conference.pk).exists()
    assert "kregen een annulering" in response.content.decode()
    cancelled = [m for m in outbox if "geannuleerd" in m.subject]
    assert sorted(m.to[0] for m in cancelled) == ["petra@example.nl", "quinten@example.nl"]
    for message in cancelled:
        assert "heeft deze oudergesprekken geschrapt" in message.body
        cal = vobject.readOne(ics_text(message))
        assert cal.method.value == "CANCEL"
        assert cal.vevent.status.value == "CANCELLED"


def test_deleting_an_unpublished_round_mails_nobody(client, world, login, make_round, mails):
    conference = make_round(published=False)
    round_assign(conference=conference, changes={slot_at(conference, 15, 0).pk: (None, 1)})
    login(world.anna)
    with mails as outbox:
        client.post(reverse("conferences:round_delete", args=[conference.public_id]))
    assert not ConferenceRound.objects.exists()
    assert outbox == []


def test_two_children_with_the_same_name_are_told_apart_in_the_planning(
    client, world, login, make_round
):
    from schools.models import Pupil

    Pupil.objects.create(
        school=world.school, number="1077", first_name="Sam", last_name="Jansen", group=world.g3
    )
    conference = make_round()
    login(world.anna)
    page = client.get(detail(conference)).content.decode()
    assert "Sam Jansen (leerlingnummer 1001)" in page
    assert "Sam Jansen (leerlingnummer 1077)" in page


def test_parents_already_planned_in_get_their_time_not_kies_een_tijd(
    world, make_round, make_parent, mails
):
    from schools.models import Pupil

    kim = Pupil.objects.create(
        school=world.school, number="3001", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "kees@example.nl", pupils=[kim])
    conference = make_round(published=False)
    round_assign(conference=conference, changes={slot_at(conference, 15, 20).pk: (None, kim.pk)})
    conference.published_at = conference.created_at
    conference.save()
    with mails as outbox:
        notification_send(conference=conference, subject="Kies een tijd", body="Kies een tijd.")
    by_address = {m.to[0]: m for m in outbox}
    assert by_address["petra@example.nl"].subject == "Kies een tijd"
    planned = by_address["kees@example.nl"]
    assert "al ingepland" in planned.body and "Kim:" in planned.body
    assert "15:20–15:30" in planned.body
    assert "Kies een tijd" not in planned.subject


def test_the_invitation_names_organizer_and_attendee_and_reads_in_a_second_parser(
    world, make_round
):
    conference = make_round()
    conference.location = "Lokaal 12"
    conference.save()
    slot = slot_at(conference, 15, 10)
    slot.round = conference
    cal = vobject.readOne(conference_ics(slot=slot, pupil=world.sam, attendee=world.petra).decode())
    assert cal.method.value == "REQUEST"
    event = cal.vevent
    assert event.organizer.value == "mailto:anna@linde.test"
    assert event.organizer.params["CN"] == ["Anna Docent"]
    assert event.attendee.value == "mailto:petra@example.nl"
    assert event.attendee.params["PARTSTAT"] == ["ACCEPTED"]
    assert event.location.value == "Lokaal 12"
    assert event.dtstart.value == slot.starts_at
    assert "Europe/Amsterdam" in str(event.dtstart.value.tzinfo)
    assert event.uid.value.endswith("@ocs")


def test_booking_mail_carries_an_invitation_addressed_to_that_parent(world, make_round, mails):
    conference = make_round()
    with mails as outbox:
        slot_book(
            parent=world.petra,
            conference=conference,
            pupil=world.sam,
            slot_id=slot_at(conference, 15, 0).pk,
        )
    confirmation = next(m for m in outbox if m.to == ["petra@example.nl"])
    cal = vobject.readOne(ics_text(confirmation))
    assert cal.vevent.attendee.value == "mailto:petra@example.nl"


def test_the_pdf_repeats_the_day_and_the_header_on_the_next_page(
    client, world, login, make_round, first_day
):
    conference = make_round(total=40, start=time(13, 0), end=time(20, 0), duration=10)
    login(world.anna)
    response = client.get(reverse("conferences:round_pdf", args=[conference.public_id]))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) >= 2
    day = date_format(first_day, "l j F Y")
    for text in pages:
        assert day in text and "Tijd" in text and "Kind" in text


def test_submitting_without_a_time_names_the_child_at_its_card(client, world, login, make_round):
    conference = make_round()
    login(world.petra)
    response = client.post(
        reverse("conferences:portal_book", args=[conference.public_id]),
        {"pupil": str(world.sam.public_id)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    card = page[page.index(f'id="card-{conference.public_id}-{world.sam.public_id}"') :]
    assert card.index("data-autofocus") < card.index("Kies een tijd voor Sam.") < 2000
    assert mail.outbox == []
