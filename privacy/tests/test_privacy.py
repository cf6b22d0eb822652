import json

from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from privacy.services import parent_erase, parent_export, retention_run
from schools.models import Parent, Pupil


def rows_mentioning(*needles: str) -> list[str]:
    """Every table and column that still holds one of the strings (the AVG check)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            for column in description:
                quoted_table = connection.ops.quote_name(table)
                quoted_col = connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - names from introspection
                        f"WHERE CAST({quoted_col} AS TEXT) LIKE %s",
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column.name}")
    return found


def test_the_export_holds_the_parents_data_children_and_account(world):
    world.petra.phone = "06-11112222"
    world.petra.save()
    document = parent_export(parent=world.petra)
    assert document["ouder"]["e-mail"] == "petra@example.nl"
    assert document["ouder"]["telefoon"] == "06-11112222"
    assert document["kinderen"] == [
        {"leerlingnummer": "1001", "naam": "Sam Jansen", "groep": "Groep 3", "relatie": "verzorger"}
    ]
    # The login is Petra's own (it may serve other schools): the school's export only says
    # that this record is linked to one.
    assert document["account"] == {"gekoppeld_aan_een_account": True}
    json.dumps(document)  # machine-readable as one JSON file


def test_the_beheerder_downloads_the_export_as_json_and_it_is_audited(client, world, login):
    login(world.bea)
    response = client.get(reverse("privacy:export", args=[world.petra.public_id]))
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["ouder"]["voornaam"] == "Petra"
    assert AuditEvent.objects.filter(action="export", object_id=str(world.petra.pk)).exists()


def test_erasing_leaves_no_personal_data_in_any_table(world):
    petra_id = world.petra.pk
    world.petra.phone = "06-99887766"
    world.petra.street = "Unieke Straatnaam"
    world.petra.save()
    parent_erase(parent=world.petra)
    assert rows_mentioning("petra@example.nl", "06-99887766", "Unieke Straatnaam") == []
    # Sam stays, with his other parent.
    sam = Pupil.objects.get(pk=world.sam.pk)
    assert list(sam.parents.all()) == [world.quinten]
    entry = AuditEvent.objects.get(action="erase")
    assert entry.object_id == str(petra_id)
    assert entry.detail == {"pupil_ids": [world.sam.pk]}


def test_only_the_beheerder_handles_avg_requests(client, world, login):
    for persona, status in ((world.anna, 403), (world.dirk, 403), (world.petra, 403)):
        login(persona)
        assert client.get(reverse("privacy:requests")).status_code == status
    login(world.olaf)  # beheerder of another school
    assert client.get(reverse("privacy:export", args=[world.petra.public_id])).status_code == 404
    assert client.post(reverse("privacy:erase", args=[world.petra.public_id])).status_code == 404
    assert Parent.objects.filter(pk=world.petra.pk).exists()


def test_the_beheerder_erases_a_parent_after_confirming(client, world, login):
    login(world.bea)
    page = client.get(reverse("privacy:erase", args=[world.petra.public_id]))
    assert "Definitief wissen" in page.text
    assert Parent.objects.filter(pk=world.petra.pk).exists()
    client.post(reverse("privacy:erase", args=[world.petra.public_id]))
    assert not Parent.objects.filter(pk=world.petra.pk).exists()


def test_retention_removes_pupils_and_parents_who_left_long_ago(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.localdate() - timedelta(days=settings.OCS_RETENTION_LEFT_DAYS + 1)
    Pupil.objects.filter(pk=world.lotte.pk).update(group=None, left_on=long_ago)
    Pupil.objects.filter(pk=world.sam.pk).update(group=None, left_on=timezone.localdate())
    report = retention_run(dry_run=True)
    assert report["pupils"] == 1 and report["parents"] == 0  # quinten still has Sam (recent)
    Pupil.objects.filter(pk=world.sam.pk).update(left_on=long_ago)
    report = retention_run()
    assert report["pupils"] == 2 and report["parents"] == 2
    assert not Parent.objects.filter(pk__in=[world.petra.pk, world.quinten.pk]).exists()
    assert Pupil.objects.filter(school=world.school).count() == 0


def test_retention_removes_old_audit_rows(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from audit.services import audit_record

    old = audit_record(request=None, action="view", obj=world.petra)
    AuditEvent.objects.filter(pk=old.pk).delete()  # queryset delete is the retention path
    recent = audit_record(request=None, action="view", obj=world.petra)
    cutoff = timezone.now() - timedelta(days=settings.OCS_RETENTION_AUDIT_DAYS + 1)
    stale = audit_record(request=None, action="view", obj=world.petra)
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET created_at = %s WHERE id = %s",  # noqa: S608
            [cutoff, stale.pk],
        )
    report = retention_run()
    assert report["audit"] == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_export_holds_sign_ups_and_conference_bookings(world):
    from datetime import time, timedelta

    from django.utils import timezone

    from conferences.models import ConferenceRound, Slot
    from specialgroups.models import Signup, SpecialGroup

    reading = SpecialGroup.objects.create(school=world.school, name="Voorleesouders")
    Signup.objects.create(special_group=reading, parent=world.petra)
    day = timezone.localdate() + timedelta(days=7)
    conference = ConferenceRound.objects.create(
        school=world.school,
        group=world.g3,
        teacher=world.anna,
        name="Oudergesprekken Groep 3",
        total=1,
        duration_minutes=10,
        per_block=5,
        break_minutes=5,
        start_date=day,
        start_time=time(15),
        end_time=time(16),
        closes_at=timezone.now() + timedelta(days=6),
    )
    start = timezone.make_aware(timezone.datetime.combine(day, time(15)))
    Slot.objects.create(
        round=conference,
        starts_at=start,
        ends_at=start + timedelta(minutes=10),
        pupil=world.sam,
        booked_by=world.quinten,
    )
    document = parent_export(parent=world.petra)
    assert [s["speciale_groep"] for s in document["inschrijvingen"]] == ["Voorleesouders"]
    [talk] = document["oudergesprekken"]
    assert talk["kind"] == "Sam Jansen" and talk["door_mij_gepland"] is False


def test_erasing_removes_mail_received_and_mentions_in_other_mailings(world, make_parent):
    from mailings.models import Mailing, OutgoingMessage
    from mailings.tests.helpers import pdf, send_to_group

    send_to_group(world.anna, world.g3, subject="Schoolreis", body="Beste ouders,", files=[pdf()])
    blocked = make_parent(
        world.school,
        "geblokkeerd@example.nl",
        pupils=[world.sam],
        first_name="Bartholomeus",
        is_blocked=True,
    )
    send_to_group(world.anna, world.g3, subject="Luizencontrole", body="Beste ouders,")
    export = parent_export(parent=world.petra)
    assert [m["onderwerp"] for m in export["berichten"]] == ["Schoolreis", "Luizencontrole"]
    assert export["berichten"][0]["bijlagen"] == ["Uitnodiging schoolreis.pdf"]
    parent_erase(parent=world.petra)
    parent_erase(parent=blocked)
    assert rows_mentioning("petra@example.nl", "Bartholomeus", "geblokkeerd@example.nl") == []
    assert OutgoingMessage.objects.filter(email="quinten@example.nl").count() == 2
    assert Mailing.objects.count() == 2


def test_retention_removes_old_mailings_with_their_attachment_files(world, settings):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from mailings.models import Mailing, MailingAttachment
    from mailings.tests.helpers import pdf, send_to_group

    old = send_to_group(world.anna, world.g3, subject="Oud", body="...", files=[pdf()])
    new = send_to_group(world.anna, world.g3, subject="Nieuw", body="...")
    path = MailingAttachment.objects.get(mailing=old).file.name
    assert default_storage.exists(path)
    long_ago = timezone.now() - timedelta(days=settings.OCS_RETENTION_MAIL_DAYS + 1)
    Mailing.objects.filter(pk=old.pk).update(created_at=long_ago)
    report = retention_run()
    assert report["berichten"] == 1
    assert list(Mailing.objects.all()) == [new]
    assert not default_storage.exists(path)


def test_retention_removes_uploaded_exports_left_unconfirmed(world):
    from datetime import timedelta

    from django.utils import timezone

    from schools.models import ImportBatch

    abandoned = ImportBatch.objects.create(school=world.school, pupils_csv="Leerlingnummer;...")
    fresh = ImportBatch.objects.create(school=world.school, pupils_csv="Leerlingnummer;...")
    ImportBatch.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert retention_run()["imports"] == 1
    assert list(ImportBatch.objects.all()) == [fresh]


def test_retention_keeps_an_applied_import_as_long_as_it_can_be_undone(world):
    from datetime import timedelta

    from django.utils import timezone

    from schools.importer import import_apply
    from schools.models import ImportBatch, ImportChange, ParentTombstone
    from schools.tests.test_import import csv, row

    import_apply(school=world.school, pupils_csv=csv(row("77", "Nina", "Groep 7")))
    assert retention_run()["imports"] == 0
    assert ImportChange.objects.exists()
    ImportBatch.objects.update(applied_at=timezone.now() - timedelta(days=15))
    assert retention_run()["imports"] == 1
    assert not ImportChange.objects.exists()
    # A deleted parent is remembered while exports still mention them, then forgotten.
    ParentTombstone.objects.create(
        school=world.school, digests=["x"], reason="verwijderd", last_seen_on=timezone.localdate()
    )
    assert retention_run()["tombstones"] == 0
    ParentTombstone.objects.update(last_seen_on=timezone.localdate() - timedelta(days=400))
    assert retention_run()["tombstones"] == 1
