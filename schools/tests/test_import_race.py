"""Two imports of one school confirmed at the same moment (two beheerders, or one double
click), on PostgreSQL with real threads and connections.

Each confirmation carries the state of the school's imports its preview was made from; the
import takes the school's row lock and then checks that state. So exactly one applies and the
other is told, in Dutch, that another import came first, with nothing written. Without the
check (the lock alone) both apply: the second overwrites the first with changes its
beheerder never saw in a preview."""

import threading

import pytest
from django.db import connections, transaction

from lib.testing import postgresql_only
from schools.importer import ImportStale, import_apply, import_state
from schools.models import ImportBatch, Pupil
from schools.tests.test_import import csv, row

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only()]

BASE = [
    row(str(n), f"Kind{n}", "Groep 3", p1=("moeder", f"M{n}", "", "Smit", f"m{n}@example.nl"))
    for n in range(1, 6)
]
# Beheerder A's export adds pupil 900; beheerder B's (an older file) does not have it.
WITH_NEW = csv(
    *BASE, row("900", "Nieuw", "Groep 3", p1=("vader", "V", "", "Nieuw", "v900@example.nl"))
)
OLD = csv(*BASE)


def confirm_both(world, files, *, checked: bool):
    """Both beheerders saw their preview before either confirmed; then both confirm."""
    state = import_state(world.school)
    batches = [ImportBatch.objects.create(school=world.school, pupils_csv=text) for text in files]
    barrier = threading.Barrier(len(files))
    applied, refused, errors = [], [], []
    lock = threading.Lock()

    def run(batch, text):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                import_apply(
                    school=world.school,
                    pupils_csv=text,
                    batch=batch,
                    expected_state=state if checked else None,
                )
            with lock:
                applied.append(text)
        except ImportStale as error:
            with lock:
                refused.append(error.problems)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(b, t)) for b, t in zip(batches, files, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return applied, refused


@pytest.fixture
def school_imported(world):
    import_apply(school=world.school, pupils_csv=OLD)
    return world


def test_two_beheerders_confirm_at_once_and_exactly_one_import_applies(school_imported):
    applied, refused = confirm_both(school_imported, [WITH_NEW, OLD], checked=True)
    assert len(applied) == 1 and len(refused) == 1
    [message] = refused[0]
    assert message.startswith("Intussen is een andere import van deze school verwerkt")
    assert ImportBatch.objects.filter(applied_at__isnull=False).count() == 2  # fixture + one
    # Whichever won, the school holds exactly what that one preview showed.
    has_new = Pupil.objects.filter(number="900", group__isnull=False).exists()
    assert has_new == (applied[0] == WITH_NEW)


def test_the_same_confirmation_twice_applies_once(school_imported):
    state = import_state(school_imported.school)
    batch = ImportBatch.objects.create(school=school_imported.school, pupils_csv=WITH_NEW)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                import_apply(
                    school=school_imported.school,
                    pupils_csv=WITH_NEW,
                    batch=batch,
                    expected_state=state,
                )
            outcomes.append("applied")
        except ImportStale:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied", "refused"]


def test_without_the_check_both_apply_and_the_second_undoes_the_first_unseen(school_imported):
    applied, refused = confirm_both(school_imported, [WITH_NEW, OLD], checked=False)
    assert len(applied) == 2 and refused == []
    assert ImportBatch.objects.filter(applied_at__isnull=False).count() == 3
