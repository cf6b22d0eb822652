"""Parents book, change and cancel in the portal; the rules hold even for forged POSTs."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conferences.models import Slot
from conferences.services import SlotTaken, slot_book
from conferences.tests.conftest import slot_at
from mailings.models import OutgoingMessage

PORTAL = "/portaal/oudergesprekken/"


def ics_of(message) -> bytes:
    content = message.attachments[0][1]
    return content.encode() if isinstance(content, str) else content


def book(client, conference, pupil, slot):
    return client.post(
        reverse("conferences:portal_book", args=[conference.public_id]),
        {"pupil": str(pupil.public_id), "slot": slot.pk},
        follow=True,
    )


def test_a_parent_books_a_free_time_and_receives_a_calendar_invitation(
    client, world, login, make_round, mails
):
    conference = make_round()
    login(world.petra)
    with mails as outbox:
        response = book(client, conference, world.sam, slot_at(conference, 15, 20))
    assert "Opgeslagen: het gesprek voor Sam" in response.content.decode()
    slot = Slot.objects.get(round=conference, pupil=world.sam)
    assert slot.booked_by == world.petra
    to_petra = next(m for m in outbox if m.to == ["petra@example.nl"])
    assert "15:20" in to_petra.subject
    assert to_petra.reply_to == ["anna@linde.test"]
    name, _content, mime = to_petra.attachments[0]
    content = ics_of(to_petra)
    assert name == "oudergesprek.ics" and mime.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(UTC) == slot.starts_at
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Amsterdam"
    assert b"BEGIN:VTIMEZONE" in content and b"METHOD:REQUEST" in content


def test_the_other_parent_is_informed_and_sees_the_booking_in_the_portal(
    client, world, login, make_round, mails
):
    conference = make_round()
    with mails as outbox:
        slot_book(
            parent=world.petra,
            conference=conference,
            pupil=world.sam,
            slot_id=slot_at(conference, 15, 0).pk,
        )
    # Quinten's note waits briefly in the outbox (a row of changes becomes one mail).
    assert not [m for m in outbox if m.to == ["quinten@example.nl"]]
    to_quinten = OutgoingMessage.objects.get(email="quinten@example.nl", status="queued")
    assert "Petra Jansen heeft het oudergesprek voor Sam" in to_quinten.payload["text"]
    assert not to_quinten.payload["attachments"]
    login(world.quinten)
    page = client.get(PORTAL).content.decode()
    assert "Ingepland" in page and "gekozen door Petra Jansen" in page


def test_either_parent_may_change_the_booking_and_the_old_time_becomes_free(
    client, world, login, make_round
):
    conference = make_round()
    first, second = slot_at(conference, 15, 0), slot_at(conference, 15, 30)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=first.pk)
    login(world.quinten)
    book(client, conference, world.sam, second)
    assert Slot.objects.get(round=conference, pupil=world.sam).pk == second.pk
    first.refresh_from_db()
    assert first.pupil is None


def test_a_parent_cancels_and_the_time_is_free_again(client, world, login, make_round, mails):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=slot.pk)
    login(world.petra)
    with mails as outbox:
        response = client.post(
            reverse("conferences:portal_cancel", args=[conference.public_id]),
            {"pupil": str(world.sam.public_id)},
            follow=True,
        )
    assert "Het gesprek is geannuleerd." in response.content.decode()
    assert not Slot.objects.filter(pupil=world.sam).exists()
    cancelled = [m for m in outbox if "geannuleerd" in m.subject]
    assert {m.to[0] for m in cancelled} == {"petra@example.nl"}
    assert b"METHOD:CANCEL" in ics_of(cancelled[0])
    # The other parent's notice waits a moment, so a row of changes becomes one mail.
    waiting = OutgoingMessage.objects.get(email="quinten@example.nl", status="queued")
    assert "geannuleerd" in waiting.payload["subject"]


def test_the_loser_of_a_taken_time_sees_a_message_and_the_fresh_list(
    client, world, login, make_round, make_parent, make_staff
):
    from schools.models import Pupil

    conference = make_round()
    kim = Pupil.objects.create(
        school=world.school, number="1010", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "kees@example.nl", pupils=[kim])
    slot = slot_at(conference, 15, 0)
    slot_book(
        parent=kim.parents.get(), conference=conference, pupil=kim, slot_id=slot.pk
    )  # booked a moment earlier by another family
    login(world.petra)
    response = book(client, conference, world.sam, slot)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Dit tijdstip is net bezet" in page
    assert f'value="{slot.pk}"' not in page  # the fresh list no longer offers it
    assert f'value="{slot_at(conference, 15, 10).pk}"' in page


def test_a_child_never_holds_two_slots_in_one_round_even_when_written_directly(world, make_round):
    conference = make_round()
    a, b = slot_at(conference, 15, 0), slot_at(conference, 15, 10)
    Slot.objects.filter(pk=a.pk).update(pupil=world.sam)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=b.pk).update(pupil=world.sam)


def test_a_taken_slot_is_refused_by_the_service(world, make_round, make_parent):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=slot.pk)
    from schools.models import Pupil

    kim = Pupil.objects.create(
        school=world.school, number="1011", first_name="Kim", last_name="Bos", group=world.g3
    )
    kees = make_parent(world.school, "kees@example.nl", pupils=[kim])
    with pytest.raises(SlotTaken):
        slot_book(parent=kees, conference=conference, pupil=kim, slot_id=slot.pk)
    assert Slot.objects.get(pk=slot.pk).pupil == world.sam


# --------------------------------------------------------------------- forged POSTs


def test_a_parent_cannot_book_for_another_familys_child(
    client, world, login, make_round, make_parent
):
    from schools.models import Pupil

    conference = make_round()
    kim = Pupil.objects.create(
        school=world.school, number="1012", first_name="Kim", last_name="Bos", group=world.g3
    )
    login(world.petra)
    response = book(client, conference, kim, slot_at(conference, 15, 0))
    assert response.status_code == 404
    assert not Slot.objects.filter(pupil=kim).exists()


def test_a_parent_cannot_book_in_an_unpublished_round(client, world, login, make_round):
    conference = make_round(published=False)
    login(world.petra)
    assert book(client, conference, world.sam, slot_at(conference, 15, 0)).status_code == 404
    assert client.get(PORTAL).content.decode().count("Kies een tijd") == 0
    assert not Slot.objects.filter(pupil=world.sam).exists()


def test_a_parent_cannot_book_or_cancel_after_closing(client, world, login, make_round):
    conference = make_round()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    conference.closes_at = timezone.now() - timedelta(minutes=1)
    conference.save()
    login(world.petra)
    response = book(client, conference, world.sam, slot_at(conference, 15, 30))
    assert "Inschrijven voor deze oudergesprekken is gesloten." in response.content.decode()
    client.post(
        reverse("conferences:portal_cancel", args=[conference.public_id]),
        {"pupil": str(world.sam.public_id)},
    )
    assert Slot.objects.get(round=conference, pupil=world.sam).starts_at.minute == 0


def test_a_parent_cannot_book_a_child_into_another_groups_round(client, world, login, make_round):
    lotte_round = make_round(group=world.g4, staff=world.bram)
    login(world.quinten)
    response = book(client, lotte_round, world.sam, slot_at(lotte_round, 15, 0))
    assert "U kunt voor dit kind geen gesprek plannen" in response.content.decode()
    assert not Slot.objects.filter(pupil=world.sam).exists()


def test_a_blocked_parent_cannot_book(client, world, login, make_round):
    conference = make_round()
    world.petra.is_blocked = True
    world.petra.save()
    login(world.petra)
    response = client.post(
        reverse("conferences:portal_book", args=[conference.public_id]),
        {"pupil": str(world.sam.public_id), "slot": slot_at(conference, 15, 0).pk},
    )
    assert response.status_code in (302, 403)  # logged out at once, or refused
    assert not Slot.objects.filter(pupil=world.sam).exists()


def test_a_slot_of_another_round_cannot_be_smuggled_in(client, world, login, make_round):
    conference = make_round()
    other = make_round(group=world.g4, staff=world.bram)
    login(world.petra)
    response = book(client, conference, world.sam, slot_at(other, 15, 0))
    assert "net bezet" in response.content.decode()
    assert not Slot.objects.filter(pupil=world.sam).exists()


# --------------------------------------------------------------------- siblings


def test_a_time_overlapping_a_siblings_talk_is_refused_and_neighbours_are_marked(
    client, world, login, make_round
):
    sam_round = make_round()
    lotte_round = make_round(group=world.g4, staff=world.bram)
    slot_book(
        parent=world.quinten,
        conference=lotte_round,
        pupil=world.lotte,
        slot_id=slot_at(lotte_round, 15, 20).pk,
    )
    login(world.quinten)
    page = client.get(PORTAL).content.decode()
    assert "valt samen met het gesprek van Lotte" in page
    assert page.count("aansluitend aan het gesprek van Lotte") == 2  # 15:10 and 15:30
    response = book(client, sam_round, world.sam, slot_at(sam_round, 15, 20))
    assert "Deze tijd valt samen met het gesprek van Lotte" in response.content.decode()
    assert not Slot.objects.filter(pupil=world.sam).exists()
    book(client, sam_round, world.sam, slot_at(sam_round, 15, 30))
    assert Slot.objects.get(pupil=world.sam).starts_at == slot_at(sam_round, 15, 30).starts_at


def test_the_portal_shows_all_open_rounds_of_all_children_on_one_page(
    client, world, login, make_round
):
    make_round()
    make_round(group=world.g4, staff=world.bram)
    login(world.quinten)
    page = client.get(PORTAL).content.decode()
    assert "Sam · Groep 3" in page and "Lotte · Groep 4" in page


# --------------------------------------------------------------------- notice, DST, queries


def test_the_portal_notice_shows_until_every_child_has_a_time(client, world, login, make_round):
    conference = make_round()
    login(world.petra)
    assert "Er staan oudergesprekken klaar voor Sam" in client.get("/portaal/").content.decode()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    assert "Er staan oudergesprekken klaar" not in client.get("/portaal/").content.decode()


def test_no_notice_for_an_unpublished_or_closed_round(client, world, login, make_round):
    make_round(published=False)
    make_round(closes_at=timezone.now() - timedelta(hours=1), start=time(17, 0), end=time(18, 0))
    login(world.petra)
    assert "Er staan oudergesprekken klaar" not in client.get("/portaal/").content.decode()


def test_times_across_the_clock_change_are_shown_and_invited_in_amsterdam_time(
    client, world, login, make_round, mails
):
    # Last Sunday of October 2027: the clocks go back from CEST to CET.
    saturday, sunday = date(2027, 10, 30), date(2027, 10, 31)
    conference = make_round(days=[saturday, sunday], start=time(14, 0), end=time(14, 10), total=2)
    starts = sorted(s.starts_at for s in conference.slots.all())
    assert starts == [
        datetime(2027, 10, 30, 12, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 13, 0, tzinfo=UTC),
    ]
    login(world.petra)
    page = client.get(PORTAL).content.decode()
    assert page.count("14:00–14:10") == 2
    sunday_slot = conference.slots.get(starts_at=starts[1])
    with mails as outbox:
        book(client, conference, world.sam, sunday_slot)
    ics = ics_of(next(m for m in outbox if m.to == ["petra@example.nl"]))
    assert b"DTSTART;TZID=Europe/Amsterdam:20271031T140000" in ics
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=1)


def _grow_group(world, make_parent, size):
    from schools.models import Pupil

    for i in range(size):
        kid = Pupil.objects.create(
            school=world.school,
            number=f"9{i:03d}",
            first_name=f"K{i}",
            last_name="X",
            group=world.g3,
        )
        make_parent(world.school, f"p{i}@example.nl", pupils=[kid], with_login=False)


@pytest.mark.parametrize("size", [2, 30])
def test_the_portal_page_and_notice_cost_a_fixed_number_of_queries(
    client, world, login, make_round, make_parent, django_assert_max_num_queries, size
):
    _grow_group(world, make_parent, size)
    make_round(total=40, end=time(23, 0))
    make_round(group=world.g4, staff=world.bram, total=40, end=time(23, 0))
    login(world.quinten)
    with django_assert_max_num_queries(14):
        assert client.get(PORTAL).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/portaal/").status_code == 200


def test_the_portal_page_is_translated_to_english(client, world, login, make_round, settings):
    make_round()
    login(world.petra)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(PORTAL).content.decode()
    assert "Parent-teacher conferences" in page and "Choose a time" in page


def test_a_confirmation_for_a_booking_changed_meanwhile_is_not_sent(world, make_round, mails):
    from conferences.tasks import booking_confirm

    conference = make_round()
    slot = slot_at(conference, 15, 0)  # free again by the time the worker runs
    with mails as outbox:
        sent = booking_confirm.call(
            slot_id=slot.pk, pupil_id=world.sam.pk, booker_id=world.petra.pk, changed=False
        )
    assert sent is False and outbox == []


def test_a_co_parent_cannot_book_a_time_that_overlaps_a_sibling_booked_by_the_other(
    world, make_round
):
    """Lotte is Quinten's daughter only; Sam is Petra's and Quinten's son. When Quinten has
    booked Lotte at 15:00, Petra cannot book Sam at 15:00: Quinten would have two talks."""
    import pytest as _pytest

    from conferences.services import SiblingOverlap, slot_book

    sam_round = make_round(group=world.g3, total=1)
    lotte_round = make_round(group=world.g4, staff=world.bram, total=1)
    slot_book(
        parent=world.quinten,
        conference=lotte_round,
        pupil=world.lotte,
        slot_id=lotte_round.slots.get().pk,
    )
    with _pytest.raises(SiblingOverlap):
        slot_book(
            parent=world.petra,
            conference=sam_round,
            pupil=world.sam,
            slot_id=sam_round.slots.get().pk,
        )


def test_the_portal_marks_a_time_taken_by_a_co_parents_other_child_without_naming_it(
    client, world, login, make_round
):
    from conferences.services import slot_book

    sam_round = make_round(group=world.g3, total=2)
    lotte_round = make_round(group=world.g4, staff=world.bram, total=1)
    slot_book(
        parent=world.quinten,
        conference=lotte_round,
        pupil=world.lotte,
        slot_id=lotte_round.slots.get().pk,
    )
    login(world.petra)
    page = client.get(reverse("conferences:portal")).text
    assert "een ander kind uit het gezin" in page
    assert "Lotte" not in page
    assert sam_round.slots.count() == 2
