import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def make_special_group(db):
    from specialgroups.services import special_group_create

    def make(school, name="Voorleesouders", *, creator=None, activity=False, **kw):
        if activity:
            kw.setdefault("signup_deadline", timezone.localdate() + datetime.timedelta(days=7))
            kw.setdefault("max_participants", 3)
            kw.setdefault("description", "Helpen bij de schoolreis")
        return special_group_create(
            school=school,
            created_by=creator.user if creator is not None else None,
            name=name,
            has_activity=activity,
            **kw,
        )

    return make


@pytest.fixture
def sg(world, make_special_group):
    """Special groups of De Linde: school-wide, Groep 4 only, and an activity for Groep 3
    created by anna (3 places)."""
    from types import SimpleNamespace

    s = SimpleNamespace()
    s.school_wide = make_special_group(world.school, "Voorleesouders", creator=world.dirk)
    s.g4_only = make_special_group(
        world.school, "Luizenouders 4", creator=world.bram, main_group=world.g4
    )
    s.trip = make_special_group(
        world.school,
        "Schoolreis",
        creator=world.anna,
        activity=True,
        eligible_groups=[world.g3],
    )
    s.other_school = make_special_group(world.other_school, "Eik-ouders", creator=world.olaf)
    return s
