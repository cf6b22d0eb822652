"""Restricting a guardian takes away what they had about the child, in the same transaction:
their future talks for the child and their mail about the child still waiting in the outbox.
And the restricted guardian through the routes the other tests do not reach (the booking
POST, a special group, the group PDF, the AVG export view), on two schools."""

import io
from datetime import time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from conferences.models import Slot
from families.restrictions import restriction_add
from mailings.models import OutgoingMessage
from schools.models import Guardianship, Parent

pytestmark = pytest.mark.django_db

REASON = "Uitspraak rechtbank 12-03"


def restrict(world):
    return restriction_add(
        parent=world.quinten, pupil=world.sam, reason=REASON, staff=world.dirk, request=None
    )


def make_round(world, days_ahead=14, start=time(15, 0)):
    from conferences.services import RoundSettings, round_create, round_publish

    day = timezone.localdate() + timedelta(days=days_ahead)
    plan = RoundSettings(
        group=world.g3,
        total=4,
        duration_minutes=10,
        per_block=4,
        break_minutes=0,
        start_date=day,
        start_time=start,
        end_time=time(start.hour + 1, 0),
        extra_dates=(),
        closes_at=None,
    )
    conference = round_create(staff=world.anna, plan=plan, accept_fewer=True)
    round_publish(conference=conference)
    return conference


def payload_text(message: OutgoingMessage) -> str:
    return (message.payload or {}).get("text", "")


def test_the_guardians_own_talks_go_and_the_other_guardians_talk_stays(world):
    from conferences.services import slot_book

    by_quinten, by_petra, household = make_round(world, 14), make_round(world, 15), None
    q_slot = slot_book(
        parent=world.quinten,
        conference=by_quinten,
        pupil=world.sam,
        slot_id=by_quinten.slots.first().pk,
    )
    p_slot = slot_book(
        parent=world.petra, conference=by_petra, pupil=world.sam, slot_id=by_petra.slots.first().pk
    )
    # Quinten's household has its own separate talk for Sam in the second round.
    household = by_petra.slots.last()
    Slot.objects.filter(pk=household.pk).update(
        pupil=world.sam, household=world.quinten, booked_by=world.quinten
    )
    OutgoingMessage.objects.all().delete()  # the booking mail is not what this test reads

    restriction = restrict(world)

    assert restriction.talks_cancelled == 2
    q_slot.refresh_from_db(), p_slot.refresh_from_db(), household.refresh_from_db()
    assert q_slot.pupil_id is None and q_slot.booked_by_id is None
    assert household.pupil_id is None and household.household_id is None
    assert p_slot.pupil_id == world.sam.pk and p_slot.booked_by_id == world.petra.pk

    mail = {(m.parent_id, m.payload["subject"]) for m in OutgoingMessage.objects.all()}
    # Quinten: both talks leave his calendar (a CANCEL .ics each); Petra: only the shared
    # talk she was told about, with the way to choose a new time.
    assert sorted(parent for parent, _subject in mail) == [world.petra.pk] + [world.quinten.pk]
    assert OutgoingMessage.objects.filter(parent=world.quinten).count() == 2
    to_petra = OutgoingMessage.objects.get(parent=world.petra)
    assert "De school heeft dit gesprek geannuleerd" in payload_text(to_petra)
    assert "Kies een nieuwe tijd" in payload_text(to_petra)
    for message in OutgoingMessage.objects.filter(parent=world.quinten):
        assert "De school heeft dit gesprek geannuleerd" in payload_text(message)
        assert "Kies een nieuwe tijd" not in payload_text(message)
        assert message.payload["attachments"][0]["mimetype"].endswith("method=CANCEL")
    for message in OutgoingMessage.objects.all():
        assert REASON not in str(message.payload) and "rechtbank" not in str(message.payload)


