"""The teacher's side of the chapter: create, plan, publish, notify, remind, PDF."""

import io
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conferences.models import ConferenceRound, Slot
from conferences.services import slot_book
from conferences.slots import AMSTERDAM
from conferences.tests.conftest import slot_at


def form_data(world, first_day, **overrides):
    data = {
        "group": str(world.g3.public_id),
        "total": 5,
        "duration_minutes": 10,
        "per_block": 3,
        "break_minutes": 15,
        "start_date": first_day.isoformat(),
        "start_time": "15:00",
        "end_time": "16:05",
    }
    data.update(overrides)
    return data


def detail(conference):
    return reverse("conferences:round_detail", args=[conference.public_id])


def test_a_teacher_creates_a_round_and_sees_it_unpublished(client, world, login, first_day):
    login(world.anna)
    response = client.post("/oudergesprekken/nieuw/", form_data(world, first_day), follow=True)
    conference = ConferenceRound.objects.get()
    page = response.content.decode()
    assert "Nog niet gepubliceerd" in page
    times = [s.starts_at.astimezone(AMSTERDAM) for s in conference.slots.all()]
    assert [t.strftime("%H:%M") for t in times] == ["15:00", "15:10", "15:20", "15:45", "15:55"]
    assert "15:45–15:55" in page  # the break of 15 minutes after three conversations
    assert conference.closes_at.astimezone(AMSTERDAM).date() == first_day  # 00:00 on the first day
    listing = client.get("/oudergesprekken/").content.decode()
    assert (
        listing.index("Nog niet gepubliceerd")
        < listing.index("Groep 3")
        < listing.index("Gepubliceerd")
    )


def test_when_the_days_are_too_short_the_teacher_is_warned_and_chooses(
    client, world, login, first_day
):
    login(world.anna)
    data = form_data(world, first_day, total=30)
    page = client.post("/oudergesprekken/nieuw/", data).content.decode()
    assert "Er passen 5 van de 30 gesprekken." in page
    assert not ConferenceRound.objects.exists()  # nothing saved before the teacher chooses
    extra = first_day + timedelta(days=1)
    page = client.post(
        "/oudergesprekken/nieuw/", {**data, "extra_date_1": extra.isoformat()}
    ).content.decode()
    assert "Er passen 10 van de 30 gesprekken." in page
    client.post("/oudergesprekken/nieuw/", {**data, "accept_fewer": "1"})
    assert ConferenceRound.objects.get().slots.count() == 5


def test_bad_settings_get_clear_dutch_messages(client, world, login, first_day):
    login(world.anna)
    page = client.post(
        "/oudergesprekken/nieuw/",
        form_data(world, first_day, end_time="14:00", extra_date_1=first_day.isoformat()),
    ).content.decode()
    assert "De eindtijd moet na de begintijd liggen." in page
    assert "Geef elke dag maar één keer op." in page


def test_a_teacher_cannot_create_a_round_for_another_group(client, world, login, first_day):
    login(world.bram)
    page = client.post("/oudergesprekken/nieuw/", form_data(world, first_day)).content.decode()
    assert "Selecteer een geldige keuze" in page or "Select a valid choice" in page
    assert not ConferenceRound.objects.exists()


def test_the_teacher_plans_a_child_in_and_the_parents_are_invited_on_publishing(
    client, world, login, make_round, mails
):
    conference = make_round(published=False)
    slot = slot_at(conference, 15, 10)
    login(world.anna)
    with mails as outbox:
        client.post(detail(conference), {f"slot_{slot.pk}": world.sam.pk, f"was_{slot.pk}": ""})
    slot.refresh_from_db()
    assert slot.pupil == world.sam and slot.booked_by is None
    assert outbox == []  # the portal does not show the round yet
    page = client.get(detail(conference)).content.decode()
    assert "ingepland door de leerkracht" in page
    with mails as outbox:
        client.post(reverse("conferences:round_publish", args=[conference.public_id]))
    assert {m.to[0] for m in outbox} == {"petra@example.nl", "quinten@example.nl"}
    assert all(m.attachments for m in outbox)
    assert "Anna Docent heeft een oudergesprek voor Sam ingepland" in outbox[0].body


