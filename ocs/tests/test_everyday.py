"""Everyday finish across the chapters: page titles, Dutch dates, contact links, the menu on
public pages, htmx after a session ended, the documented ports."""

import re
import subprocess
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_every_title_has_its_separator(client, world, login):
    login(world.anna)
    assert title(client.get("/leerkracht/")) == "Leerkrachtendashboard · OCS"
    assert title(client.get("/ouderoverzicht/")) == "Ouderoverzicht · OCS"


def test_pages_that_looked_alike_have_their_own_title(client, world, login, make_parent):
    login(world.anna)
    step1 = title(client.get("/oudermailing/"))
    step2 = title(client.get("/oudermailing/", {"group": str(world.g3.public_id)}))
    assert step1 == "Oudermailing · OCS"
    assert step2 == "Bericht maken · Groep 3 · Oudermailing · OCS"
    staff_rounds = title(client.get("/oudergesprekken/"))
    login(world.petra)
    portal_rounds = title(client.get("/portaal/oudergesprekken/"))
    assert staff_rounds != portal_rounds
    assert portal_rounds == "Oudergesprekken · Ouderportaal · OCS"


def test_sent_messages_and_the_log_show_dutch_dates(client, world, login):
    from mailings.tests.helpers import send_to_group

    send_to_group(world.dirk, world.g3, subject="Schoolreis")
    audit_record(request=None, action="view", obj=world.petra, school=world.school)
    login(world.dirk)
    today = date_format(timezone.localtime(), "j F Y")  # "30 november 2026"
    english = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}")
    for path in ["/oudermailing/verzonden/", "/beheer/logboek/"]:
        page = client.get(path).content.decode()
        assert today in page, path
        assert not english.search(page), path


def test_a_parent_without_e_mail_is_not_shown_with_empty_brackets(client, world, login):
    from specialgroups.models import SpecialGroup

    world.petra.email = ""
    world.petra.save()
    special = SpecialGroup.objects.create(
        school=world.school, name="Luizenouders", created_by=world.anna.user
    )
    login(world.anna)
    page = client.get(f"/speciale-groepen/{special.public_id}/").content.decode()
    assert "Petra Jansen ()" not in page
    assert "Petra Jansen (geen e-mailadres)" in page
    assert "Quinten Jansen (quinten@example.nl)" in page


def test_phone_numbers_are_tel_links(client, world, login):
    world.petra.phone = "06-123 45 678"
    world.petra.save()
    login(world.anna)
    for path in [
        f"/ouderoverzicht/ouder/{world.petra.public_id}/",
        f"/ouderoverzicht/groep/{world.g3.public_id}/",
    ]:
        page = client.get(path).content.decode()
        assert '<a href="tel:0612345678">06-123 45 678</a>' in page, path


def test_dashboard_group_cards_lead_to_the_group(client, world, login):
    login(world.anna)
    page = client.get("/leerkracht/").content.decode()
    assert f'href="/ouderoverzicht/groep/{world.g3.public_id}/"' in page


def test_the_privacy_page_keeps_the_menu_and_the_way_back(client, world, login):
    page = client.get("/privacy/").content.decode()
    assert 'class="brand" href="/"' in page and "Hoofdmenu" not in page
    login(world.anna)
    page = client.get("/privacy/").content.decode()
    assert 'class="brand" href="/leerkracht/"' in page
    assert 'aria-label="Hoofdmenu"' in page and "Uitloggen" in page
    client.logout()
    login(world.petra)
    page = client.get("/privacy/").content.decode()
    assert 'class="brand" href="/portaal/"' in page
    assert 'href="/portaal/oudergesprekken/"' in page


def test_an_htmx_request_after_the_session_ended_navigates_the_whole_page(client, world):
    url = f"/ouderoverzicht/ouder/{world.petra.public_id}/blokkeren/"
    response = client.post(url, {"group": str(world.g3.public_id)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/team/login/?next=")
    assert b"<form" not in response.content  # no login page to swap into the row


def test_an_htmx_request_of_a_blocked_parent_navigates_the_whole_page(client, world, login):
    from specialgroups.models import SpecialGroup

    special = SpecialGroup.objects.create(school=world.school, name="Luizenouders")
    login(world.petra)
    world.petra.is_blocked = True
    world.petra.save()
    response = client.post(
        f"/portaal/speciale-groepen/{special.public_id}/inschrijven/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "HX-Redirect" in response or response.get("HX-Refresh") == "true"
    assert b"<html" not in response.content


def test_make_run_takes_the_ports_and_derives_the_mail_links_from_them():
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "run", "PORT=8123", "MAIL_PORT=2626"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gunicorn ocs.wsgi" in out and "--bind 127.0.0.1:8123" in out
    assert "mailsink --port 2626" in out
    assert "SITE_URL=http://127.0.0.1:8123" in out
    readme = (root / "README.md").read_text()
    assert "make run PORT=8080 MAIL_PORT=2525" in readme
