"""Seed a migrated rush database: one school, one group of parents with ready sessions, a
published conference round with few times and a special group with three places. Run as
`python -m ocs.tests.sqlite_rush_seed N` with the rush settings; prints JSON."""

import json
import sys
import time
from datetime import time as clock
from datetime import timedelta


def seed(families: int) -> dict:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.middleware import SESSION_STARTED_KEY
    from accounts.models import User
    from conferences.services import RoundSettings, round_create, round_publish
    from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember
    from specialgroups.services import special_group_create

    school = School.objects.create(name="Rush", slug="rush", from_email="info@rush.test")
    group = Group.objects.create(school=school, name="Groep 5")
    teacher = StaffMember.objects.create(
        school=school,
        user=User.objects.create_user("juf@rush.test"),
        first_name="Juf",
        last_name="Rush",
    )
    teacher.groups.add(group)
    parents = []
    for i in range(families):
        pupil = Pupil.objects.create(
            school=school, number=str(i), first_name=f"Kind{i}", last_name="R", group=group
        )
        user = User.objects.create_user(f"ouder{i}@rush.test")
        parent = Parent.objects.create(
            school=school, user=user, email=user.email, first_name=f"Ouder{i}", last_name="R"
        )
        Guardianship.objects.create(parent=parent, pupil=pupil)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_STARTED_KEY] = int(time.time())
        session.create()
        parents.append({"session": session.session_key, "pupil": str(pupil.public_id)})
    plan = RoundSettings(
        group=group,
        total=families // 3,
        duration_minutes=10,
        per_block=families,
        break_minutes=0,
        start_date=timezone.localdate() + timedelta(days=7),
        start_time=clock(8, 0),
        end_time=clock(20, 0),
    )
    conference = round_create(staff=teacher, plan=plan)
    round_publish(conference=conference)
    special = special_group_create(
        school=school,
        created_by=None,
        name="Luizenmoeders",
        has_activity=True,
        max_participants=3,
        signup_deadline=timezone.localdate(),
        eligible_groups=[group],
    )
    return {
        "parents": parents,
        "round": str(conference.public_id),
        "slots": list(conference.slots.values_list("pk", flat=True)),
        "special": str(special.public_id),
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(seed(int(sys.argv[1]))))
