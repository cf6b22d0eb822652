"""Parent-teacher conferences for the demo school. Idempotent: a group that already has a
round is left alone (`manage.py load_demo` calls this).

Groep 1/2A (Anita Kuipers) and Groep 6 (Saskia Verhoeven) get a published round two weeks
ahead. Piotr El Amrani has Daan in 1/2A and Noëlle in 6; Noëlle is booked at 15:20, so his
portal shows Daan's 15:20 refused and 15:10 and 15:30 marked "aansluitend"."""

from datetime import time, timedelta

from django.utils import timezone

from conferences.models import ConferenceRound, Slot
from conferences.services import RoundSettings, round_create, round_publish
from conferences.slots import aware
from schools.models import Group, Parent, School, StaffMember


def _first_weekday(days_ahead: int):
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def demo_conferences_load(*, school: School) -> None:
    day = _first_weekday(14)
    extra = _first_weekday((day - timezone.localdate()).days + 2)
    plans = [
        ("Groep 1/2A", "anita.kuipers@school1.example.nl"),
        ("Groep 6", "saskia.verhoeven@school1.example.nl"),
    ]
    for group_name, email in plans:
        group = Group.objects.filter(school=school, name=group_name).first()
        teacher = StaffMember.objects.filter(school=school, email__iexact=email).first()
        if group is None or teacher is None:
            continue
        if ConferenceRound.objects.filter(group=group).exists():
            continue
        plan = RoundSettings(
            group=group,
            total=max(group.pupils.count(), 1),
            duration_minutes=10,
            per_block=6,
            break_minutes=10,
            start_date=day,
            start_time=time(15, 0),
            end_time=time(17, 0),
            extra_dates=(extra,),
        )
        conference = round_create(staff=teacher, plan=plan, accept_fewer=True)
        round_publish(conference=conference)
        if group_name == "Groep 6":
            piotr = Parent.objects.filter(school=school, email="piotr.elamrani@icloud.com").first()
            child = piotr.pupils.filter(group=group).first() if piotr else None
            if child is not None:
                Slot.objects.filter(round=conference, starts_at=aware(day, time(15, 20))).update(
                    pupil=child, booked_by=piotr, booked_at=timezone.now()
                )
