"""Help and error texts are tied to their fields: after a failed submit every
`aria-describedby` on the page points at an element that exists, each invalid field is
marked, and the error summary (or the first invalid field) takes the focus."""

import re

import pytest
from django.urls import reverse

from accounts.mail import password_link


def ids_on(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def described(page: str) -> list[str]:
    return [i for value in re.findall(r'aria-describedby="([^"]+)"', page) for i in value.split()]


def assert_tied(response):
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    refs = described(page)
    assert refs, "no field points at its help or error text"
    missing = [ref for ref in refs if ref not in ids_on(page)]
    assert not missing, f"aria-describedby points at nothing: {missing}"
    assert "data-autofocus" in page or 'aria-invalid="true"' in page


@pytest.fixture
def failed_forms(world, client, login):
    """(name, response) of each form, submitted with a mistake."""

    def submit(name):
        if name == "security":
            login(world.anna)
            return client.post(
                reverse("accounts:security"),
                {"old_password": "fout", "password1": "kort", "password2": "anders"},
            )
        if name == "set-password":
            path = password_link(world.petra.user).split("8000", 1)[-1]
            path = path[path.index("/wachtwoord-instellen/") :]
            page = client.get(path, follow=True)
            return client.post(
                page.redirect_chain[-1][0] if page.redirect_chain else path,
                {"password1": "kort", "password2": "anders"},
            )
        if name == "round":
            login(world.anna)
            return client.post(reverse("conferences:round_create"), {"total": "0"})
        if name == "special-group":
            login(world.anna)
            return client.post(reverse("specialgroups:create_activity"), {"name": ""})
        if name == "parent-edit":
            login(world.anna)
            return client.post(
                reverse("parents:parent_edit", args=[world.petra.public_id]),
                {"first_name": "", "last_name": "Jansen", "email": "geen-adres", "phone": "06"},
            )
        if name == "move":
            login(world.anna)
            url = reverse("parents:group_move", args=[world.g3.public_id])
            return client.post(url, {"target": ""})
        if name == "year-end":
            login(world.bea)  # Groep 3 "moves" to itself: refused at that group's choice
            fields = {f"g_{g.public_id}": "stay" for g in (world.g3, world.g4)}
            fields[f"g_{world.g3.public_id}"] = str(world.g3.public_id)
            return client.post(reverse("parents:year_end"), fields)
        raise AssertionError(name)

    return submit


@pytest.mark.parametrize(
    "name",
    ["security", "set-password", "round", "special-group", "parent-edit", "move", "year-end"],
)
def test_help_and_error_texts_are_tied_to_their_fields(failed_forms, name):
    response = failed_forms(name)
    assert response.status_code in (200, 400)
    assert_tied(response)
