"""Swap requests after a preference-mode plan went out: the parent asks for another free
time of the same teacher in the portal, the teacher approves (the talk moves, every
guardian gets the new time with an .ics, the Logboek says it in Dutch) or refuses (the
parent is told); a time taken meanwhile is refused kindly and nothing moves."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.sentences import describe
from conferences import periods, planning, swaps
from conferences.models import ConferencePeriod, Slot, SwapRequest
from conferences.slots import AMSTERDAM

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    client = Client()
    client.force_login(person.user, backend="accounts.backends.EmailBackend")
    return client


@pytest.fixture
def published(world, first_day, mails):
    plan = periods.PeriodSettings(
        name="Voorjaarsgesprekken",
        mode=ConferencePeriod.Mode.PREFERENCE,
        groups=(world.g3, world.g4),
        duration_minutes=10,
        per_block=6,
        break_minutes=10,
        start_date=first_day,
        start_time=time(15, 0),
        end_time=time(17, 0),
        walk_minutes=5,
        spare=6,
    )
    period = periods.period_create(staff=world.dirk, plan=plan)
    periods.period_open(period=period)
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    period.refresh_from_db()
    planning.period_plan(period=period, time_limit=5)
    with mails:
        planning.period_publish(period=period)
    forget_delivery_runs()
    period.refresh_from_db()
    return period


def forget_delivery_runs():
    """The test runs in one transaction, where the delivery run is enqueued once; forget the
    publication's run so the next mails in this test are delivered too."""
    from django.db import connection

    connection.run_on_commit.clear()


def hhmm(moment) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%H:%M")


def far_free(talk: Slot, family_talks) -> Slot:
    """A free time of the talk's teacher well away from the family's other talks."""
    return next(
        s
        for s in swaps.free_times(talk=talk)
        if all(abs(s.starts_at - o.starts_at) >= timedelta(minutes=30) for o in family_talks)
    )


def test_the_parent_asks_and_the_teacher_approves(world, published, mails):
    lotte = Slot.objects.get(pupil=world.lotte)
    sam = Slot.objects.get(pupil=world.sam)
    target = far_free(lotte, [sam])
    parent = client_for(world.quinten)
    page = parent.get(reverse("conferences:period_family", args=[published.public_id]))
    assert "Ruilen aanvragen" in page.content.decode()
    response = parent.post(
        reverse("conferences:period_swap_ask", args=[published.public_id]),
        {"slot": lotte.pk, "to": target.pk},
        follow=True,
    )
    text = response.content.decode()
    assert "Uw verzoek is naar de leerkracht gestuurd" in text
    assert "wacht op de leerkracht" in text
    swap = SwapRequest.objects.get()
    assert swap.status == SwapRequest.Status.OPEN and swap.to_slot == target
    assert Slot.objects.get(pupil=world.lotte).pk == lotte.pk  # nothing moves yet

    # Lotte's teacher sees the request; Sam's teacher sees the period but may not decide it.
    teacher = client_for(world.bram)
    detail = teacher.get(reverse("conferences:period_detail", args=[published.public_id]))
    assert "Ruilverzoeken" in detail.content.decode()
    assert "vraagt" in detail.content.decode()
    approve = reverse("conferences:swap_approve", args=[published.public_id, swap.public_id])
    assert client_for(world.anna).post(approve).status_code == 403
    with mails as outbox:
        response = teacher.post(approve, follow=True)
    assert "Het gesprek is verplaatst" in response.content.decode()
    assert Slot.objects.get(pupil=world.lotte).pk == target.pk
    assert Slot.objects.get(pk=lotte.pk).pupil_id is None
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED and swap.decided_by == world.bram

    # Quinten (Lotte's only guardian) gets the new time, the old one as lapsed, and an .ics
    # of this talk with the same UID as the published one and a later SEQUENCE.
    (message,) = outbox
    assert message.to == ["quinten@example.nl"]
    assert hhmm(target.starts_at) in message.body and hhmm(lotte.starts_at) in message.body
    assert "Vervalt" in message.body
    name, content, kind = message.attachments[0]
    ics = (content.decode() if isinstance(content, bytes) else content).replace("\r\n ", "")
    assert ics.count("BEGIN:VEVENT") == 1 and "text/calendar" in kind
    assert f"oudergesprek-{target.round.public_id}-{world.lotte.public_id}@ocs" in ics
    assert target.starts_at.astimezone(AMSTERDAM).strftime("%Y%m%dT%H%M") in ics

    # The Logboek: asked and approved, as Dutch sentences.
    sentences = describe(
        list(AuditEvent.objects.filter(object_type="swaprequest")), reader=world.dirk
    )
    assert any("heeft gevraagd een oudergesprek" in s for s in sentences)
    assert any("ruilverzoek goedgekeurd" in s for s in sentences)
    # Decided once: a second approval is refused kindly.
    again = teacher.post(approve, follow=True)
    assert "Dit verzoek is al behandeld." in again.content.decode()


