"""Every view of the Ouderoverzicht × every kind of user, with the status they must get.

Objects: Groep 3 and Petra (parent of Sam, Groep 3). A stranger to an object gets 404, a
user who may see it but not change it 403, someone not logged in the login page (302).
"""

import pytest
from django.test import Client
from django.urls import reverse

from schools.models import Parent, Pupil

PERSONAS = ["anna", "bram", "dirk", "bea", "tom", "petra", "anonymous", "olaf"]
#  anna: teacher of Groep 3 with edit right   bram: teacher of another group (Groep 4)
#  dirk: directie (no edit right)             bea: beheerder (edit right)
#  tom: teacher of Groep 3 without edit right petra: a parent
#  olaf: beheerder of another school

R = 302  # a redirect: after a successful POST, or to the login page for anonymous


def row(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


# (name, method, url builder, POST data builder, expected per persona)
MATRIX = [
    ("group_list", "get", lambda w: reverse("parents:group_list"), None,
     row(200, 200, 200, 200, 200, 403, R, 200)),
    ("group_detail", "get", lambda w: reverse("parents:group_detail", args=[w.g3.public_id]),
     None, row(200, 404, 200, 200, 200, 403, R, 404)),
    ("group_pdf", "get", lambda w: reverse("parents:group_pdf", args=[w.g3.public_id]), None,
     row(200, 404, 200, 200, 200, 403, R, 404)),
    ("group_move", "get", lambda w: reverse("parents:group_move", args=[w.g3.public_id]), None,
     row(200, 404, 403, 200, 403, 403, R, 404)),
    ("group_move", "post", lambda w: reverse("parents:group_move", args=[w.g3.public_id]),
     lambda w: {"target": str(w.g4.public_id), "confirm": "1"},
     row(R, 404, 403, R, 403, 403, R, 404)),
    ("parent_detail", "get",
     lambda w: reverse("parents:parent_detail", args=[w.petra.public_id]), None,
     row(200, 404, 200, 200, 200, 403, R, 404)),
    ("parent_edit", "get", lambda w: reverse("parents:parent_edit", args=[w.petra.public_id]),
     None, row(200, 404, 403, 200, 403, 403, R, 404)),
    ("parent_edit", "post", lambda w: reverse("parents:parent_edit", args=[w.petra.public_id]),
     lambda w: {"first_name": "Gewijzigd", "last_name": "Jansen", "email": "petra@example.nl"},
     row(R, 404, 403, R, 403, 403, R, 404)),
    ("parent_block", "post",
     lambda w: reverse("parents:parent_block", args=[w.petra.public_id]), lambda w: {},
     row(R, 404, 403, R, 403, 403, R, 404)),
    ("parent_delete", "get",
     lambda w: reverse("parents:parent_delete", args=[w.petra.public_id]), None,
     row(200, 404, 403, 200, 403, 403, R, 404)),
    ("parent_delete", "post",
     lambda w: reverse("parents:parent_delete", args=[w.petra.public_id]), lambda w: {},
     row(R, 404, 403, R, 403, 403, R, 404)),
    ("year_end", "get", lambda w: reverse("parents:year_end"), None,
     row(403, 403, 403, 200, 403, 403, R, 200)),
    ("year_end", "post", lambda w: reverse("parents:year_end"),
     lambda w: {"confirm": "1", f"g_{w.g3.public_id}": str(w.g4.public_id),
                f"g_{w.g4.public_id}": "stay"},
     row(403, 403, 403, R, 403, 403, R, None)),  # olaf's form has other groups: see below
]  # fmt: skip

CASES = [
    pytest.param(name, method, url, data, persona, expected[persona],
                 id=f"{name}-{method}-{persona}")
    for name, method, url, data, expected in MATRIX
    for persona in PERSONAS
    if expected[persona] is not None
]  # fmt: skip


def persona_client(world, tom, persona) -> Client:
    client = Client()
    if persona != "anonymous":
        person = tom if persona == "tom" else getattr(world, persona)
        client.force_login(person.user, backend="accounts.backends.EmailBackend")
    return client


def state(world):
    """What the POSTs of the matrix change, to see that a refused request changed nothing."""
    petra = Parent.objects.filter(pk=world.petra.pk).first()
    return (
        petra and (petra.first_name, petra.is_blocked),
        Pupil.objects.get(pk=world.sam.pk).group_id,
    )


@pytest.mark.parametrize(("name", "method", "url", "data", "persona", "expected"), CASES)
def test_access_matrix(world, tom, name, method, url, data, persona, expected):
    client = persona_client(world, tom, persona)
    before = state(world)
    send = client.get if method == "get" else client.post
    response = send(url(world), *([data(world)] if data else []))
    assert response.status_code == expected
    if expected == R and persona == "anonymous":
        assert "/login/" in response["Location"]
    if method == "post":
        changed = state(world) != before
        assert changed == (expected == R and persona != "anonymous")
