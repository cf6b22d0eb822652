"""Pages cost a fixed number of queries whatever the size of the group."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import Group

# Measured on SQLite and PostgreSQL. About seven of them are the same for every staff page
# (session, user, staff member, OTP device, session save); the rest is the page's own reads
# plus, for the detail and the PDF, the audit entry; the group page also reads the markers
# of the children's lines (restrictions, and the school year's consent round).
LIMITS = {"group_list": 9, "group_detail": 14, "group_pdf": 13, "parent_detail": 13}


def url_for(name, world):
    if name == "group_list":
        return reverse("parents:group_list")
    if name == "parent_detail":
        return reverse("parents:parent_detail", args=[world.quinten.public_id])
    return reverse(f"parents:{name}", args=[world.g3.public_id])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", list(LIMITS))
def test_the_page_costs_the_same_queries_for_a_small_and_a_large_group(
    client, world, login, fill_group, django_assert_max_num_queries, name
):
    login(world.anna)
    url = url_for(name, world)
    client.get(url)  # warm-up: the session is created on the first request
    with django_assert_max_num_queries(LIMITS[name]):
        small = client.get(url)
    small_count = count_queries(client, url)
    fill_group(world.g3, 40)
    for i in range(5):  # and more groups for the overview
        fill_group(Group.objects.create(school=world.school, name=f"Groep {5 + i}"), 3)
    world.anna.groups.add(*Group.objects.filter(school=world.school))
    with django_assert_max_num_queries(LIMITS[name]):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert count_queries(client, url) == small_count
