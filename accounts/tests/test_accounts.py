import re

import pytest
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD


def post_login(client, url_name, email, password=PASSWORD):
    return client.post(reverse(url_name), {"username": email, "password": password})


def test_a_teacher_logging_in_lands_on_the_dashboard(client, world):
    response = post_login(client, "accounts:staff_login", "anna@linde.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:dashboard")
    page = client.get(response["Location"])
    assert "Leerkrachtendashboard" in page.text
    assert "Groep 3" in page.text and "Groep 4" not in page.text


def test_a_parent_logging_in_lands_on_the_portal(client, world):
    response = post_login(client, "accounts:parent_login", "petra@example.nl")
    assert response["Location"] == reverse("portal:dashboard")
    page = client.get(response["Location"])
    assert "Sam Jansen" in page.text


def test_login_ignores_case_of_the_email_address(client, world):
    response = post_login(client, "accounts:parent_login", "Petra@Example.NL")
    assert response.status_code == 302


def test_the_session_id_changes_at_login(client, world):
    client.get(reverse("accounts:parent_login"))
    client.session.save()
    before = client.session.session_key
    post_login(client, "accounts:parent_login", "petra@example.nl")
    assert client.session.session_key != before


@pytest.mark.parametrize(
    "email,password",
    [
        ("nobody@example.nl", PASSWORD),
        ("petra@example.nl", "wrong-password"),
        ("blocked@example.nl", PASSWORD),
    ],
    ids=["unknown", "wrong-password", "blocked"],
)
def test_unknown_wrong_and_blocked_logins_get_the_same_answer(
    client, world, make_parent, email, password
):
    make_parent(world.school, "blocked@example.nl", is_blocked=True)
    response = post_login(client, "accounts:parent_login", email, password)
    assert response.status_code == 200
    assert "Onjuist e-mailadres of wachtwoord." in response.text
    assert "_auth_user_id" not in client.session


def test_a_blocked_parent_is_logged_out_at_the_next_request(client, world):
    post_login(client, "accounts:parent_login", "petra@example.nl")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    from schools.services import parent_set_blocked

    parent_set_blocked(parent=world.petra, blocked=True)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_blocked_parent_loses_every_open_session(client, world):
    from django.test import Client

    from schools.services import parent_set_blocked

    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        post_login(c, "accounts:parent_login", "petra@example.nl")
        assert c.get(reverse("portal:dashboard")).status_code == 200
    parent_set_blocked(parent=world.petra, blocked=True)
    for c in (phone, laptop):
        assert c.get(reverse("portal:dashboard")).status_code == 302


def test_passwords_are_hashed_with_argon2(world):
    world.petra.user.refresh_from_db()
    assert world.petra.user.password.startswith("argon2")


def test_logout_needs_a_post_and_ends_the_session(client, world):
    post_login(client, "accounts:parent_login", "petra@example.nl")
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def _link_from_last_mail() -> str:
    return re.search(r"http://\S+/wachtwoord-instellen/\S+/", mail.outbox[-1].body).group(0)


