"""Families: guardians and children joined through the children they share (two households
of one child are one family). One grouping for every page and reminder that counts families,
so a family is the same family everywhere (the daily reminder limit counts it by its
guardians' ids)."""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class FamilyIds:
    parent_ids: list[int] = field(default_factory=list)  # ascending
    pupil_ids: list[int] = field(default_factory=list)  # in the order the links named them


def families_from_links(
    links: Iterable[tuple[int, int]],
    *,
    parent_ids: Iterable[int] = (),
    pupil_ids: Iterable[int] = (),
) -> list[FamilyIds]:
    """Group (pupil id, parent id) links into families. `parent_ids` and `pupil_ids` are
    people who belong somewhere even without a link (a family of their own then). Families
    come in the order their first member was named."""
    root: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        root.setdefault(node, node)
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for pk in parent_ids:
        find(("parent", pk))
    for pk in pupil_ids:
        find(("pupil", pk))
    for pupil_id, parent_id in links:
        a, b = find(("pupil", pupil_id)), find(("parent", parent_id))
        if a != b:
            root[b] = a
    families: dict[tuple[str, int], FamilyIds] = {}
    for node in list(root):
        family = families.setdefault(find(node), FamilyIds())
        kind, pk = node
        (family.parent_ids if kind == "parent" else family.pupil_ids).append(pk)
    for family in families.values():
        family.parent_ids.sort()
    return list(families.values())
