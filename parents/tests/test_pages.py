import re

from django.urls import reverse

from audit.models import AuditEvent
from schools.models import Parent


def test_the_ouderoverzicht_lists_a_teachers_own_groups_with_a_pdf_icon(client, world, login):
    login(world.anna)
    page = client.get(reverse("parents:group_list"))
    assert page.status_code == 200
    assert "Groep 3" in page.text and "Groep 4" not in page.text
    assert reverse("parents:group_pdf", args=[world.g3.public_id]) in page.text
    assert reverse("parents:group_detail", args=[world.g3.public_id]) in page.text


def test_directie_sees_every_group_of_the_school_in_the_ouderoverzicht(client, world, login):
    login(world.dirk)
    page = client.get(reverse("parents:group_list"))
    assert "Groep 3" in page.text and "Groep 4" in page.text


def test_the_menu_links_to_the_ouderoverzicht(client, world, login):
    login(world.anna)
    page = client.get(reverse("schools:dashboard"))
    assert f'href="{reverse("parents:group_list")}"' in page.text


def test_a_group_shows_its_parents_with_their_children(client, world, login):
    login(world.anna)
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    assert "Petra Jansen" in page.text and "Quinten Jansen" in page.text
    assert "Sam Jansen" in page.text
    assert "Lotte" not in page.text  # Quinten's other child is in Groep 4


def test_a_parents_details_show_and_the_view_is_audited(client, world, login):
    login(world.anna)
    page = client.get(reverse("parents:parent_detail", args=[world.quinten.public_id]))
    assert "quinten@example.nl" in page.text
    assert "Lotte Jansen" in page.text and "Groep 4" in page.text
    event = AuditEvent.objects.get(action="view")
    assert event.object_type == "parent" and event.object_id == str(world.quinten.pk)


def test_a_teacher_with_edit_right_saves_valid_details_and_the_postcode_is_normalised(
    client, world, login
):
    login(world.anna)
    url = reverse("parents:parent_edit", args=[world.petra.public_id])
    response = client.post(
        url,
        {
            "first_name": "Petra",
            "infix": "",
            "last_name": "Jansen-de Vries",
            "email": "petra.nieuw@example.nl",
            "phone": "+31 (0)6 1234 5678",
            "street": "Kerkstraat",
            "house_number": "12a",
            "postcode": "8021ca",
            "city": "Zwolle",
        },
    )
    assert response.status_code == 302
    world.petra.refresh_from_db()
    assert world.petra.last_name == "Jansen-de Vries"
    assert world.petra.postcode == "8021 CA"
    # The contact address changed; the login stays until Petra confirms from the new one.
    assert world.petra.email == "petra.nieuw@example.nl"
    assert world.petra.user.email == "petra@example.nl"
    event = AuditEvent.objects.get(action="edit")
    assert "last_name" in event.detail["fields"]
    assert (event.detail["old"], event.detail["new"]) == ("p***@e***.nl", "p***@e***.nl")
    assert "Jansen" not in str(event.detail) and "petra" not in str(event.detail)


def test_the_edit_form_explains_bad_email_phone_and_postcode_in_dutch(client, world, login):
    login(world.anna)
    url = reverse("parents:parent_edit", args=[world.petra.public_id])
    response = client.post(
        url,
        {
            "first_name": "Petra",
            "last_name": "Jansen",
            "email": "petra@",
            "phone": "06-123",
            "postcode": "12345",
        },
    )
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in" in response.text
    assert "minstens 10 cijfers" in response.text
    assert "Vul een postcode in als 1234 AB." in response.text
    world.petra.refresh_from_db()
    assert world.petra.email == "petra@example.nl"


def test_the_edit_form_refuses_an_address_of_another_parent(client, world, login):
    login(world.anna)
    url = reverse("parents:parent_edit", args=[world.petra.public_id])
    response = client.post(
        url, {"first_name": "Petra", "last_name": "Jansen", "email": "QUINTEN@example.nl"}
    )
    assert "hoort al bij een andere ouder" in response.text