def test_a_past_talk_and_a_talk_the_teacher_planned_stay(world):
    conference = make_round(world)
    planned = conference.slots.first()
    Slot.objects.filter(pk=planned.pk).update(pupil=world.sam, booked_by=None)
    assert restrict(world).talks_cancelled == 0
    planned.refresh_from_db()
    assert planned.pupil_id == world.sam.pk


def test_waiting_mail_about_the_child_is_withdrawn_and_other_mail_stays(world):
    from conferences.services import notification_send
    from mailings.services import mailing_send

    def send(staff, groups, subject):
        return mailing_send(
            staff=staff,
            groups=groups,
            special_groups=[],
            parent_ids=None,
            subject=subject,
            body="Tekst",
            files=[],
        )

    only_g3 = send(world.anna, [world.g3], "Alleen groep 3")
    both = send(world.bea, [world.g3, world.g4], "Groep 3 en 4")
    notification_send(conference=make_round(world), subject="Gesprekken", body="Kies een tijd")
    already_sent = send(world.anna, [world.g3], "Al verstuurd")
    OutgoingMessage.objects.filter(mailing=already_sent).update(status="sent")
    quinten = OutgoingMessage.objects.filter(parent=world.quinten)
    assert quinten.count() == 4

    restriction = restrict(world)

    assert restriction.mail_withdrawn == 2
    left = {m.mailing.subject if m.mailing else "notificatie" for m in quinten}
    # Still his: the mailing that also reaches him through Lotte, and what already left.
    assert left == {"Groep 3 en 4", "Al verstuurd"}
    # Petra's copies and the senders' copies are untouched.
    petra = OutgoingMessage.objects.filter(parent=world.petra)
    assert petra.count() == 4
    assert OutgoingMessage.objects.filter(mailing=only_g3, is_sender_copy=True).exists()
    assert both.messages.filter(parent=world.quinten).exists()
    event = AuditEvent.objects.get(action="restrict")
    assert event.detail["talks_cancelled"] == 0 and event.detail["mail_withdrawn"] == 2
    assert REASON not in str(event.detail)


def test_mail_a_worker_is_sending_is_not_withdrawn(world):
    from mailings.services import mailing_send

    mailing = mailing_send(
        staff=world.anna,
        groups=[world.g3],
        special_groups=[],
        parent_ids=None,
        subject="Onderweg",
        body="Tekst",
        files=[],
    )
    mailing.messages.filter(parent=world.quinten).update(status="sending")
    assert restrict(world).mail_withdrawn == 0
    assert mailing.messages.filter(parent=world.quinten).exists()


def test_all_of_it_or_nothing(world, monkeypatch):
    """A failure after the talks and mail were taken away rolls everything back."""
    from conferences.services import slot_book
    from families import restrictions
    from mailings.services import mailing_send

    conference = make_round(world)
    slot = slot_book(
        parent=world.quinten,
        conference=conference,
        pupil=world.sam,
        slot_id=conference.slots.first().pk,
    )
    mailing_send(
        staff=world.anna,
        groups=[world.g3],
        special_groups=[],
        parent_ids=None,
        subject="Alleen groep 3",
        body="Tekst",
        files=[],
    )
    before = OutgoingMessage.objects.count()

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(restrictions, "audit_record", broken)
    with pytest.raises(RuntimeError):
        restrict(world)
    slot.refresh_from_db()
    assert slot.booked_by_id == world.quinten.pk
    assert OutgoingMessage.objects.count() == before
    assert Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()


def test_the_beheerder_is_told_what_was_cancelled_without_the_reason_in_any_mail(
    world, login, sent
):
    from conferences.services import slot_book

    conference = make_round(world)
    slot_book(
        parent=world.quinten,
        conference=conference,
        pupil=world.sam,
        slot_id=conference.slots.first().pk,
    )
    client = login(world.bea)
    link = f"{world.quinten.public_id}:{world.sam.public_id}"
    with sent as outbox:
        response = client.post("/beheer/gezag/", {"link": link, "reason": REASON}, follow=True)
    page = response.content.decode()
    assert "Geannuleerde gesprekken: 1" in page
    cancelled = [m for m in outbox if "geannuleerd" in m.subject]
    assert sorted(m.to[0] for m in cancelled) == ["petra@example.nl", "quinten@example.nl"]
    for message in outbox:
        assert "rechtbank" not in message.body


