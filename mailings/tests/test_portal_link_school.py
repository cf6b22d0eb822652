"""The mail's link "Lees dit bericht in het ouderportaal" for a parent with children at two
schools (one login, a parent record at each): it opens the message whichever school the
session is looking at, and still shows nothing to anyone else."""

import pytest
from django.urls import reverse

from mailings.models import OutgoingMessage
from mailings.tests.helpers import send_to_group
from schools.access import CURRENT_SCHOOL_KEY
from schools.models import Guardianship, Parent


@pytest.fixture
def petra_at_eik(world):
    """Petra's own login is also a parent of Ezra at De Eik."""
    record = Parent.objects.create(
        school=world.other_school,
        user=world.petra.user,
        email=world.petra.email,
        first_name="Petra",
        last_name="Jansen",
    )
    Guardianship.objects.create(parent=record, pupil=world.eik_kid)
    return record


def on_school(client, school) -> None:
    session = client.session
    session[CURRENT_SCHOOL_KEY] = school.pk
    session.save()


def test_the_link_switches_to_the_school_of_the_message(world, login, petra_at_eik):
    mailing = send_to_group(world.olaf, world.other_group, subject="Sportdag De Eik")
    client = login(world.petra)
    on_school(client, world.school)  # looking at De Linde
    link = reverse("mailings:portal_mailing", args=[mailing.public_id])
    response = client.get(link)
    own = OutgoingMessage.objects.get(mailing=mailing, parent=petra_at_eik)
    assert response.status_code == 302
    assert response["Location"] == reverse("mailings:portal_detail", args=[own.public_id])
    assert client.session[CURRENT_SCHOOL_KEY] == world.other_school.pk
    page = client.get(response["Location"]).content.decode()
    assert "Sportdag De Eik" in page
    assert OutgoingMessage.objects.get(pk=own.pk).read_at is not None
    # Back on De Linde, a mailing of De Linde opens there without switching.
    linde = send_to_group(world.anna, world.g3, subject="Schoolreis De Linde")
    on_school(client, world.other_school)
    response = client.get(reverse("mailings:portal_mailing", args=[linde.public_id]))
    assert client.session[CURRENT_SCHOOL_KEY] == world.school.pk
    assert "Schoolreis De Linde" in client.get(response["Location"]).content.decode()


def test_anyone_else_still_gets_404_and_stays_where_they_were(world, login, petra_at_eik):
    mailing = send_to_group(world.olaf, world.other_group, subject="Sportdag De Eik")
    link = reverse("mailings:portal_mailing", args=[mailing.public_id])
    client = login(world.quinten)  # a parent at De Linde only
    assert client.get(link).status_code == 404
    # Staff of De Eik are no recipients: a parent-only page.
    assert login(world.olaf).get(link).status_code in (403, 404)
    # A blocked record at De Eik does not open it either.
    petra_at_eik.is_blocked = True
    petra_at_eik.save()
    client = login(world.petra)
    on_school(client, world.school)
    assert client.get(link).status_code == 404
    assert client.session[CURRENT_SCHOOL_KEY] == world.school.pk
