"""The Logboek reads as Dutch sentences: staff named, parents named only for readers who may
see them, no ids or English keys; a new kind of entry is one line in SENTENCES."""

from types import SimpleNamespace

from audit.models import AuditEvent
from audit.sentences import SENTENCES, describe
from audit.services import audit_record


def staff_request(staff):
    return SimpleNamespace(user=staff.user, staff=staff, META={"REMOTE_ADDR": "10.0.0.1"})


def test_the_log_speaks_dutch_sentences_naming_staff_and_parents(client, world, login):
    from datetime import time, timedelta

    from django.utils import timezone

    from conferences.services import RoundSettings, round_create, round_publish, slot_book
    from conferences.tests.conftest import slot_at

    conference = round_create(
        staff=world.anna,
        plan=RoundSettings(
            group=world.g3,
            total=3,
            duration_minutes=10,
            per_block=3,
            break_minutes=0,
            start_date=timezone.localdate() + timedelta(days=9),
            start_time=time(15, 0),
            end_time=time(16, 0),
        ),
    )
    round_publish(conference=conference)
    audit_record(request=staff_request(world.anna), action="view", obj=world.petra)
    audit_record(request=staff_request(world.anna), action="block", obj=world.petra)
    slot = slot_book(
        parent=world.quinten,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    parent_request = SimpleNamespace(user=world.quinten.user, META={})
    audit_record(request=parent_request, action="create", obj=slot, school=world.school)
    audit_record(
        request=staff_request(world.anna),
        action="send",
        obj=conference,
        recipients=3,
        kind="herinnering",
    )
    login(world.dirk)
    page = client.get("/beheer/logboek/").content.decode()
    assert "Anna Docent heeft de gegevens van Petra Jansen bekeken." in page
    assert "Anna Docent heeft Petra Jansen geblokkeerd." in page
    assert f"Quinten Jansen heeft een oudergesprek gepland in ‘{conference.name}’." in page
    sent = f"Anna Docent heeft voor ‘{conference.name}’ een herinnering gestuurd aan 3 ouders."
    assert sent in page
    for leak in ["gebruiker #", "slot ", "recipients", "kind:", "anna@linde.test"]:
        assert leak not in page


def test_parents_are_named_only_to_readers_who_may_see_them(world, make_staff):
    audit_record(request=staff_request(world.anna), action="view", obj=world.petra)
    event = AuditEvent.objects.get()
    assert describe([event], reader=world.dirk) == [
        "Anna Docent heeft de gegevens van Petra Jansen bekeken."
    ]
    # Bram teaches Groep 4; Petra's only child is in Groep 3.
    assert describe([event], reader=world.bram) == [
        "Anna Docent heeft de gegevens van een ouder bekeken."
    ]


def test_an_entry_without_a_sentence_still_reads_as_dutch(world):
    audit_record(request=staff_request(world.anna), action="erase", object_type="pupil")
    assert describe(AuditEvent.objects.all(), reader=world.dirk) == ["Anna Docent: gewist (AVG)."]


def test_a_new_kind_of_entry_is_one_line(world, monkeypatch):
    monkeypatch.setitem(SENTENCES, ("erase", "pupil"), "{actor} heeft een leerling gewist.")
    audit_record(request=staff_request(world.anna), action="erase", object_type="pupil")
    assert describe(AuditEvent.objects.all(), reader=world.dirk) == [
        "Anna Docent heeft een leerling gewist."
    ]


def test_the_log_costs_a_fixed_number_of_queries(
    client, world, login, django_assert_max_num_queries
):
    for _ in range(30):
        audit_record(request=staff_request(world.anna), action="view", obj=world.petra)
        audit_record(request=staff_request(world.anna), action="download", obj=world.g3)
    login(world.dirk)
    with django_assert_max_num_queries(15):
        client.get("/beheer/logboek/")


def test_login_entries_name_staff_and_only_visible_parents(world):
    from audit.services import audit_identity

    audit_identity(request=None, user=world.anna.user, action="login")
    audit_identity(request=None, user=world.petra.user, action="login_failed")
    events = AuditEvent.objects.filter(school=world.school).order_by("pk")
    assert describe(events, reader=world.dirk) == [
        "Anna Docent is ingelogd.",
        "Mislukte inlogpoging op het account van Petra Jansen.",
    ]
    assert describe(events, reader=world.bram)[1] == (
        "Mislukte inlogpoging op het account van een ouder."
    )
