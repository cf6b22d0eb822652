import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record


def test_the_directie_reads_and_filters_the_schools_log(client, world, login):
    audit_record(request=None, action="view", obj=world.petra)
    audit_record(request=None, action="block", obj=world.quinten)
    audit_record(request=None, action="view", obj=world.eik_parent)  # another school
    login(world.dirk)
    page = client.get(reverse("audit:log"))
    assert page.text.count("<tr><td>") == 3  # and the directie's own login
    filtered = client.get(reverse("audit:log"), {"action": "block"})
    assert filtered.text.count("<tr><td>") == 1
    assert "OCS heeft Quinten Jansen geblokkeerd." in filtered.text
    assert "Petra Jansen" not in filtered.text


def test_teachers_and_parents_cannot_read_the_log(client, world, login):
    for persona in (world.anna, world.petra):
        login(persona)
        assert client.get(reverse("audit:log")).status_code == 403


def test_the_log_is_append_only(world):
    event = audit_record(request=None, action="view", obj=world.petra)
    event.action = "delete"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")


@pytest.mark.parametrize("key", ["password", "token", "body"])
def test_the_log_refuses_secrets_and_message_bodies(world, key):
    with pytest.raises(ValueError):
        audit_record(request=None, action="edit", obj=world.petra, **{key: "geheim"})


def test_entries_record_who_did_it_and_from_which_address(rf, world):
    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    request.user = world.anna.user
    request.staff = world.anna
    event = audit_record(request=request, action="download", obj=world.g3)
    assert event.actor == world.anna.user
    assert event.ip_address == "192.0.2.44"
    assert event.school == world.school
    assert "Anna" in event.actor_label


def test_a_confirmed_import_is_in_the_log_with_its_counts(client, world, login):
    """schools announces the import (schools.signals.import_applied); audit records it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(world.bea)
    export = b"Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Groep\n9;Nina;;Smit;Groep 7\n"
    upload = SimpleUploadedFile("leerlingen.csv", export)
    preview = client.post(reverse("schools:import_upload"), {"pupils_file": upload})["Location"]
    assert not AuditEvent.objects.filter(action="import").exists()
    client.post(preview)
    event = AuditEvent.objects.get(action="import")
    assert event.school == world.school
    assert event.actor == world.bea.user
    assert event.object_type == "importbatch" and event.detail
