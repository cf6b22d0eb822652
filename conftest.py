"""Shared fixtures: a small school with named personas, and a second school next door.

Personas (school "De Linde", groups "Groep 3" and "Groep 4"):
- anna: teacher of Groep 3, may edit parents
- bram: teacher of Groep 4, read-only
- dirk: directie; bea: beheerder
- petra: parent of Sam (Groep 3); quinten: parent of Sam and of Lotte (Groep 4)
- olaf: teacher at the other school "De Eik"
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_staff(db):
    from accounts.models import User
    from schools.models import StaffMember

    def make(school, email, role="leerkracht", groups=(), can_edit_parents=False, **kw):
        user = User.objects.create_user(email, PASSWORD)
        member = StaffMember.objects.create(
            school=school,
            user=user,
            email=email,
            first_name=kw.pop("first_name", email.split("@")[0].capitalize()),
            last_name=kw.pop("last_name", "Docent"),
            role=role,
            can_edit_parents=can_edit_parents,
            **kw,
        )
        member.groups.set(groups)
        return member

    return make


@pytest.fixture
def make_parent(db):
    from accounts.models import User
    from schools.models import Guardianship, Parent

    def make(school, email, pupils=(), with_login=True, **kw):
        user = User.objects.create_user(email, PASSWORD) if with_login and email else None
        parent = Parent.objects.create(
            school=school,
            user=user,
            email=email,
            first_name=kw.pop("first_name", email.split("@")[0].capitalize() if email else "X"),
            last_name=kw.pop("last_name", "Ouder"),
            **kw,
        )
        for pupil in pupils:
            Guardianship.objects.create(parent=parent, pupil=pupil)
        return parent

    return make


@pytest.fixture
def world(db, make_staff, make_parent):
    """The personas above, as attributes of one object."""
    from types import SimpleNamespace

    from schools.models import Group, Pupil, School

    w = SimpleNamespace()
    w.school = School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")
    w.other_school = School.objects.create(name="De Eik", slug="de-eik", from_email="info@eik.test")
    w.g3 = Group.objects.create(school=w.school, name="Groep 3")
    w.g4 = Group.objects.create(school=w.school, name="Groep 4")
    w.other_group = Group.objects.create(school=w.other_school, name="Groep 3")
    w.sam = Pupil.objects.create(
        school=w.school, number="1001", first_name="Sam", last_name="Jansen", group=w.g3
    )
    w.lotte = Pupil.objects.create(
        school=w.school, number="1002", first_name="Lotte", last_name="Jansen", group=w.g4
    )
    w.eik_kid = Pupil.objects.create(
        school=w.other_school,
        number="2001",
        first_name="Ezra",
        last_name="Eik",
        group=w.other_group,
    )
    w.anna = make_staff(w.school, "anna@linde.test", groups=[w.g3], can_edit_parents=True)
    w.bram = make_staff(w.school, "bram@linde.test", groups=[w.g4])
    w.dirk = make_staff(w.school, "dirk@linde.test", role="directie")
    w.bea = make_staff(w.school, "bea@linde.test", role="beheerder", can_edit_parents=True)
    w.olaf = make_staff(
        w.other_school,
        "olaf@eik.test",
        role="beheerder",
        groups=[w.other_group],
        can_edit_parents=True,
    )
    w.petra = make_parent(
        w.school, "petra@example.nl", pupils=[w.sam], first_name="Petra", last_name="Jansen"
    )
    w.quinten = make_parent(
        w.school,
        "quinten@example.nl",
        pupils=[w.sam, w.lotte],
        first_name="Quinten",
        last_name="Jansen",
    )
    w.eik_parent = make_parent(w.other_school, "eva@example.nl", pupils=[w.eik_kid])
    return w


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (tasks), then a delivery run; return the sent mail."""

    class Capture:
        def __enter__(self):
            from django.core import mail

            mail.outbox.clear()
            self._inner = django_capture_on_commit_callbacks(execute=True)
            self._inner.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            from mailings.delivery import outbox_deliver

            result = self._inner.__exit__(*exc)
            outbox_deliver()  # the worker's run: everything due leaves now
            return result

    return Capture()


@pytest.fixture
def login(client):
    """Log a persona (StaffMember or Parent) in on the test client, bypassing the form."""

    def do(person):
        client.force_login(person.user, backend="accounts.backends.EmailBackend")
        return client

    return do


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Dutch browser in the Netherlands, as the schools' users have.
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def database_queue(settings):
    """Tasks go to the database queue (as in production) instead of running at once."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
    }
