"""`manage.py import_school` announces its import like the web import does, inside the same
transaction: a restricted guardian the export still lists stays unlinked, and the Logboek
records the import."""

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from families.restrictions import restriction_add
from schools.models import Guardianship
from schools.tests.test_import import csv, row

pytestmark = pytest.mark.django_db

PETRA = ("moeder", "Petra", "", "Jansen", "petra@example.nl")
QUINTEN = ("vader", "Quinten", "", "Jansen", "quinten@example.nl")


@pytest.fixture
def export(tmp_path, world):
    path = tmp_path / "leerlingen.csv"
    rows = [
        row("1001", "Sam", "Groep 3", p1=PETRA, p2=QUINTEN, last="Jansen"),
        row("1002", "Lotte", "Groep 4", p1=QUINTEN, last="Jansen"),
    ]
    path.write_text(csv(*rows), encoding="utf-8")
    return path


def test_the_command_keeps_a_restricted_guardian_unlinked(world, export):
    restriction_add(
        parent=world.quinten, pupil=world.sam, reason="Rechter", staff=world.dirk, request=None
    )
    call_command("import_school", "de-linde", str(export))
    assert not Guardianship.objects.filter(parent=world.quinten, pupil=world.sam).exists()
    assert Guardianship.objects.filter(parent=world.quinten, pupil=world.lotte).exists()
    assert Guardianship.objects.filter(parent=world.petra, pupil=world.sam).exists()
    assert AuditEvent.objects.filter(action="import", school=world.school).count() == 1


def test_a_dry_run_announces_nothing(world, export):
    call_command("import_school", "de-linde", str(export), dry_run=True)
    assert not AuditEvent.objects.filter(action="import").exists()
