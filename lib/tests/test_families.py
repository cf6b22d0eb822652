"""Families from guardianship links: two households of one child are one family, a sibling
links the families of both parents, and people without a link stand on their own."""

from lib.families import families_from_links


def test_two_households_of_one_child_and_a_half_sibling_are_one_family():
    # Child 1 has parents 10 and 20; child 2 (parent 20 and 30) is its half-sibling.
    links = [(1, 10), (1, 20), (2, 30), (2, 20), (3, 40)]
    families = families_from_links(links)
    assert [(f.parent_ids, f.pupil_ids) for f in families] == [
        ([10, 20, 30], [1, 2]),
        ([40], [3]),
    ]


def test_people_without_a_link_are_a_family_of_their_own():
    families = families_from_links([(1, 10)], parent_ids=[10, 99], pupil_ids=[1, 5])
    assert sorted((f.parent_ids, f.pupil_ids) for f in families) == [
        ([], [5]),
        ([10], [1]),
        ([99], []),
    ]
