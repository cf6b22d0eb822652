import datetime
import io

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from specialgroups.models import Signup, SpecialGroup


def url(name, special_group, **kw):
    return reverse(f"specialgroups:{name}", kwargs={"group_id": special_group.public_id, **kw})


# Access matrix -----------------------------------------------------------------------------
# Who sees which group on the staff side (200 = sees, 404 = stranger):
#   school_wide: everyone of De Linde; g4_only: bram (teaches Groep 4, creator), managers;
#   trip (Groep 3, by anna): anna, managers; other school: only olaf.
VIEW_MATRIX = [
    ("anna", "school_wide", 200),
    ("anna", "g4_only", 404),
    ("anna", "trip", 200),
    ("anna", "other_school", 404),
    ("bram", "school_wide", 200),
    ("bram", "g4_only", 200),
    ("bram", "trip", 404),
    ("dirk", "g4_only", 200),
    ("dirk", "trip", 200),
    ("bea", "trip", 200),
    ("bea", "other_school", 404),
    ("olaf", "trip", 404),
    ("olaf", "other_school", 200),
]


@pytest.mark.parametrize(("who", "which", "status"), VIEW_MATRIX)
def test_staff_see_only_the_special_groups_they_may_see(world, sg, login, who, which, status):
    client = login(getattr(world, who))
    assert client.get(url("detail", getattr(sg, which))).status_code == status
    assert client.get(url("pdf", getattr(sg, which))).status_code == status


# Changing (edit, delete, members): its creator or a manager; others who see it get 403.
CHANGE_MATRIX = [
    ("anna", "trip", 200),
    ("anna", "school_wide", 403),
    ("bram", "school_wide", 403),
    ("bram", "g4_only", 200),
    ("dirk", "trip", 200),
    ("bea", "g4_only", 200),
    ("anna", "g4_only", 404),
]


@pytest.mark.parametrize(("who", "which", "status"), CHANGE_MATRIX)
def test_only_the_creator_or_a_manager_may_change_a_special_group(
    world, sg, login, who, which, status
):
    client = login(getattr(world, who))
    special_group = getattr(sg, which)
    assert client.get(url("edit", special_group)).status_code == status
    assert client.get(url("delete", special_group)).status_code == status
    response = client.post(
        url("member_add", special_group), {"parent": str(world.quinten.public_id)}
    )
    assert response.status_code == (302 if status == 200 else status)


def test_the_list_shows_counts_pdf_links_and_both_buttons(world, sg, login):
    Signup.objects.create(special_group=sg.trip, parent=world.petra)
    response = login(world.anna).get(reverse("specialgroups:list"))
    html = response.content.decode()
    assert "+ Nieuwe speciale groep" in html
    assert "+ Nieuwe speciale groep inclusief activiteit" in html
    assert "Schoolreis" in html and "Voorleesouders" in html
    assert "Luizenouders 4" not in html  # bram's Groep 4 group
    assert "1 / 3" in html
    assert url("pdf", sg.trip) in html


def test_a_teacher_creates_a_group_without_activity_for_their_class(world, login):
    client = login(world.anna)
    response = client.post(
        reverse("specialgroups:create"),
        {"name": "Knutselouders", "main_group": str(world.g3.pk)},
    )
    special_group = SpecialGroup.objects.get(name="Knutselouders")
    assert response.status_code == 302
    assert special_group.main_group == world.g3 and not special_group.has_activity
    assert special_group.created_by == world.anna.user
    assert AuditEvent.objects.filter(action="create", object_id=str(special_group.pk)).exists()


def test_a_teacher_cannot_make_a_group_for_a_class_they_do_not_teach(world, login):
    response = login(world.anna).post(
        reverse("specialgroups:create"), {"name": "Stiekem", "main_group": str(world.g4.pk)}
    )
    assert response.status_code == 200
    assert not SpecialGroup.objects.filter(name="Stiekem").exists()