def test_password_forgot_sends_a_single_use_link(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_forgot"), {"email": "petra@example.nl"})
    assert "Als dit e-mailadres bij ons bekend is" in response.text
    assert mail.outbox[-1].to == ["petra@example.nl"]
    path = _link_from_last_mail().split("8000", 1)[-1].replace("http://testserver", "")
    path = path[path.index("/wachtwoord-instellen/") :]
    new = "a-brand-new-passphrase"
    response = client.post(path, {"password1": new, "password2": new})
    assert response.status_code == 302
    world.petra.user.refresh_from_db()
    assert world.petra.user.check_password(new)
    client.logout()
    again = client.post(
        path, {"password1": "another-passphrase", "password2": "another-passphrase"}
    )
    assert again.status_code == 400
    assert "Deze link werkt niet meer" in again.text


def test_password_forgot_does_not_tell_whether_an_address_exists(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_forgot"), {"email": "petra@example.nl"})
        unknown = client.post(reverse("accounts:password_forgot"), {"email": "x@example.nl"})

    def normalise(text):
        return re.sub(r'(nonce|value)="[^"]*"', "", text)

    assert normalise(known.text) == normalise(unknown.text)
    assert len(mail.outbox) == 1


def test_password_links_expire_after_the_configured_hours(client, world, settings, monkeypatch):
    from accounts.mail import password_link

    assert settings.PASSWORD_RESET_TIMEOUT <= 24 * 3600
    link = password_link(world.petra.user)
    path = link[link.index("/wachtwoord-instellen/") :]
    import django.contrib.auth.tokens as tokens

    real_now = tokens.PasswordResetTokenGenerator._now
    monkeypatch.setattr(
        tokens.PasswordResetTokenGenerator,
        "_now",
        lambda self: real_now(self).__class__.fromtimestamp(
            real_now(self).timestamp() + settings.PASSWORD_RESET_TIMEOUT + 60
        ),
    )
    assert client.get(path).status_code == 400


def test_the_beheerder_invites_all_parents_of_a_group(
    client, world, login, make_parent, django_capture_on_commit_callbacks
):
    fresh = make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    make_parent(world.school, "", pupils=[world.lotte], with_login=False, first_name="Zonder")
    make_parent(
        world.school, "geblokt@example.nl", pupils=[world.lotte], with_login=False, is_blocked=True
    )
    login(world.bea)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitations"), {"target": str(world.g4.public_id)})
    # Quinten already linked his login: only those without one are invited.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["fresh@example.nl"]
    fresh.refresh_from_db()
    assert fresh.user is None  # nothing links until the person accepts
    invitation = next(m for m in mail.outbox if m.to == ["fresh@example.nl"])
    assert "De Linde" in invitation.subject
    assert "De Linde via OCS" in invitation.from_email


def test_an_invited_parent_sets_a_password_and_reaches_the_portal(
    client, world, login, make_parent, django_capture_on_commit_callbacks
):
    make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    login(world.bea)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitations"), {"target": "pending"})
    client.logout()
    link = re.search(r"http://\S+/uitnodiging/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/uitnodiging/") :]
    response = client.post(
        path, {"password1": "mijn-eigen-wachtwoord", "password2": "mijn-eigen-wachtwoord"}
    )
    assert response["Location"] == reverse("portal:dashboard")
    assert "Lotte Jansen" in client.get(reverse("portal:dashboard")).text


def test_only_the_beheerder_may_send_invitations(client, world, login):
    for persona in (world.anna, world.dirk):
        login(persona)
        assert (
            client.post(reverse("accounts:invitations"), {"target": "pending"}).status_code == 403
        )
    login(world.petra)
    assert client.get(reverse("accounts:invitations")).status_code == 403


def test_inviting_a_whole_group_enqueues_one_delivery_run(
    client, world, login, make_parent, database_queue
):
    from django_tasks_db.models import DBTaskResult

    from mailings.models import OutgoingMessage

    for i in range(5):
        make_parent(world.school, f"nieuw{i}@example.nl", pupils=[world.lotte], with_login=False)
    login(world.bea)
    client.post(reverse("accounts:invitations"), {"target": str(world.g4.public_id)})
    assert OutgoingMessage.objects.filter(email__startswith="nieuw").count() == 5
    # The database queue: the run is a row written in the same transaction as the messages.
    runs = DBTaskResult.objects.filter(task_path="mailings.tasks.deliver_outbox")
    assert runs.count() == 1


def test_a_beheerder_sending_invitations_over_and_over_is_stopped_per_school(
    client, world, login, make_parent
):
    """At most 20 invitation rounds an hour per school (throttle/limits.py INVITE_PER_SCHOOL):
    after that nobody new is invited until the hour is over, with a Dutch answer."""
    from mailings.models import OutgoingMessage

    login(world.bea)
    for _ in range(20):
        client.post(reverse("accounts:invitations"), {"target": "pending"})
    make_parent(world.school, "laat@example.nl", pupils=[world.lotte], with_login=False)
    refused = client.post(reverse("accounts:invitations"), {"target": "pending"}, follow=True)
    assert "te vaak" in refused.text
    assert not OutgoingMessage.objects.filter(email="laat@example.nl").exists()
