from django.core.management import call_command

from conferences.models import ConferenceRound, Slot
from demo.conferences import demo_conferences_load
from schools.models import School


def test_the_demo_gets_two_published_rounds_once(db):
    call_command("load_demo", verbosity=0)
    school = School.objects.get(slug="de-regenboog")
    demo_conferences_load(school=school)
    demo_conferences_load(school=school)  # a second run changes nothing
    rounds = ConferenceRound.objects.filter(school=school)
    assert sorted(r.group.name for r in rounds) == ["Groep 1/2A", "Groep 6"]
    assert all(r.is_published for r in rounds)
    assert (
        Slot.objects.filter(round__in=rounds, booked_by__email="piotr.elamrani@icloud.com").count()
        == 1
    )
