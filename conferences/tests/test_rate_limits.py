"""A parent toggling a booking is slowed down, and the other parent is not flooded."""

from django.urls import reverse

from mailings.models import OutgoingMessage


def test_a_parent_toggling_a_booking_is_slowed_down_and_the_co_parent_gets_one_mail(
    client, world, login, make_round, sent
):
    from conferences.tests.conftest import slot_at

    conference = make_round()
    slot = slot_at(conference, 15, 0)
    login(world.petra)
    book = reverse("conferences:portal_book", args=[conference.public_id])
    cancel = reverse("conferences:portal_cancel", args=[conference.public_id])
    pupil = str(world.sam.public_id)
    with sent:
        for _ in range(8):
            client.post(book, {"pupil": pupil, "slot": slot.pk})
            client.post(cancel, {"pupil": pupil})
    last = client.post(book, {"pupil": pupil, "slot": slot.pk}, follow=True)
    assert "te vaak" in last.text
    to_quinten = OutgoingMessage.objects.filter(email="quinten@example.nl")
    assert to_quinten.count() == 1
    assert "geannuleerd" in to_quinten.get().payload["subject"]
