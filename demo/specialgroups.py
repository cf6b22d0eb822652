"""Special groups for the demo school: one of each kind. Idempotent: groups are found by
name, so a second run changes nothing (`manage.py load_demo` calls this)."""

import datetime

from django.utils import timezone

from schools.models import Group, School, StaffMember
from specialgroups.models import SpecialGroup
from specialgroups.services import special_group_create


def demo_special_groups_load(*, school: School) -> None:
    creator = (
        StaffMember.objects.filter(school=school, role=StaffMember.Role.DIRECTOR)
        .select_related("user")
        .first()
    )
    groups = {g.name: g for g in Group.objects.filter(school=school)}
    existing = set(SpecialGroup.objects.filter(school=school).values_list("name", flat=True))
    plans = [
        {"name": "Voorleesouders", "has_activity": False},
        {
            "name": "Luizenouders Groep 1/2A",
            "has_activity": False,
            "main_group": groups.get("Groep 1/2A"),
        },
        {
            "name": "Begeleiders schoolreis onderbouw",
            "has_activity": True,
            "description": "Wie gaat er mee naar het speelpark? We vertrekken om 8.30 uur.",
            "signup_deadline": timezone.localdate() + datetime.timedelta(days=21),
            "max_participants": 4,
            "eligible_groups": [g for n, g in groups.items() if n.startswith("Groep 1/2")],
        },
    ]
    for plan in plans:
        if plan["name"] in existing:
            continue
        special_group_create(school=school, created_by=creator.user if creator else None, **plan)
