"""The security baseline (issue: lockout, sessions, second factor, headers)."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_RENEW_SECONDS, SESSION_SEEN_KEY, SESSION_STARTED_KEY
from conftest import PASSWORD


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:staff_login"),
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
    )


# 1. Login abuse -------------------------------------------------------------------------


def test_an_account_is_locked_after_repeated_failures_from_one_address(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "anna@linde.test", "wrong")
    locked = attempt(client, "anna@linde.test", PASSWORD)
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.text
    assert "_auth_user_id" not in client.session


def test_one_locked_account_does_not_lock_out_others_behind_the_same_address(world, settings):
    shared_nat = "10.0.0.1"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "anna@linde.test", "wrong", ip=shared_nat)
    colleague = attempt(Client(), "bram@linde.test", PASSWORD, ip=shared_nat)
    assert colleague.status_code == 302
    from_home = attempt(Client(), "anna@linde.test", PASSWORD, ip="192.0.2.7")
    assert from_home.status_code == 302


def test_the_cool_off_ends_by_itself(world, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "anna@linde.test", "wrong")
    assert attempt(Client(), "anna@linde.test", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert attempt(Client(), "anna@linde.test", PASSWORD).status_code == 302


def test_a_locked_unknown_address_looks_like_a_locked_real_one(world, settings):
    """The lockout answer does not reveal whether the account exists."""
    for email in ("anna@linde.test", "nobody@linde.test"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(Client(), email, "wrong")
    real = attempt(Client(), "anna@linde.test", "wrong")
    fake = attempt(Client(), "nobody@linde.test", "wrong")
    assert real.status_code == fake.status_code == 429


# 2. Sessions ----------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(client, world):
    attempt(client, "anna@linde.test", PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(world):
    laptop, phone = Client(), Client()
    attempt(laptop, "anna@linde.test", PASSWORD)
    attempt(phone, "anna@linde.test", PASSWORD)
    new = "een-heel-nieuw-wachtwoord"
    response = laptop.post(
        reverse("accounts:security"),
        {"old_password": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("schools:dashboard")).status_code == 200
    assert phone.get(reverse("schools:dashboard")).status_code == 302


def test_a_wrong_current_password_changes_nothing(client, world, login):
    login(world.anna)
    response = client.post(
        reverse("accounts:security"),
        {"old_password": "nope", "password1": "x-y-z-123456", "password2": "x-y-z-123456"},
    )
    assert "Uw huidige wachtwoord klopt niet." in response.text
    world.anna.user.refresh_from_db()
    assert world.anna.user.check_password(PASSWORD)


def test_deactivating_a_staff_member_ends_their_sessions(client, world):
    """A staff export without Bram deactivates him; his open session ends at once."""
    from schools.importer import import_apply

    attempt(client, "bram@linde.test", PASSWORD)
    assert client.get(reverse("schools:dashboard")).status_code == 200
    pupils = "Leerlingnummer;Roepnaam;Achternaam;Groep\n1001;Sam;Jansen;Groep 3\n"
    staff = (
        "Voornaam;Tussenvoegsel;Achternaam;E-mail;Rol;Groepen;Mag ouders wijzigen\n"
        "Anna;;Docent;anna@linde.test;leerkracht;Groep 3;ja\n"
    )
    import_apply(
        school=world.school, pupils_csv=pupils, staff_csv=staff, actor_email="bea@linde.test"
    )
    world.bram.refresh_from_db()
    assert not world.bram.is_active
    assert client.get(reverse("schools:dashboard")).status_code == 302


def test_a_session_ends_after_the_absolute_time_out_however_active(client, world, settings):
    attempt(client, "anna@linde.test", PASSWORD)
    assert client.get(reverse("schools:dashboard")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.OCS_SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    assert client.get(reverse("schools:dashboard")).status_code == 302


def test_the_idle_time_out_is_renewed_at_most_once_a_minute(client, world, settings):

    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 2 * 3600
    attempt(client, "anna@linde.test", PASSWORD)
    client.get(reverse("schools:dashboard"))
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date

    # A page a few seconds later: nothing written, no new cookie.
    response = client.get(reverse("schools:dashboard"))
    assert "sessionid" not in response.cookies
    assert Session.objects.get(session_key=key).expire_date == before

    # More than a minute after the last renewal: the session and its cookie are renewed.
    session = client.session
    session[SESSION_SEEN_KEY] = int(time.time()) - SESSION_RENEW_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=before - timedelta(minutes=5))
    response = client.get(reverse("schools:dashboard"))
    assert response.status_code == 200
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert Session.objects.get(session_key=key).expire_date >= before


def test_an_idle_session_ends_after_the_idle_time_out(client, world):

    attempt(client, "anna@linde.test", PASSWORD)
    assert client.get(reverse("schools:dashboard")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(reverse("schools:dashboard")).status_code == 302


def test_production_settings_make_cookies_secure_and_send_hsts():
    code = (
        "import os; os.environ.pop('OCS_DEBUG', None); os.environ.pop('OCS_SECURE', None); "
        "os.environ['SECRET_KEY'] = 'x' * 50; import ocs.settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True", "True", "Lax"]


def test_settings_refuse_to_start_without_a_secret_key_outside_debug():
    code = (
        "import os; os.environ.pop('OCS_DEBUG', None); os.environ.pop('SECRET_KEY', None); "
        "import ocs.settings"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


# 3. Staff second factor -----------------------------------------------------------------


def make_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="OCS", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_staff_with_a_second_factor_must_enter_a_code_after_the_password(client, world):
    device = make_device(world.anna.user)
    attempt(client, "anna@linde.test", PASSWORD)
    response = client.get(reverse("schools:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    wrong = client.post(reverse("accounts:otp_verify"), {"token": "000000", "next": "/leerkracht/"})
    assert "Deze code klopt niet" in wrong.text
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(
        reverse("accounts:otp_verify"), {"token": current_code(device), "next": "/leerkracht/"}
    )
    assert ok["Location"] == "/leerkracht/"
    assert client.get(reverse("schools:dashboard")).status_code == 200


def test_a_session_that_passed_a_device_since_replaced_must_pass_the_new_one(client, world):
    """Staff pages read the second-factor state in their access query (schools/access.py);
    the session's device must still exist and be the login's own, not just be named."""
    old = make_device(world.anna.user)
    attempt(client, "anna@linde.test", PASSWORD)
    client.post(reverse("accounts:otp_verify"), {"token": current_code(old), "next": "/"})
    assert client.get(reverse("schools:dashboard")).status_code == 200
    old.delete()
    make_device(world.anna.user)  # e.g. set up again from another session
    response = client.get(reverse("schools:dashboard"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_a_session_naming_another_logins_device_is_not_verified(client, world):
    make_device(world.anna.user)
    foreign = make_device(world.bram.user)
    attempt(client, "anna@linde.test", PASSWORD)
    session = client.session
    session["otp_device_id"] = foreign.persistent_id
    session.save()
    response = client.get(reverse("schools:dashboard"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_the_verify_page_does_not_redirect_to_other_sites(client, world):
    device = make_device(world.anna.user)
    attempt(client, "anna@linde.test", PASSWORD)
    ok = client.post(
        reverse("accounts:otp_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert ok["Location"] == "/leerkracht/"


def test_the_beheerder_can_require_a_second_factor_for_all_staff(client, world, login):
    login(world.bea)
    client.post(reverse("accounts:school_require_2fa"), {"require": "1"})
    world.school.refresh_from_db()
    assert world.school.require_staff_2fa
    teacher = Client()
    attempt(teacher, "bram@linde.test", PASSWORD)
    response = teacher.get(reverse("schools:dashboard"))
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    setup = teacher.get(response["Location"])
    assert 'src="data:image/svg+xml' in setup.text
    device = TOTPDevice.objects.get(user=world.bram.user, confirmed=False)
    done = teacher.post(response["Location"], {"token": current_code(device)})
    assert "Herstelcodes" in done.text  # shown once, then the way on
    assert teacher.get(reverse("schools:dashboard")).status_code == 200


def test_a_teacher_cannot_require_a_second_factor_for_the_school(client, world, login):
    login(world.anna)
    assert client.post(reverse("accounts:school_require_2fa"), {"require": "1"}).status_code == 403


def test_parents_are_not_asked_for_a_second_factor(client, world, login):
    login(world.petra)
    assert client.get(reverse("portal:dashboard")).status_code == 200


# 4. Headers -----------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_safety_headers(client, world, login):
    login(world.anna)
    response = client.get(reverse("schools:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin at all
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_every_script_and_stylesheet_comes_from_ocs_itself(client, world, login):
    import re

    login(world.anna)
    html = client.get(reverse("schools:dashboard")).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    external = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert external == []
    page = client.get(reverse("schools:dashboard"))
    page_nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts and all(f'nonce="{page_nonce}"' in s for s in scripts)


@pytest.mark.parametrize("path", ["/static/css/ocs.css", "/static/js/htmx-2.0.11.min.js"])
def test_assets_are_served_locally(client, path):
    assert client.get(path).status_code == 200
