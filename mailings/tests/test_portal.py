"""Berichten in the ouderportaal: a parent reads what the school sent them, and only that."""

import pytest
from django.urls import reverse

from mailings.models import OutgoingMessage
from mailings.services import outbox_system_message
from mailings.tests.helpers import PDF, pdf, send_to_group
from schools.access import CURRENT_SCHOOL_KEY
from schools.models import Pupil

LIST = reverse("mailings:portal_list")


@pytest.fixture
def household(world, make_parent):
    """A second family in Groep 3: Noor with her father Rik."""
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Bakker", group=world.g3
    )
    rik = make_parent(world.school, "rik@example.nl", pupils=[noor], first_name="Rik")
    return rik


def message_of(mailing, parent) -> OutgoingMessage:
    return OutgoingMessage.objects.get(mailing=mailing, parent=parent)


def test_a_parent_finds_the_mailing_with_its_child_and_attachment_newest_first(
    world, login, household
):
    older = send_to_group(world.anna, world.g3, subject="Gym op dinsdag")
    newer = send_to_group(world.anna, world.g3, subject="Schoolreis", files=[pdf()])
    page = login(world.quinten).get(LIST).content.decode()
    assert page.index("Schoolreis") < page.index("Gym op dinsdag")
    assert "Sam" in page
    # Lotte's filter (Groep 4) leaves out Sam's mailings.
    assert (
        "Schoolreis"
        not in login(world.quinten).get(LIST, {"kind": world.lotte.public_id}).content.decode()
    )
    mine = message_of(newer, world.quinten)
    detail = login(world.quinten).get(reverse("mailings:portal_detail", args=[mine.public_id]))
    item = newer.attachments.get()
    url = reverse("mailings:portal_attachment", args=[mine.public_id, item.public_id])
    assert url in detail.content.decode()
    response = login(world.quinten).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert older.pk != newer.pk


def test_opening_a_message_marks_only_that_parents_copy_as_read(world, login, household):
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    mine = message_of(mailing, world.petra)
    login(world.petra).get(reverse("mailings:portal_detail", args=[mine.public_id]))
    read = dict(OutgoingMessage.objects.filter(mailing=mailing).values_list("parent", "read_at"))
    assert read[world.petra.pk] is not None
    assert read[world.quinten.pk] is None and read[household.pk] is None
    first = read[world.petra.pk]
    login(world.petra).get(reverse("mailings:portal_detail", args=[mine.public_id]))
    assert OutgoingMessage.objects.get(pk=mine.pk).read_at == first


def test_another_family_and_another_school_never_read_a_parents_message(world, login, household):
    mailing = send_to_group(world.anna, world.g3, subject="Over Sam", files=[pdf()])
    petras = message_of(mailing, world.petra)
    item = mailing.attachments.get()
    urls = [
        reverse("mailings:portal_detail", args=[petras.public_id]),
        reverse("mailings:portal_attachment", args=[petras.public_id, item.public_id]),
    ]
    for stranger in (household, world.eik_parent):
        for url in urls:
            assert login(stranger).get(url).status_code == 404
    # Rik has his own copy of the mailing, and reaches it only as his own.
    ricks = login(household).get(reverse("mailings:portal_mailing", args=[mailing.public_id]))
    assert ricks["Location"] == reverse(
        "mailings:portal_detail", args=[message_of(mailing, household).public_id]
    )
    assert (
        login(world.eik_parent)
        .get(reverse("mailings:portal_mailing", args=[mailing.public_id]))
        .status_code
        == 404
    )
    assert OutgoingMessage.objects.get(pk=petras.pk).read_at is None


def test_the_list_leaves_out_secrets_the_senders_copy_and_other_schools(world, login, make_parent):
    mailing = send_to_group(world.anna, world.g3, subject="Voor de groep")
    common = {"text": "t", "html": "", "from_email": "info@linde.test"}
    outbox_system_message(
        to=world.petra.email,
        subject="Uw gesprek is gepland",
        school=world.school,
        parent=world.petra,
        **common,
    )
    outbox_system_message(
        to=world.petra.email,
        subject="Uitnodiging met link",
        school=world.school,
        parent=world.petra,
        secret=True,
        **common,
    )
    # The same person is a parent at De Eik too (same login, same address).
    elsewhere = make_parent(world.other_school, world.petra.email, with_login=False)
    elsewhere.user = world.petra.user
    elsewhere.save()
    outbox_system_message(
        to=world.petra.email,
        subject="Nieuws van De Eik",
        school=world.other_school,
        parent=elsewhere,
        **common,
    )
    client = login(world.petra)
    session = client.session
    session[CURRENT_SCHOOL_KEY] = world.school.pk
    session.save()
    page = client.get(LIST).content.decode()
    assert "Voor de groep" in page and "Uw gesprek is gepland" in page
    assert "Uitnodiging met link" not in page and "Nieuws van De Eik" not in page
    assert not OutgoingMessage.objects.filter(
        mailing=mailing, is_sender_copy=True, parent=world.petra
    ).exists()


def test_each_mailing_mail_links_to_the_portal(world, sent, settings):
    with sent as outbox:
        mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    link = settings.SITE_URL + reverse("mailings:portal_mailing", args=[mailing.public_id])
    to_parents = [m for m in outbox if "anna@linde.test" not in m.to[0]]
    assert to_parents
    for message in to_parents:
        assert "Lees dit bericht in het ouderportaal" in message.body and link in message.body
        assert link in message.alternatives[0][0]


def test_the_list_costs_the_same_queries_for_three_and_forty_messages(
    world, login, django_assert_max_num_queries
):
    client = login(world.quinten)
    for _ in range(3):
        send_to_group(world.anna, world.g3)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for _ in range(37):
        send_to_group(world.bram, world.g4)
    with django_assert_max_num_queries(len(few)):
        assert client.get(LIST).status_code == 200


def test_the_dashboard_tells_a_parent_of_unread_mailings_until_they_read_them(world, login):
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    client = login(world.petra)
    dashboard = reverse("portal:dashboard")
    assert "U heeft 1 ongelezen bericht van de school." in client.get(dashboard).content.decode()
    client.get(reverse("mailings:portal_detail", args=[message_of(mailing, world.petra).public_id]))
    assert "ongelezen bericht" not in client.get(dashboard).content.decode()
    # Quinten has not read it yet.
    assert "1 ongelezen bericht" in login(world.quinten).get(dashboard).content.decode()
