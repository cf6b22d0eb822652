"""Who may do what: every view × every persona, with the expected status.

Decision: any teacher of the group (with or without the right to edit parents) plans that
group's conferences; directie and beheerder may for every group of their school. A teacher of
another group and staff of another school get 404; parents 403 on staff pages; anonymous
visitors go to the login."""

import pytest
from django.urls import reverse

from conferences.tests.conftest import slot_at

PERSONAS = ["anna", "bram", "dirk", "bea", "olaf", "petra", "anonymous"]

# view name, method, uses the round, expected status per persona (anna's Groep 3 round).
STAFF_VIEWS = [
    ("round_list", "get", False, [200, 200, 200, 200, 200, 403, 302]),
    ("round_create", "get", False, [200, 200, 200, 200, 200, 403, 302]),
    ("round_detail", "get", True, [200, 404, 200, 200, 404, 403, 302]),
    ("round_detail", "post", True, [302, 404, 302, 302, 404, 403, 302]),
    ("round_publish", "post", True, [302, 404, 302, 302, 404, 403, 302]),
    ("round_notify", "get", True, [200, 404, 200, 200, 404, 403, 302]),
    ("round_remind", "post", True, [302, 404, 302, 302, 404, 403, 302]),
    ("round_pdf", "get", True, [200, 404, 200, 200, 404, 403, 302]),
    ("slot_add", "post", True, [302, 404, 302, 302, 404, 403, 302]),
    ("round_edit", "get", True, [200, 404, 200, 200, 404, 403, 302]),
    ("round_edit", "post", True, [200, 404, 200, 200, 404, 403, 302]),
    ("round_delete", "get", True, [200, 404, 200, 200, 404, 403, 302]),
    ("round_delete", "post", True, [302, 404, 302, 302, 404, 403, 302]),
]

CASES = [
    (view, method, uses_round, persona, expected)
    for view, method, uses_round, statuses in STAFF_VIEWS
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(
    ("view", "method", "uses_round", "persona", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES],
)
def test_staff_views_follow_the_access_matrix(
    client, world, login, make_round, view, method, uses_round, persona, expected
):
    conference = make_round()
    args = [conference.public_id] if uses_round else []
    if persona != "anonymous":
        login(getattr(world, persona))
    url = reverse(f"conferences:{view}", args=args)
    response = getattr(client, method)(url)
    assert response.status_code == expected
    if expected == 302 and persona == "anonymous":
        assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anna", 404), ("bram", 404), ("olaf", 404), ("petra", 403), ("anonymous", 302)],
)
def test_only_staff_of_the_group_may_delete_a_slot(
    client, world, login, make_round, persona, expected
):
    conference = make_round()
    slot = slot_at(conference, 15, 0)
    if persona != "anonymous":
        login(getattr(world, persona))
    url = reverse("conferences:slot_delete", args=[conference.public_id, slot.pk])
    status = client.post(url).status_code
    if persona == "anna":
        assert status == 302 and not conference.slots.filter(pk=slot.pk).exists()
    else:
        assert status == expected and conference.slots.filter(pk=slot.pk).exists()


def test_the_teacher_of_another_group_without_edit_rights_plans_his_own_group(
    client, world, login, make_round
):
    conference = make_round(group=world.g4, staff=world.bram)
    login(world.bram)
    assert (
        client.get(reverse("conferences:round_detail", args=[conference.public_id])).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("petra", 200), ("quinten", 200), ("eik_parent", 200), ("anna", 403), ("anonymous", 302)],
)
def test_the_portal_page_is_for_parents(client, world, login, make_round, persona, expected):
    make_round()
    if persona != "anonymous":
        login(getattr(world, persona))
    response = client.get(reverse("conferences:portal"))
    assert response.status_code == expected
    if persona == "eik_parent":
        assert "Groep 3" not in response.content.decode()  # another school's round


def test_a_parent_of_another_school_cannot_book_here(client, world, login, make_round):
    conference = make_round()
    login(world.eik_parent)
    response = client.post(
        reverse("conferences:portal_book", args=[conference.public_id]),
        {"pupil": str(world.eik_kid.public_id), "slot": slot_at(conference, 15, 0).pk},
    )
    assert response.status_code == 404
    assert not conference.slots.filter(pupil__isnull=False).exists()


def test_portal_actions_refuse_get(client, world, login, make_round):
    conference = make_round()
    login(world.petra)
    for name in ("portal_book", "portal_cancel"):
        assert (
            client.get(reverse(f"conferences:{name}", args=[conference.public_id])).status_code
            == 405
        )