def test_the_teacher_does_not_overwrite_a_booking_made_meanwhile(client, world, login, make_round):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=slot.pk)
    login(world.anna)
    # The teacher's page still showed the slot free; she saves it as free.
    response = client.post(detail(conference), {f"slot_{slot.pk}": "", f"was_{slot.pk}": ""})
    slot.refresh_from_db()
    assert slot.pupil == world.sam
    assert response.status_code == 302


def test_one_child_twice_in_the_grid_is_refused(client, world, login, make_round):
    conference = make_round()
    a, b = slot_at(conference, 15, 0), slot_at(conference, 15, 10)
    login(world.anna)
    response = client.post(
        detail(conference),
        {f"slot_{a.pk}": world.sam.pk, f"slot_{b.pk}": world.sam.pk},
        follow=True,
    )
    assert "Een kind kan maar één gesprek per ronde hebben." in response.content.decode()
    assert not Slot.objects.filter(pupil=world.sam).exists()


def test_a_child_of_another_group_cannot_be_planned_in(client, world, login, make_round):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    login(world.anna)
    response = client.post(detail(conference), {f"slot_{slot.pk}": world.lotte.pk}, follow=True)
    assert "Kies alleen kinderen uit deze groep." in response.content.decode()
    assert not Slot.objects.filter(pupil=world.lotte).exists()


def test_the_teacher_deletes_a_free_slot_but_not_a_booked_one(client, world, login, make_round):
    conference = make_round()
    free, taken = slot_at(conference, 15, 0), slot_at(conference, 15, 10)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=taken.pk)
    login(world.anna)
    url = "conferences:slot_delete"
    client.post(reverse(url, args=[conference.public_id, free.pk]))
    response = client.post(reverse(url, args=[conference.public_id, taken.pk]), follow=True)
    assert not Slot.objects.filter(pk=free.pk).exists()
    assert Slot.objects.filter(pk=taken.pk, pupil=world.sam).exists()
    assert "Dit tijdvak is geboekt" in response.content.decode()


def test_the_teacher_adds_a_slot_and_an_overlapping_one_is_refused(
    client, world, login, make_round, first_day
):
    conference = make_round()
    login(world.anna)
    url = reverse("conferences:slot_add", args=[conference.public_id])
    client.post(url, {"day": first_day.isoformat(), "start": "16:30"})
    assert slot_at(conference, 16, 30).ends_at - slot_at(conference, 16, 30).starts_at == (
        timedelta(minutes=10)
    )
    response = client.post(url, {"day": first_day.isoformat(), "start": "15:05"}, follow=True)
    assert "Er is al een gesprek op dit tijdstip." in response.content.decode()
    assert conference.slots.count() == 7


def test_publishing_shows_the_round_to_the_groups_parents_only(
    client, world, login, make_round, make_parent
):
    conference = make_round(published=False)
    login(world.anna)
    client.post(reverse("conferences:round_publish", args=[conference.public_id]))
    conference.refresh_from_db()
    assert conference.is_published
    login(world.petra)
    assert "Sam · Groep 3" in client.get("/portaal/oudergesprekken/").content.decode()
    lotte_only = make_parent(world.school, "lo@example.nl", pupils=[world.lotte])
    login(lotte_only)
    assert "Groep 3" not in client.get("/portaal/oudergesprekken/").content.decode()


def test_the_notification_goes_to_every_unblocked_parent_of_the_group(
    client, world, login, make_round, make_parent, mails
):
    conference = make_round()
    blocked = make_parent(world.school, "blocked@example.nl", pupils=[world.sam])
    blocked.is_blocked = True
    blocked.save()
    login(world.anna)
    form = client.get(reverse("conferences:round_notify", args=[conference.public_id]))
    default = form.context["form"].initial["body"]
    assert "Anna Docent" in default and "/portaal/oudergesprekken/" in default
    with mails as outbox:
        client.post(
            reverse("conferences:round_notify", args=[conference.public_id]),
            {"subject": "Oudergesprekken", "body": default + "\nTot dan!"},
        )
    assert sorted(m.to[0] for m in outbox) == ["petra@example.nl", "quinten@example.nl"]
    assert "Tot dan!" in outbox[0].body and outbox[0].reply_to == ["anna@linde.test"]


