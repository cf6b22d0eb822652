"""What the sender sees of a mailing's reach (delivered, failed, read per family) and the
reminder to families that did not read it."""

import pytest
from django.urls import reverse

from mailings.models import OutgoingMessage
from mailings.services import mailing_remind
from mailings.tests.helpers import send_to_group
from schools.models import Guardianship, Parent, Pupil

Status = OutgoingMessage.Status


@pytest.fixture
def rik(world, make_parent):
    """A second household in Groep 3: Noor Bakker with her father Rik."""
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Bakker", group=world.g3
    )
    return make_parent(world.school, "rik@example.nl", pupils=[noor], first_name="Rik")


def read(mailing, parent, client):
    message = OutgoingMessage.objects.get(mailing=mailing, parent=parent)
    client.get(reverse("mailings:portal_detail", args=[message.public_id]))


def status_page(client, mailing) -> str:
    return client.get(reverse("mailings:detail", args=[mailing.public_id])).content.decode()


def test_a_family_counts_as_read_once_one_guardian_opened_it(world, login, client, rik):
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    assert "Gelezen door 0 van 2 gezinnen" in status_page(login(world.anna), mailing)
    read(mailing, world.quinten, login(world.quinten))
    page = status_page(login(world.anna), mailing)
    assert "Gelezen door 1 van 2 gezinnen" in page
    not_read = page.split("Nog niet gelezen")[1].split("</ul>")[0]
    assert "Noor Bakker (Rik Ouder)" in not_read and "Sam" not in not_read
    read(mailing, world.petra, login(world.petra))
    assert "Gelezen door 1 van 2 gezinnen" in status_page(login(world.anna), mailing)
    read(mailing, rik, login(rik))
    page = status_page(login(world.anna), mailing)
    assert "Gelezen door 2 van 2 gezinnen" in page and "Herinnering sturen" not in page


def test_a_family_whose_every_address_failed_is_marked(world, login, rik):
    mailing = send_to_group(world.anna, world.g3)
    OutgoingMessage.objects.filter(mailing=mailing, parent=rik).update(
        status=Status.FAILED, last_error="550 5.1.1 unknown user"
    )
    page = status_page(login(world.anna), mailing)
    assert "e-mail mislukt" in page.split("Nog niet gelezen")[1].split("</ul>")[0]


def test_a_reminder_goes_to_unread_families_once_a_day(world, login, rik, sent):
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    read(mailing, world.petra, login(world.petra))
    client = login(world.anna)
    with sent as outbox:
        response = client.post(reverse("mailings:remind", args=[mailing.public_id]))
    assert response.status_code == 302
    reminders = [m for m in outbox if m.subject == "Herinnering: Schoolreis"]
    assert [m.to for m in reminders] == [["rik@example.nl"]]
    assert "Lees dit bericht in het ouderportaal" in reminders[0].body
    assert reminders[0].reply_to == ["anna@linde.test"]
    # A second click the same day sends nothing and says why.
    with sent as outbox:
        response = client.post(reverse("mailings:remind", args=[mailing.public_id]), follow=True)
    assert not [m for m in outbox if m.subject.startswith("Herinnering")]
    assert "kreeg vandaag al een herinnering" in response.content.decode()
    # Rik finds the reminder among his messages too.
    assert (
        "Herinnering: Schoolreis"
        in login(rik).get(reverse("mailings:portal_list")).content.decode()
    )


def test_only_who_may_see_the_mailing_sends_a_reminder(world, login, rik):
    mailing = send_to_group(world.anna, world.g3)
    url = reverse("mailings:remind", args=[mailing.public_id])
    for outsider in (world.bram, world.olaf):
        assert login(outsider).post(url).status_code == 404
    assert login(rik).post(url).status_code == 403
    assert not OutgoingMessage.objects.filter(mailing=None, parent=rik).exists()


def test_a_reminder_run_does_not_remind_a_family_twice_whatever_the_mailing(world, rik):
    first = send_to_group(world.anna, world.g3, subject="Een")
    second = send_to_group(world.anna, world.g3, subject="Twee")
    assert mailing_remind(mailing=first).families == 2
    again = mailing_remind(mailing=second)
    assert (again.families, again.already_today) == (0, 2)


def families(school, group, count, start):
    pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school, number=str(start + i), first_name=f"Kind{i}", last_name="X", group=group
        )
        for i in range(count)
    )
    parents = Parent.objects.bulk_create(
        Parent(school=school, email=f"p{start + i}@example.nl", first_name="P", last_name=str(i))
        for i in range(count)
    )
    Guardianship.objects.bulk_create(
        Guardianship(parent=p, pupil=c) for p, c in zip(parents, pupils, strict=True)
    )


def test_the_status_page_costs_the_same_queries_for_thirty_and_six_hundred_families(
    world, login, django_assert_max_num_queries
):
    from schools.models import Group

    small, large = (Group.objects.create(school=world.school, name=n) for n in ("G5", "G6"))
    world.anna.groups.add(small, large)
    families(world.school, small, 30, 10_000)
    families(world.school, large, 600, 20_000)
    client = login(world.anna)
    few_mailing = send_to_group(world.anna, small)
    many_mailing = send_to_group(world.anna, large)
    with django_assert_max_num_queries(25) as few:
        assert "van 30 gezinnen" in status_page(client, few_mailing)
    with django_assert_max_num_queries(len(few)):
        assert "van 600 gezinnen" in status_page(client, many_mailing)


def test_a_large_mailing_counts_every_family_and_lists_them_a_page_at_a_time(world, login):
    """120 families: the figures count all of them, the table shows 50 families a page with
    a way to the next, and the list of families not reached names 50 and says how many
    more the reminder reaches."""
    import re

    from schools.models import Group

    group = Group.objects.create(school=world.school, name="G7")
    world.anna.groups.add(group)
    families(world.school, group, 120, 30_000)
    client = login(world.anna)
    mailing = send_to_group(world.anna, group)
    first = status_page(client, mailing)
    assert "Gelezen door 0 van 120 gezinnen" in first
    assert "… en nog 70 gezinnen; de herinnering gaat naar allemaal." in first
    assert first.count('<tbody class="family">') == 50
    assert "Pagina 1 van 3" in first and "?pagina=2" in first
    url = reverse("mailings:detail", args=[mailing.public_id])
    last = client.get(url, {"pagina": 3}).content.decode()
    assert last.count('<tbody class="family">') == 20
    assert "Gelezen door 0 van 120 gezinnen" in last
    shown = set()
    for number in (1, 2, 3):
        page = client.get(url, {"pagina": number}).content.decode()
        shown |= set(re.findall(r"p(3\d{4})@example\.nl", page))
    assert len(shown) == 120  # every family on exactly one of the pages, none lost
