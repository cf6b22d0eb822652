"""Mijn gegevens: a parent corrects their own contact details, at once or after approval."""

import pytest

from audit.models import AuditEvent
from families.models import DetailChange
from families.services import details_submit, family_policy_update
from schools.models import Parent

pytestmark = pytest.mark.django_db

URL = "/portaal/mijn-gegevens/"


def form_data(parent: Parent, **changes) -> dict:
    data = {f: getattr(parent, f) for f in ("email", "phone", "street", "house_number", "postcode")}
    data["city"] = parent.city
    return data | changes


def test_the_parent_sees_their_own_and_their_childrens_details_at_the_current_school(world, login):
    Parent.objects.filter(pk=world.quinten.pk).update(phone="06-99998888", street="Lindelaan")
    page = login(world.quinten).get(URL).content.decode()
    assert "Sam Jansen" in page and "Groep 3" in page
    assert "Lotte Jansen" in page and "Groep 4" in page
    assert "06-99998888" in page and "Lindelaan" in page
    # Nothing of the co-parent or of the other school.
    assert "petra@example.nl" not in page and "Ezra" not in page


def test_without_approval_a_correction_applies_at_once_and_is_audited(world, login):
    client = login(world.petra)
    response = client.post(URL, form_data(world.petra, phone="06 1234 5678", postcode="1234ab"))
    assert response.status_code == 302
    petra = Parent.objects.get(pk=world.petra.pk)
    assert (petra.phone, petra.postcode) == ("06 1234 5678", "1234 AB")
    change = DetailChange.objects.get(parent=petra)
    assert change.status == DetailChange.Status.APPLIED
    assert set(change.values) == {"phone", "postcode"}
    event = AuditEvent.objects.get(action="edit", object_id=str(petra.pk))
    assert event.actor == petra.user and event.detail["fields"] == ["phone", "postcode"]
    # The beheerder sees it as applied.
    page = login(world.bea).get("/beheer/wijzigingen/").content.decode()
    assert "06 1234 5678" in page and "verwerkt" in page


def test_bad_input_gets_a_dutch_message_and_changes_nothing(world, login):
    response = login(world.petra).post(URL, form_data(world.petra, postcode="12AB", phone="abc"))
    assert response.status_code == 200
    assert "Vul een postcode in als 1234 AB." in response.content.decode()
    assert not DetailChange.objects.exists()
    assert Parent.objects.get(pk=world.petra.pk).postcode == world.petra.postcode


def test_with_approval_the_change_waits_and_the_beheerder_approves_it(world, login, sent):
    family_policy_update(school=world.school, approve_changes=True, request=None)
    client = login(world.petra)
    client.post(URL, form_data(world.petra, street="Nieuwe Weg", house_number="7"))
    petra = Parent.objects.get(pk=world.petra.pk)
    assert petra.street != "Nieuwe Weg"
    change = DetailChange.objects.get(parent=petra, status=DetailChange.Status.PENDING)
    assert "Nieuwe Weg" in client.get(URL).content.decode()  # shown as waiting
    # A second correction replaces the waiting one.
    client.post(URL, form_data(world.petra, street="Nieuwe Weg", house_number="9"))
    [change] = DetailChange.objects.filter(parent=petra, status=DetailChange.Status.PENDING)
    assert change.values["house_number"]["new"] == "9"

    staff = login(world.bea)
    assert "Nieuwe Weg" in staff.get("/beheer/wijzigingen/").content.decode()
    staff.post(f"/beheer/wijzigingen/{change.public_id}/", {"decision": "approve"})
    petra.refresh_from_db()
    assert (petra.street, petra.house_number) == ("Nieuwe Weg", "9")
    change.refresh_from_db()
    assert change.status == DetailChange.Status.APPLIED and change.decided_by == world.bea
    assert AuditEvent.objects.filter(action="approve", object_id=str(petra.pk)).exists()
    # Deciding twice does nothing more.
    staff.post(f"/beheer/wijzigingen/{change.public_id}/", {"decision": "refuse"})
    change.refresh_from_db()
    assert change.status == DetailChange.Status.APPLIED


def test_a_refused_change_leaves_the_details_as_they_were(world, login):
    family_policy_update(school=world.school, approve_changes=True, request=None)
    login(world.petra).post(URL, form_data(world.petra, phone="0612345678"))
    change = DetailChange.objects.get(parent=world.petra)
    login(world.bea).post(f"/beheer/wijzigingen/{change.public_id}/", {"decision": "refuse"})
    assert Parent.objects.get(pk=world.petra.pk).phone == world.petra.phone
    change.refresh_from_db()
    assert change.status == DetailChange.Status.REFUSED
    assert AuditEvent.objects.filter(action="refuse", object_id=str(world.petra.pk)).exists()


def test_an_email_correction_tells_the_old_address_and_the_login_waits_for_confirmation(
    world, login, sent
):
    with sent as mails:
        login(world.petra).post(URL, form_data(world.petra, email="petra.nieuw@example.nl"))
    petra = Parent.objects.get(pk=world.petra.pk)
    assert petra.email == "petra.nieuw@example.nl"
    petra.user.refresh_from_db()
    assert petra.user.email == "petra@example.nl"  # the login moves only after confirming
    recipients = {address for m in mails for address in m.to}
    assert {"petra@example.nl", "petra.nieuw@example.nl"} <= recipients


def test_an_email_of_another_parent_is_refused(world, login):
    response = login(world.petra).post(URL, form_data(world.petra, email="QUINTEN@example.nl"))
    assert "Dit e-mailadres hoort al bij een andere ouder." in response.content.decode()
    assert Parent.objects.get(pk=world.petra.pk).email == "petra@example.nl"


def test_only_the_beheerder_of_the_school_sees_and_decides_changes(world, login, client):
    family_policy_update(school=world.school, approve_changes=True, request=None)
    change = details_submit(
        parent=world.petra, data=form_data(world.petra, phone="0612345678"), request=None
    )
    for persona in (world.anna, world.dirk, world.petra):
        client.force_login(persona.user, backend="accounts.backends.EmailBackend")
        assert client.get("/beheer/wijzigingen/").status_code == 403
    client.force_login(world.olaf.user, backend="accounts.backends.EmailBackend")
    assert "0612345678" not in client.get("/beheer/wijzigingen/").content.decode()
    url = f"/beheer/wijzigingen/{change.public_id}/"
    assert client.post(url, {"decision": "approve"}).status_code == 404
    change.refresh_from_db()
    assert change.status == DetailChange.Status.PENDING


def test_the_school_setting_is_the_beheerders_and_audited(world, login):
    login(world.bea).post("/beheer/wijzigingen/", {"approve_changes": "on"})
    assert world.school.family_policy.approve_changes is True
    assert AuditEvent.objects.filter(action="settings", school=world.school).exists()
    # The other school keeps its own default.
    login(world.eik_parent).post(URL, form_data(world.eik_parent, phone="0611112222"))
    assert Parent.objects.get(pk=world.eik_parent.pk).phone == "0611112222"
