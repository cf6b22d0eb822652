import pytest

from schools.models import Pupil


@pytest.fixture
def tom(world, make_staff):
    """A second teacher of Groep 3, without the right to edit parents."""
    return make_staff(world.school, "tom@linde.test", groups=[world.g3])


@pytest.fixture
def fill_group(make_parent):
    """Add `families` families to a group: one child each, two parents with full details."""

    def fill(group, families: int, start: int = 0):
        for i in range(start, start + families):
            pupil = Pupil.objects.create(
                school=group.school,
                number=f"{group.pk}-{i}",
                first_name=f"Kind{i}",
                last_name=f"Familie{i:04d}",
                group=group,
            )
            for role in ("moeder", "vader"):
                make_parent(
                    group.school,
                    f"{role}{i}.{group.pk}@example.nl",
                    pupils=[pupil],
                    with_login=False,
                    first_name=role.capitalize(),
                    last_name=f"Familie{i:04d}",
                    phone="06-12345678",
                    street="Dorpsstraat",
                    house_number=str(i),
                    postcode="8021 CA",
                    city="Zwolle",
                )

    return fill