def test_a_group_with_activity_needs_a_future_date_a_positive_maximum_and_a_group(world, login):
    client = login(world.dirk)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("specialgroups:create_activity"),
        {"name": "Sinterklaas", "signup_deadline": yesterday.isoformat(), "max_participants": 0},
    )
    html = response.content.decode()
    assert "De einddatum ligt in het verleden." in html
    assert "Kies minstens één groep." in html
    assert not SpecialGroup.objects.filter(name="Sinterklaas").exists()
    response = client.post(
        reverse("specialgroups:create_activity"),
        {
            "name": "Sinterklaas",
            "description": "Pieten helpen",
            "signup_deadline": timezone.localdate().isoformat(),
            "max_participants": 4,
            "eligible_groups": [world.g3.pk, world.g4.pk],
        },
    )
    special_group = SpecialGroup.objects.get(name="Sinterklaas")
    assert response.status_code == 302
    assert special_group.has_activity and special_group.max_participants == 4
    assert set(special_group.eligible_groups.all()) == {world.g3, world.g4}


def test_the_maximum_cannot_be_lowered_below_the_sign_ups(world, sg, login):
    Signup.objects.create(special_group=sg.trip, parent=world.petra)
    Signup.objects.create(special_group=sg.trip, parent=world.quinten)
    response = login(world.anna).post(
        url("edit", sg.trip),
        {
            "name": "Schoolreis",
            "signup_deadline": sg.trip.signup_deadline.isoformat(),
            "max_participants": 1,
            "eligible_groups": [world.g3.pk],
        },
    )
    assert "Er zijn al 2 inschrijvingen" in response.content.decode()
    sg.trip.refresh_from_db()
    assert sg.trip.max_participants == 3


def test_the_creator_deletes_a_group_with_its_sign_ups(world, sg, login):
    Signup.objects.create(special_group=sg.trip, parent=world.petra)
    response = login(world.anna).post(url("delete", sg.trip))
    assert response.status_code == 302
    assert not SpecialGroup.objects.filter(pk=sg.trip.pk).exists()
    assert not Signup.objects.filter(parent=world.petra).exists()


def test_staff_add_and_remove_a_member_by_hand(world, sg, login):
    client = login(world.anna)
    client.post(url("member_add", sg.trip), {"parent": str(world.quinten.public_id)})
    assert Signup.objects.get(special_group=sg.trip).added_by == world.anna.user
    client.post(url("member_remove", sg.trip, parent_id=world.quinten.public_id))
    assert not Signup.objects.filter(special_group=sg.trip).exists()


def test_staff_cannot_add_a_parent_who_may_not_join(world, sg, login):
    client = login(world.dirk)
    client.post(url("member_add", sg.g4_only), {"parent": str(world.petra.public_id)})
    client.post(url("member_add", sg.trip), {"parent": str(world.eik_parent.public_id)})
    assert not Signup.objects.exists()


def test_the_mail_link_opens_the_oudermailing_with_this_group_when_it_exists(world, sg, login):
    html = login(world.anna).get(url("detail", sg.trip)).content.decode()
    try:
        compose = reverse("mailings:compose")
    except NoReverseMatch:
        assert "Mail deze groep" not in html
    else:
        assert f"{compose}?special={sg.trip.public_id}" in html


def _members(special_group, n, world, make_parent, *, blocked=0):
    from schools.models import Pupil

    special_group.max_participants = None if not special_group.has_activity else 1000
    special_group.save()
    for i in range(n):
        kid = Pupil.objects.create(
            school=world.school,
            number=f"k{i}",
            first_name=f"Kind{i}",
            last_name="X",
            group=world.g3,
        )
        parent = make_parent(
            world.school, f"m{i}@example.nl", pupils=[kid], with_login=False, is_blocked=i < blocked
        )
        Signup.objects.create(special_group=special_group, parent=parent)


@pytest.mark.parametrize("size", [2, 40])
def test_the_member_page_costs_a_fixed_number_of_queries(
    world, sg, login, make_parent, django_assert_max_num_queries, size
):
    _members(sg.trip, size, world, make_parent)
    client = login(world.anna)
    # 16: one query more than before, for whose contact data anna may see, and one for the
    # waiting list.
    with django_assert_max_num_queries(16):
        response = client.get(url("detail", sg.trip))
    assert response.content.decode().count("Kind") >= size


@pytest.mark.parametrize("size", [2, 40])
def test_the_lists_cost_a_fixed_number_of_queries(
    world, sg, login, make_parent, make_special_group, django_assert_max_num_queries, size
):
    _members(sg.trip, size, world, make_parent)
    for i in range(size // 4):
        make_special_group(world.school, f"Extra {i}", activity=True, eligible_groups=[world.g3])
    client = login(world.anna)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("specialgroups:list")).status_code == 200
    client = login(world.petra)
    # One more than the special groups' own: the unread-mailings notice.
    with django_assert_max_num_queries(13):
        assert client.get(reverse("portal:dashboard")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("specialgroups:portal_list")).status_code == 200