# ------------------------------------------------------------- routes not covered elsewhere


def test_the_booking_post_for_the_child_is_refused(world, login):
    conference = make_round(world)
    restrict(world)
    response = login(world.quinten).post(
        f"/portaal/oudergesprekken/{conference.public_id}/boeken/",
        {"pupil": str(world.sam.public_id), "slot": conference.slots.first().pk},
    )
    assert response.status_code == 404
    assert not conference.slots.filter(pupil__isnull=False).exists()


def test_no_sign_up_for_a_special_group_open_only_to_the_childs_group(world, login):
    from specialgroups.models import SpecialGroup

    group = SpecialGroup.objects.create(
        school=world.school,
        name="Luizenmoeders groep 3",
        has_activity=True,
        description="Luizen pluizen",
        signup_deadline=timezone.localdate() + timedelta(days=7),
        max_participants=5,
    )
    group.eligible_groups.set([world.g3])
    restrict(world)
    client = login(world.quinten)
    assert "Luizenmoeders" not in client.get("/portaal/speciale-groepen/").content.decode()
    response = client.post(f"/portaal/speciale-groepen/{group.public_id}/inschrijven/")
    assert response.status_code == 404
    assert not group.signups.exists()
    # Petra, Sam's other guardian, may.
    assert "Luizenmoeders" in login(world.petra).get("/portaal/speciale-groepen/").content.decode()


def test_the_group_pdf_leaves_the_guardian_out(world, login):
    restrict(world)
    response = login(world.anna).get(f"/ouderoverzicht/groep/{world.g3.public_id}/pdf/")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Petra" in text and "Quinten" not in text


def test_the_avg_export_view_lists_the_restriction_for_its_own_school_only(world, login):
    import json

    restrict(world)
    response = login(world.bea).get(f"/beheer/avg/ouder/{world.quinten.public_id}/export/")
    data = json.loads(
        b"".join(response.streaming_content if response.streaming else [response.content])
    )
    assert [c["naam"] for c in data["kinderen"]] == ["Lotte Jansen"]
    assert data["beperkte_toegang"][0]["reden"] == REASON
    # The other school's beheerder reaches neither the parent nor the restriction.
    assert (
        login(world.olaf).get(f"/beheer/avg/ouder/{world.quinten.public_id}/export/").status_code
        == 404
    )


def test_the_same_person_at_the_other_school_keeps_everything_there(world):
    """Quinten's login is also a guardian of Ezra at De Eik: De Linde's restriction, its
    cancellations and withdrawals stay at De Linde."""
    from conferences.access import pupils_for_parent_current
    from mailings.services import mailing_candidates, mailing_send

    at_eik = Parent.objects.create(
        school=world.other_school,
        user=world.quinten.user,
        email="quinten@example.nl",
        first_name="Quinten",
        last_name="Jansen",
    )
    Guardianship.objects.create(parent=at_eik, pupil=world.eik_kid)
    eik_mailing = mailing_send(
        staff=world.olaf,
        groups=[world.other_group],
        special_groups=[],
        parent_ids=None,
        subject="Nieuws van De Eik",
        body="Tekst",
        files=[],
    )
    restrict(world)
    assert eik_mailing.messages.filter(parent=at_eik).exists()
    assert list(pupils_for_parent_current(at_eik)) == [world.eik_kid]
    eik = mailing_candidates(staff=world.olaf, groups=[world.other_group], special_groups=[])
    assert at_eik in eik
    # And De Eik's staff cannot see or lift De Linde's restriction.
    from families.models import GuardianRestriction

    assert not GuardianRestriction.objects.filter(school=world.other_school).exists()