def test_the_reminder_goes_only_to_parents_who_have_not_booked(
    client, world, login, make_round, make_parent, mails
):
    from schools.models import Pupil

    conference = make_round()
    kim = Pupil.objects.create(
        school=world.school, number="1020", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "kees@example.nl", pupils=[kim])
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    login(world.anna)
    page = client.get(detail(conference)).content.decode()
    assert "Nog niet ingeschreven" in page and "Kim Bos" in page
    with mails as outbox:
        client.post(reverse("conferences:round_remind", args=[conference.public_id]))
    reminders = [m for m in outbox if "Herinnering" in m.subject]
    assert [m.to[0] for m in reminders] == ["kees@example.nl"]
    assert "U heeft nog geen tijd gekozen voor het oudergesprek" in reminders[0].body


def test_the_pdf_lists_each_day_time_child_parents_and_free_slots(
    client, world, login, make_round, make_parent, first_day
):
    conference = make_round(days=[first_day, first_day + timedelta(days=2)], total=8)
    blocked = make_parent(world.school, "blok@example.nl", pupils=[world.sam], first_name="Bert")
    blocked.is_blocked = True
    blocked.save()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 20).pk,
    )
    login(world.anna)
    response = client.get(reverse("conferences:round_pdf", args=[conference.public_id]))
    assert response["Content-Type"] == "application/pdf"
    Path("/tmp/conferences-overview.pdf").write_bytes(response.content)  # to look at
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Oudergesprekken Groep 3" in text
    assert "15:20–15:30" in text and "Sam Jansen" in text
    assert "Petra Jansen, Quinten Jansen" in text
    assert "Bert" not in text
    assert text.count("vrij") >= 7
    assert (first_day + timedelta(days=2)).strftime("%Y") in text


@pytest.mark.parametrize("size", [2, 30])
def test_the_round_pages_cost_a_fixed_number_of_queries(
    client, world, login, make_round, make_parent, django_assert_max_num_queries, size
):
    from schools.models import Pupil

    conference = make_round(total=40, end=time(23, 0))
    for i in range(size):
        kid = Pupil.objects.create(
            school=world.school, number=f"Q{i}", first_name=f"K{i}", last_name="X", group=world.g3
        )
        parent = make_parent(world.school, f"q{i}@example.nl", pupils=[kid], with_login=False)
        if i < 20:
            slot = conference.slots.order_by("starts_at")[i]
            Slot.objects.filter(pk=slot.pk).update(pupil=kid, booked_by=parent)
    login(world.anna)
    with django_assert_max_num_queries(14):
        assert client.get(detail(conference)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/oudergesprekken/").status_code == 200
    with django_assert_max_num_queries(14):
        client.get(reverse("conferences:round_pdf", args=[conference.public_id]))


def test_the_teacher_frees_a_booked_time_and_the_parents_are_told(
    client, world, login, make_round, mails
):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=slot.pk)
    login(world.anna)
    with mails as outbox:
        client.post(detail(conference), {f"slot_{slot.pk}": "", f"was_{slot.pk}": world.sam.pk})
    slot.refresh_from_db()
    assert slot.pupil is None
    cancelled = [m for m in outbox if "geannuleerd" in m.subject]
    assert {m.to[0] for m in cancelled} == {"petra@example.nl", "quinten@example.nl"}


def test_a_rounds_pages_are_titled_with_its_name(client, world, login, make_round):
    """Two rounds for one group are told apart in the browser's tabs and history too."""
    from ocs.tests.test_everyday import title

    conference = make_round()
    login(world.anna)
    detail = title(client.get(reverse("conferences:round_detail", args=[conference.public_id])))
    edit = title(client.get(reverse("conferences:round_edit", args=[conference.public_id])))
    assert detail == f"{conference.name} · OCS"
    assert edit == f"Instellingen wijzigen · {conference.name} · OCS"
    assert conference.name.startswith("Oudergesprekken Groep 3")
