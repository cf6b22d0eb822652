"""`manage.py reset_second_factor EMAIL`: the operator resets the second factor of a staff
login with roles at several schools (which no school's beheerder may do)."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodeDevice
from audit.models import AuditEvent
from schools.models import StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_at_two_schools(world):
    """Anna teaches at De Linde and also at De Eik, one login, with an authenticator."""
    StaffMember.objects.create(
        school=world.other_school,
        user=world.anna.user,
        email="anna@linde.test",
        first_name="Anna",
        last_name="Docent",
        role="leerkracht",
    )
    TOTPDevice.objects.create(user=world.anna.user, name="OCS", confirmed=True)
    RecoveryCodeDevice.objects.create(user=world.anna.user, name="herstelcodes", confirmed=True)
    return world.anna.user


def test_the_beheerder_may_not_but_the_operator_may(world, login, anna_at_two_schools, sent):
    from io import StringIO

    response = login(world.bea).post(f"/beheer/tweestapsverificatie/{world.anna.pk}/reset/")
    assert TOTPDevice.objects.filter(user=anna_at_two_schools).exists(), response.status_code

    out = StringIO()
    with sent as outbox:
        call_command("reset_second_factor", "ANNA@linde.test", stdout=out)
    assert not TOTPDevice.objects.filter(user=anna_at_two_schools).exists()
    assert not RecoveryCodeDevice.objects.filter(user=anna_at_two_schools).exists()
    # Told by mail, once, without a school's beheerder named.
    [mail] = [m for m in outbox if m.to == ["anna@linde.test"]]
    assert "De beheerder van OCS heeft de tweestapsverificatie" in mail.body
    # In the Logboek of both schools where she has a role, and no other.
    schools = set(
        AuditEvent.objects.filter(action="2fa_reset").values_list("school__name", flat=True)
    )
    assert schools == {"De Linde", "De Eik"}
    assert "De Linde" in out.getvalue() and "De Eik" in out.getvalue()


def test_her_sessions_end(world, client, anna_at_two_schools):
    client.force_login(anna_at_two_schools, backend="accounts.backends.EmailBackend")
    call_command("reset_second_factor", "anna@linde.test")
    response = client.get("/account/beveiliging/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_addresses_parents_and_logins_without_a_factor(world):
    from io import StringIO

    with pytest.raises(CommandError, match="geen account"):
        call_command("reset_second_factor", "niemand@example.nl")
    with pytest.raises(CommandError, match="geen medewerker"):
        call_command("reset_second_factor", "petra@example.nl")
    out = StringIO()
    call_command("reset_second_factor", "bram@linde.test", stdout=out)
    assert "niets gewijzigd" in out.getvalue()
    assert not AuditEvent.objects.filter(action="2fa_reset").exists()
