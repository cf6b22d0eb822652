"""Schools generated in bulk, for the query-budget tests and the growth bench.

`school_generate(slug=..., families=...)` writes one school with groups of 30 families (a
pupil and one or two parents with a login each, every third family two), a teacher per
group, a directie member, a published conference round per group with half its times
booked, a special group with a few members, and a sent mailing to the first group with its
outgoing messages. Everything goes through bulk_create: 500 schools of 600 families take
minutes, not hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

PER_GROUP = 30
UNUSABLE_PASSWORD = "!generated"  # no usable password: these logins are made directly


@dataclass
class GeneratedSchool:
    school: object
    groups: list = field(default_factory=list)
    teachers: list = field(default_factory=list)
    manager: object = None
    parents: list = field(default_factory=list)  # the first parent of each family, in order
    pupils: list = field(default_factory=list)
    rounds: list = field(default_factory=list)
    special_group: object = None
    mailing: object = None


def school_generate(*, slug: str, families: int, extras: bool = True) -> GeneratedSchool:
    from django.utils import timezone

    from accounts.models import User
    from conferences.models import ConferenceRound, Slot
    from mailings.models import Mailing, OutgoingMessage
    from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember
    from specialgroups.models import Signup, SpecialGroup

    school = School.objects.create(name=f"School {slug}", slug=slug, from_email=f"info@{slug}.test")
    out = GeneratedSchool(school=school)
    group_count = max(1, -(-families // PER_GROUP))
    out.groups = Group.objects.bulk_create(
        Group(school=school, name=f"Groep {i + 1}") for i in range(group_count)
    )
    staff_users = User.objects.bulk_create(
        User(email=f"{who}@{slug}.test", password=UNUSABLE_PASSWORD)
        for who in [*(f"juf{i}" for i in range(group_count)), "directie"]
    )
    staff = StaffMember.objects.bulk_create(
        StaffMember(
            school=school,
            user=user,
            email=user.email,
            first_name="Juf" if i < group_count else "Directie",
            last_name=f"{slug} {i}",
            role="leerkracht" if i < group_count else "directie",
            can_edit_parents=True,
        )
        for i, user in enumerate(staff_users)
    )
    out.teachers, out.manager = staff[:group_count], staff[-1]
    StaffMember.groups.through.objects.bulk_create(
        StaffMember.groups.through(staffmember=teacher, group=group)
        for teacher, group in zip(out.teachers, out.groups, strict=True)
    )
    out.pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school,
            number=str(100000 + i),
            first_name=f"Kind{i}",
            last_name=f"Achternaam{i % 97}",
            group=out.groups[i // PER_GROUP],
        )
        for i in range(families)
    )
    second = [i for i in range(families) if i % 3 == 0]
    emails = [f"ouder{i}@{slug}.test" for i in range(families)]
    emails += [f"ouder{i}b@{slug}.test" for i in second]
    users = User.objects.bulk_create(User(email=e, password=UNUSABLE_PASSWORD) for e in emails)
    parents = Parent.objects.bulk_create(
        Parent(
            school=school,
            user=user,
            email=user.email,
            first_name=f"Ouder{n}",
            last_name=f"Achternaam{n % 97}",
            phone="0612345678",
            street="Schoolstraat",
            house_number=str(n % 200 + 1),
            postcode="8021 CA",
            city="Zwolle",
        )
        for n, user in enumerate(users)
    )
    out.parents = parents[:families]
    links = [Guardianship(parent=parents[i], pupil=out.pupils[i]) for i in range(families)]
    links += [
        Guardianship(parent=parents[families + k], pupil=out.pupils[i])
        for k, i in enumerate(second)
    ]
    Guardianship.objects.bulk_create(links)
    if not extras:
        return out

    now = timezone.now()
    day = timezone.localdate() + timedelta(days=14)
    out.rounds = ConferenceRound.objects.bulk_create(
        ConferenceRound(
            school=school,
            name=f"Oudergesprekken {group.name}",
            group=group,
            teacher=teacher,
            total=PER_GROUP,
            duration_minutes=10,
            per_block=PER_GROUP,
            break_minutes=0,
            start_date=day,
            start_time=time(8, 0),
            end_time=time(13, 0),
            closes_at=now + timedelta(days=13),
            published_at=now,
        )
        for group, teacher in zip(out.groups, out.teachers, strict=True)
    )
    start = timezone.make_aware(datetime.combine(day, time(8, 0)))
    slots = []
    for g, conference in enumerate(out.rounds):
        members = out.pupils[g * PER_GROUP : (g + 1) * PER_GROUP]
        for k in range(PER_GROUP):
            booked = k % 2 == 0 and k < len(members)
            slots.append(
                Slot(
                    round=conference,
                    starts_at=start + timedelta(minutes=10 * k),
                    ends_at=start + timedelta(minutes=10 * (k + 1)),
                    pupil=members[k] if booked else None,
                    booked_by=out.parents[g * PER_GROUP + k] if booked else None,
                    booked_at=now if booked else None,
                )
            )
    Slot.objects.bulk_create(slots)
    out.special_group = SpecialGroup.objects.create(
        school=school,
        name="Luizenmoeders",
        has_activity=True,
        description="Na elke vakantie",
        signup_deadline=day,
        max_participants=PER_GROUP,
    )
    out.special_group.eligible_groups.set(out.groups)
    Signup.objects.bulk_create(
        Signup(special_group=out.special_group, parent=parent) for parent in out.parents[:5]
    )
    teacher = out.teachers[0]
    out.mailing = Mailing.objects.create(
        school=school,
        sender=teacher,
        sender_name=f"Juf {slug}",
        sender_email=teacher.user.email,
        subject="Schoolreis",
        body="Beste ouders, ...",
    )
    out.mailing.groups.set(out.groups[:1])
    OutgoingMessage.objects.bulk_create(
        OutgoingMessage(
            mailing=out.mailing,
            parent=parent,
            email=parent.email,
            name=parent.first_name,
            status="sent",
            next_attempt_at=now,
            sent_at=now,
        )
        for parent in out.parents[:PER_GROUP]
    )
    return out


def generated_school(slug: str) -> GeneratedSchool:
    """A school made by school_generate, read back (for a process that did not make it)."""
    from conferences.models import ConferenceRound
    from mailings.models import Mailing
    from schools.models import Group, Parent, Pupil, School, StaffMember
    from specialgroups.models import SpecialGroup

    school = School.objects.get(slug=slug)
    out = GeneratedSchool(school=school)
    out.groups = list(Group.objects.filter(school=school).order_by("pk"))
    staff = list(StaffMember.objects.filter(school=school).select_related("user").order_by("pk"))
    out.teachers, out.manager = staff[:-1], staff[-1]
    out.pupils = list(Pupil.objects.filter(school=school).order_by("pk"))
    parents = list(Parent.objects.filter(school=school).select_related("user").order_by("pk"))
    out.parents = parents[: len(out.pupils)]
    out.rounds = list(ConferenceRound.objects.filter(school=school).order_by("pk"))
    out.special_group = SpecialGroup.objects.filter(school=school).first()
    out.mailing = Mailing.objects.filter(school=school).first()
    return out