def test_a_read_only_teacher_sees_details_without_edit_buttons_and_a_forged_post_is_refused(
    client, world, login, tom
):
    login(tom)
    page = client.get(reverse("parents:parent_detail", args=[world.petra.public_id]))
    assert page.status_code == 200
    assert reverse("parents:parent_edit", args=[world.petra.public_id]) not in page.text
    assert reverse("parents:parent_block", args=[world.petra.public_id]) not in page.text
    url = reverse("parents:parent_edit", args=[world.petra.public_id])
    assert client.get(url).status_code == 403
    forged = client.post(url, {"first_name": "Hacked", "last_name": "X", "email": ""})
    assert forged.status_code == 403
    world.petra.refresh_from_db()
    assert world.petra.first_name == "Petra"


def test_the_lock_blocks_and_unblocks_with_a_plain_post(client, world, login):
    login(world.anna)
    url = reverse("parents:parent_block", args=[world.petra.public_id])
    response = client.post(url, {"group": str(world.g3.public_id)})
    assert response.status_code == 302
    assert response["Location"] == reverse("parents:group_detail", args=[world.g3.public_id])
    assert Parent.objects.get(pk=world.petra.pk).is_blocked
    client.post(url, {"group": str(world.g3.public_id)})
    assert not Parent.objects.get(pk=world.petra.pk).is_blocked
    actions = list(
        AuditEvent.objects.exclude(action="login").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["block", "unblock"]


def test_the_lock_returns_only_the_changed_row_to_htmx(client, world, login):
    login(world.anna)
    url = reverse("parents:parent_block", args=[world.petra.public_id])
    response = client.post(url, {"group": str(world.g3.public_id)}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.strip().startswith("<tr")
    assert "geblokkeerd" in response.text and "<html" not in response.text
    assert f'id="parent-{world.petra.public_id}"' in response.text
    # The swapped-in row keeps the labels a phone shows beside each cell, as the page's rows.
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id])).text
    row = re.search(rf'<tr id="parent-{world.petra.public_id}".*?</tr>', page, re.S).group(0)
    labels = re.findall(r'data-label="([^"]+)"', row)
    assert labels == re.findall(r'data-label="([^"]+)"', response.text)
    assert labels[:2] == ["Ouder/verzorger", "Kind(eren)"]


def test_blocking_ends_the_parents_open_sessions(client, world, login):
    from django.test import Client

    parent_client = Client()
    parent_client.force_login(world.petra.user, backend="accounts.backends.EmailBackend")
    assert parent_client.get(reverse("portal:dashboard")).status_code == 200
    login(world.anna)
    client.post(reverse("parents:parent_block", args=[world.petra.public_id]))
    response = parent_client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_lock_is_a_post_only(client, world, login):
    login(world.anna)
    response = client.get(reverse("parents:parent_block", args=[world.petra.public_id]))
    assert response.status_code == 405


def test_the_ouderoverzicht_is_translated_to_english(client, world, login):
    login(world.anna)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    assert "Parents of Groep 3" in page.text and "Make a PDF" in page.text


def test_a_blocked_parent_shows_a_cross_in_the_list_and_is_not_counted(client, world, login):
    from schools.services import parent_set_blocked

    parent_set_blocked(parent=world.petra, blocked=True)
    login(world.anna)
    overview = client.get(reverse("parents:group_list"))
    assert [g.parent_count for g in overview.context["groups"]] == [1]
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    row = page.text.split(f'id="parent-{world.petra.public_id}"')[1].split("</tr>")[0]
    assert "✗" in row and "geblokkeerd" in row


def test_the_lock_on_the_details_page_returns_to_the_details(client, world, login):
    login(world.bea)
    url = reverse("parents:parent_block", args=[world.petra.public_id])
    response = client.post(url)
    assert response["Location"] == reverse("parents:parent_detail", args=[world.petra.public_id])


def test_lists_link_to_random_ids_not_to_row_numbers(client, world, login):
    import re

    login(world.anna)
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    links = re.findall(r'href="(/ouderoverzicht/[^"]+)"', page.text)
    assert links and all(re.search(r"/[0-9a-f-]{36}/", link) for link in links[1:])
    assert f"/ouder/{world.petra.pk}/" not in page.text