def test_the_teacher_refuses_and_the_parent_is_told(world, published, mails):
    lotte = Slot.objects.get(pupil=world.lotte)
    target = far_free(lotte, [Slot.objects.get(pupil=world.sam)])
    swap = swaps.swap_request(
        parent=world.quinten, period=published, slot_id=lotte.pk, to_slot_id=target.pk
    )
    refuse = reverse("conferences:swap_refuse", args=[published.public_id, swap.public_id])
    with mails as outbox:
        response = client_for(world.dirk).post(refuse, follow=True)
    assert "Het verzoek is geweigerd" in response.content.decode()
    assert Slot.objects.get(pupil=world.lotte).pk == lotte.pk
    (message,) = outbox
    assert message.to == ["quinten@example.nl"] and "helaas niet" in message.body
    event = AuditEvent.objects.get(object_type="swaprequest", action="edit")
    assert "geweigerd" in describe([event], reader=world.dirk)[0]


def test_a_time_taken_meanwhile_is_refused_kindly_and_nothing_moves(world, published, mails):
    lotte = Slot.objects.get(pupil=world.lotte)
    target = far_free(lotte, [Slot.objects.get(pupil=world.sam)])
    swap = swaps.swap_request(
        parent=world.quinten, period=published, slot_id=lotte.pk, to_slot_id=target.pk
    )
    Slot.objects.filter(pk=target.pk).update(pupil=world.sam)  # the teacher used it meanwhile
    approve = reverse("conferences:swap_approve", args=[published.public_id, swap.public_id])
    with mails as outbox:
        response = client_for(world.bram).post(approve, follow=True)
    assert "Deze ruil kan niet: Deze tijd is niet meer vrij." in response.content.decode()
    assert Slot.objects.filter(pupil=world.lotte).get().pk == lotte.pk
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN and outbox == []


def test_a_parent_may_only_ask_for_their_own_talk_and_a_free_time(world, published):
    sam = Slot.objects.get(pupil=world.sam)
    lotte = Slot.objects.get(pupil=world.lotte)
    stranger = world.eik_parent
    with pytest.raises(planning.NotAllowed):
        swaps.swap_request(parent=stranger, period=published, slot_id=sam.pk, to_slot_id=sam.pk)
    with pytest.raises(planning.PlanError):
        swaps.swap_request(
            parent=world.quinten, period=published, slot_id=lotte.pk, to_slot_id=sam.pk
        )
    # A newer request for the same talk replaces the open one.
    free = swaps.free_times(talk=lotte)
    swaps.swap_request(
        parent=world.quinten, period=published, slot_id=lotte.pk, to_slot_id=free[0].pk
    )
    swaps.swap_request(
        parent=world.quinten, period=published, slot_id=lotte.pk, to_slot_id=free[1].pk
    )
    assert list(SwapRequest.objects.values_list("status", flat=True).order_by("pk")) == [
        SwapRequest.Status.WITHDRAWN,
        SwapRequest.Status.OPEN,
    ]


def test_a_longer_talk_moves_with_both_its_times(world, first_day, mails):
    plan = periods.PeriodSettings(
        name="Lang",
        mode=ConferencePeriod.Mode.PREFERENCE,
        groups=(world.g4,),
        duration_minutes=10,
        per_block=8,
        break_minutes=0,
        start_date=first_day,
        start_time=time(15, 0),
        end_time=time(17, 0),
        spare=6,
    )
    period = periods.period_create(staff=world.dirk, plan=plan)
    periods.period_open(period=period)
    planning.wishes_save(
        parent=world.quinten,
        period=period,
        windows=[],
        children=[planning.ChildChoice(pupil_id=world.lotte.pk, longer=True)],
    )
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    period.refresh_from_db()
    planning.period_plan(period=period, time_limit=5)
    with mails:
        planning.period_publish(period=period)
    forget_delivery_runs()
    period.refresh_from_db()
    first = Slot.objects.get(pupil=world.lotte, follows__isnull=True)
    free = swaps.free_times(talk=first)
    last = Slot.objects.filter(round=first.round).order_by("-starts_at")[0]
    assert last not in free  # no time after it: a longer talk cannot start there
    swap = swaps.swap_request(
        parent=world.quinten, period=period, slot_id=first.pk, to_slot_id=free[-1].pk
    )
    with mails as outbox:
        swaps.swap_approve(swap=swap, staff=world.bram)
    a, b = Slot.objects.filter(pupil=world.lotte).order_by("starts_at")
    assert a.pk == free[-1].pk and b.follows_id == a.pk and b.starts_at == a.ends_at
    assert hhmm(b.ends_at) in outbox[0].body  # the mail gives the whole longer talk