def test_the_member_pdf_lists_name_contact_child_and_group_and_is_audited(
    world, sg, login, make_parent
):
    world.petra.phone = "06-12345678"
    world.petra.save()
    Signup.objects.create(special_group=sg.trip, parent=world.petra)
    hidden = make_parent(world.school, "geblokkeerd@example.nl", pupils=[world.sam])
    Signup.objects.create(special_group=sg.trip, parent=hidden)
    hidden.is_blocked = True
    hidden.save()
    response = login(world.anna).get(url("pdf", sg.trip))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Schoolreis" in text
    assert "Petra Jansen" in text and "petra@example.nl" in text and "06-12345678" in text
    assert "Sam Jansen (Groep 3)" in text
    assert "geblokkeerd@example.nl" not in text
    event = AuditEvent.objects.get(action="download", object_id=str(sg.trip.pk))
    assert event.detail["document"] == "leden-pdf"


# Parent portal -----------------------------------------------------------------------------


def test_a_parent_sees_open_groups_with_deadline_and_places_left(world, sg, login):
    Signup.objects.create(special_group=sg.trip, parent=world.quinten)
    html = login(world.petra).get(reverse("specialgroups:portal_list")).content.decode()
    assert "Schoolreis" in html and "Helpen bij de schoolreis" in html
    assert "Inschrijven kan tot en met" in html
    assert "Nog 2 plaatsen vrij." in html
    assert "Luizenouders 4" not in html and "Eik-ouders" not in html


def test_a_parent_signs_up_and_withdraws(world, sg, login):
    client = login(world.petra)
    response = client.post(url("portal_signup", sg.trip), follow=True)
    assert "U bent ingeschreven voor Schoolreis." in response.content.decode()
    assert Signup.objects.filter(special_group=sg.trip, parent=world.petra).exists()
    client.post(url("portal_withdraw", sg.trip))
    assert not Signup.objects.filter(special_group=sg.trip).exists()


def test_a_parent_toggling_a_sign_up_is_slowed_down_and_keeps_a_true_state(world, sg, login):
    """20 sign-up or withdraw clicks in 10 minutes (SIGNUP_PER_PARENT); the 21st is answered
    "te vaak" and changes nothing."""
    client = login(world.petra)
    for _ in range(10):
        client.post(url("portal_signup", sg.trip))
        client.post(url("portal_withdraw", sg.trip))
    response = client.post(url("portal_signup", sg.trip), follow=True)
    assert "te vaak" in response.content.decode()
    assert not Signup.objects.filter(special_group=sg.trip, parent=world.petra).exists()
    other = login(world.quinten)  # another parent is not slowed down by Petra's clicks
    other.post(url("portal_signup", sg.trip))
    assert Signup.objects.filter(special_group=sg.trip, parent=world.quinten).exists()


def test_a_parent_cannot_sign_up_for_a_group_not_open_to_them(world, sg, login):
    client = login(world.petra)
    assert client.post(url("portal_signup", sg.g4_only)).status_code == 404
    assert client.post(url("portal_signup", sg.other_school)).status_code == 404
    assert not Signup.objects.exists()


def test_a_parent_cannot_withdraw_another_parents_sign_up(world, sg, login):
    Signup.objects.create(special_group=sg.trip, parent=world.quinten)
    client = login(world.petra)
    client.post(url("portal_withdraw", sg.trip), {"parent": str(world.quinten.public_id)})
    assert Signup.objects.filter(special_group=sg.trip, parent=world.quinten).exists()
    html = client.get(reverse("specialgroups:portal_list")).content.decode()
    assert "quinten" not in html.lower()


def test_a_parent_cannot_sign_up_someone_else_by_forging_the_form(world, sg, login):
    login(world.petra).post(url("portal_signup", sg.trip), {"parent": str(world.quinten.public_id)})
    assert list(Signup.objects.values_list("parent", flat=True)) == [world.petra.pk]


def test_a_replayed_sign_up_on_a_full_group_gets_a_friendly_vol_message(
    world, sg, login, make_parent
):
    sg.trip.max_participants = 1
    sg.trip.save()
    Signup.objects.create(special_group=sg.trip, parent=world.quinten)
    client = login(world.petra)
    for _ in range(3):
        response = client.post(url("portal_signup", sg.trip), follow=True)
        assert response.status_code == 200
        assert "deze groep is vol" in response.content.decode()
    assert Signup.objects.filter(special_group=sg.trip).count() == 1


