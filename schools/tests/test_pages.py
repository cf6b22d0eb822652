from django.urls import reverse

from schools.models import Group


def test_the_school_start_page_has_team_login_and_a_parent_login(client, world):
    page = client.get(reverse("schools:school_home", args=["de-linde"]))
    assert "Team" in page.text
    assert f'href="{reverse("accounts:staff_login")}"' in page.text
    assert f'href="{reverse("accounts:parent_login")}"' in page.text


def test_a_teacher_sees_only_their_own_groups(client, world, login):
    login(world.anna)
    page = client.get(reverse("schools:dashboard"))
    assert "Groep 3" in page.text and "Groep 4" not in page.text
    assert "Oudercommunicatie" in page.text


def test_directie_sees_every_group_of_their_school_and_no_other_school(client, world, login):
    Group.objects.create(school=world.other_school, name="Groep 8 Eik")
    login(world.dirk)
    page = client.get(reverse("schools:dashboard"))
    assert "Groep 3" in page.text and "Groep 4" in page.text
    assert "Groep 8 Eik" not in page.text


def test_parents_and_strangers_do_not_reach_the_dashboard(client, world, login):
    response = client.get(reverse("schools:dashboard"))
    assert response.status_code == 302 and reverse("accounts:staff_login") in response["Location"]
    login(world.petra)
    assert client.get(reverse("schools:dashboard")).status_code == 403


def test_staff_do_not_reach_the_parent_portal(client, world, login):
    login(world.anna)
    assert client.get(reverse("portal:dashboard")).status_code == 403


def test_pages_are_dutch_by_default_and_english_on_request(client, world):
    page = client.get(reverse("accounts:parent_login"))
    assert "Inloggen voor ouders" in page.text
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("accounts:parent_login"))
    assert "Log in for parents" in page.text


def test_pages_with_personal_data_are_not_cached(client, world, login):
    login(world.anna)
    response = client.get(reverse("schools:dashboard"))
    assert "no-store" in response["Cache-Control"]
