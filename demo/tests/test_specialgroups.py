from demo.specialgroups import demo_special_groups_load
from specialgroups.models import SpecialGroup


def test_the_demo_gets_one_group_of_each_kind_and_a_second_load_changes_nothing(world):
    demo_special_groups_load(school=world.school)
    demo_special_groups_load(school=world.school)
    kinds = sorted(SpecialGroup.objects.filter(school=world.school).values_list("has_activity"))
    assert kinds == [(False,), (False,), (True,)]