def test_a_sign_up_after_the_end_date_is_refused_with_a_message(world, sg, login):
    sg.trip.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    sg.trip.save()
    client = login(world.petra)
    html = client.get(reverse("specialgroups:portal_list")).content.decode()
    assert "De inschrijving is gesloten" in html and url("portal_signup", sg.trip) not in html
    response = client.post(url("portal_signup", sg.trip), follow=True)
    assert "de einddatum is voorbij" in response.content.decode()
    assert not Signup.objects.exists()


def test_a_double_click_signs_up_once(world, sg, login):
    client = login(world.petra)
    client.post(url("portal_signup", sg.trip))
    response = client.post(url("portal_signup", sg.trip), follow=True)
    assert "U bent al ingeschreven" in response.content.decode()
    assert Signup.objects.filter(special_group=sg.trip).count() == 1


def test_a_blocked_parent_gets_no_portal_page(world, sg, login):
    world.petra.is_blocked = True
    world.petra.save()
    client = login(world.petra)
    # Blocking ends the session (login page) or, with a fresh one, the portal refuses (403).
    assert client.get(reverse("specialgroups:portal_list")).status_code in (302, 403)
    assert client.post(url("portal_signup", sg.trip)).status_code in (302, 403)
    assert not Signup.objects.exists()


def test_the_dashboard_announces_a_new_group_until_the_parent_has_seen_it(
    world, sg, login, make_special_group
):
    client = login(world.petra)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "nieuwe speciale groepen" in html and "Schoolreis" in html
    client.get(reverse("specialgroups:portal_list"))
    assert "speciale groep" not in client.get(reverse("portal:dashboard")).content.decode()
    make_special_group(world.school, "Kerstdiner", activity=True, eligible_groups=[world.g3])
    make_special_group(world.school, "Alleen groep 4", activity=True, eligible_groups=[world.g4])
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Er is een nieuwe speciale groep" in html and "Kerstdiner" in html
    assert "Alleen groep 4" not in html


def test_the_dashboard_does_not_announce_joined_full_or_closed_groups(world, sg, login):
    Signup.objects.create(special_group=sg.school_wide, parent=world.petra)
    sg.trip.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    sg.trip.save()
    html = login(world.petra).get(reverse("portal:dashboard")).content.decode()
    assert "speciale groep" not in html


def test_with_htmx_only_the_card_comes_back_with_the_vol_message(world, sg, login):
    sg.trip.max_participants = 1
    sg.trip.save()
    Signup.objects.create(special_group=sg.trip, parent=world.quinten)
    response = login(world.petra).post(url("portal_signup", sg.trip), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section")
    assert "Helaas, deze groep is vol." in html
    assert not Signup.objects.filter(parent=world.petra).exists()


def test_with_htmx_a_sign_up_returns_the_updated_card(world, sg, login):
    response = login(world.petra).post(url("portal_signup", sg.trip), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "U bent ingeschreven voor Schoolreis." in html
    assert "Nog 2 plaatsen vrij." in html and "Uitschrijven" in html


def test_the_creator_edits_a_group_without_activity(world, sg, login):
    client = login(world.bram)
    assert "Luizenouders 4" in client.get(url("edit", sg.g4_only)).content.decode()
    response = client.post(url("edit", sg.g4_only), {"name": "Hoofdluis", "main_group": ""})
    assert response.status_code == 302
    sg.g4_only.refresh_from_db()
    assert sg.g4_only.name == "Hoofdluis" and sg.g4_only.main_group is None


def test_the_member_pdf_prints_names_with_typst_characters_as_they_are(
    client, world, sg, login, make_parent
):
    from specialgroups.services import signup_create

    tricky = "#set text(size: 1pt) $y$ [z] \\ *b* _i_ `c` <l> @r"
    parent = make_parent(
        world.school, "ş@example.nl", pupils=[world.sam], first_name="Şeyma ı ł é", last_name=tricky
    )
    signup_create(special_group=sg.trip, parent=parent, enforce_deadline=False)
    login(world.anna)
    response = client.get(url("pdf", sg.trip))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Şeyma ı ł é {tricky}" in text
    assert "Pagina 1 van 1" in text and "Kind en groep" in text
