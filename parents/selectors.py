"""Reads shared by the Ouderoverzicht views, the PDF and the benchmark.

Each costs a fixed number of queries whatever the size of the group.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from lib.families import families_from_links
from mailings.bounces import with_email_status
from schools.access import groups_for_staff
from schools.models import Group, Guardianship, Parent, Pupil, StaffMember, group_sort_key


def groups_overview(staff: StaffMember) -> list[Group]:
    """The groups a staff member may see, with pupil and (unblocked) parent counts."""
    groups = groups_for_staff(staff).annotate(
        pupil_count=Count("pupils", distinct=True),
        parent_count=Count(
            "pupils__parents", filter=Q(pupils__parents__is_blocked=False), distinct=True
        ),
    )
    return sorted(groups, key=lambda g: group_sort_key(g.name))


def group_parents(group: Group) -> QuerySet[Parent]:
    """The parents of a group's pupils, blocked ones included (the lock shows them), each with
    `group_pupils`: their children in this group and `email_not_working`: mail to their
    current address came back as undeliverable."""
    return (
        with_email_status(Parent.objects.filter(pupils__group=group))
        .distinct()
        .order_by("last_name", "first_name", "pk")
        .prefetch_related(
            Prefetch(
                "pupils",
                queryset=Pupil.objects.filter(group=group).order_by("last_name", "first_name"),
                to_attr="group_pupils",
            )
        )
    )


def group_pupils_without_parent(group: Group) -> QuerySet[Pupil]:
    """Children of the group with no parent linked at all (e.g. after a parent was deleted)."""
    return Pupil.objects.filter(group=group, guardianships__isnull=True).order_by(
        "last_name", "first_name"
    )


@dataclass
class Family:
    """Parents who share a child in this group, and those children."""

    pupils: list[Pupil] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        first = self.pupils[0]
        return (first.last_name.lower(), first.infix.lower(), first.first_name.lower())


def group_families(group: Group) -> list[Family]:
    """The group as families for the PDF: blocked parents left out, sorted by the child's
    last name. Two pupils are in one family when they share an (unblocked) parent."""
    return families_by_group([group])[0][1]


def families_by_group(groups: list[Group]) -> list[tuple[Group, list[Family]]]:
    """group_families for several groups at once, in two queries however many groups."""
    pupils = list(
        Pupil.objects.filter(group__in=groups)
        .order_by("last_name", "first_name", "pk")
        .prefetch_related(
            Prefetch(
                "guardianships",
                queryset=Guardianship.objects.filter(parent__is_blocked=False)
                .select_related("parent")
                .order_by("parent__last_name", "parent__first_name", "parent__pk"),
            )
        )
    )
    by_group: dict[int, list[Pupil]] = {group.pk: [] for group in groups}
    for pupil in pupils:
        by_group[pupil.group_id].append(pupil)
    return [(group, _families(by_group[group.pk])) for group in groups]


def _families(pupils: list[Pupil]) -> list[Family]:
    by_pk = {pupil.pk: pupil for pupil in pupils}
    links = [(pupil.pk, link.parent_id) for pupil in pupils for link in pupil.guardianships.all()]
    families = []
    for ids in families_from_links(links, pupil_ids=by_pk):
        family = Family()
        for pk in ids.pupil_ids:
            pupil = by_pk[pk]
            family.pupils.append(pupil)
            seen = {g.parent_id for g in family.guardianships}
            family.guardianships.extend(
                g for g in pupil.guardianships.all() if g.parent_id not in seen
            )
        families.append(family)
    return sorted(families, key=lambda f: f.sort_key)


def parent_links(parent: Parent) -> QuerySet[Guardianship]:
    """A parent's children with their groups, for the detail page."""
    return (
        Guardianship.objects.filter(parent=parent)
        .select_related("pupil__group")
        .annotate(guardian_count=Count("pupil__guardianships"))
        .order_by("pupil__last_name", "pupil__first_name")
    )
