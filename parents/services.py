"""Changes made from the Ouderoverzicht: edit, delete, move a group, the year-end move."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, mask_email
from schools.models import Group, Parent, Pupil, School, group_sort_key


class MoveError(Exception):
    """A move that cannot be done; the message is Dutch and shown to the user."""


# --- edit -----------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "first_name",
    "infix",
    "last_name",
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "city",
)


@transaction.atomic
def parent_update(*, parent: Parent, data: dict, request: HttpRequest | None) -> list[str]:
    """Save validated parent data; returns the names of the fields that changed.

    The e-mail address is the school's contact data: changing it never moves a login. The old
    address is told; a linked login moves only when its person confirms from the new address
    (accounts.services.email_change_notify). The audit entry names the fields, and for the
    address both values masked.
    """
    from accounts.services import email_change_notify

    # Compare with the stored row: a bound ModelForm has already written into `parent`.
    current = (
        Parent.objects.select_for_update(of=("self",)).select_related("user").get(pk=parent.pk)
    )
    changed = [name for name in EDITABLE_FIELDS if getattr(current, name) != data[name]]
    if not changed:
        return []
    old_email = current.email
    for name in changed:
        setattr(current, name, data[name])
        setattr(parent, name, data[name])
    current.save(update_fields=changed)
    detail = {"fields": changed}
    if "email" in changed:
        email_change_notify(parent=current, old=old_email)
        detail.update(old=mask_email(old_email), new=mask_email(current.email))
    audit_record(request=request, action="edit", obj=parent, **detail)
    return changed


# --- delete ---------------------------------------------------------------------------------


@transaction.atomic
def parent_delete(*, parent: Parent, request: HttpRequest | None) -> None:
    """Remove a parent, their links to pupils and their login (unless it is also staff).

    The same removal as an AVG erasure (privacy.services.parent_erase), audited as a delete:
    only an entry with ids stays, and a tombstone without personal data so that the next
    import does not bring the parent back.
    """
    from privacy.services import parent_erase
    from schools.models import ParentTombstone

    parent_erase(
        parent=parent, request=request, action="delete", remember=ParentTombstone.Reason.DELETED
    )


# --- move one group ("Verplaats naar") ------------------------------------------------------


def group_fingerprint(pupil_ids) -> str:
    """A short digest of the pupils a preview showed, so a confirmation moves exactly those."""
    text = ",".join(str(pk) for pk in sorted(pupil_ids))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def group_move(
    *,
    source: Group,
    target: Group,
    fingerprint: str | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Move every current pupil of `source` to `target`; their parents follow. All or nothing.

    With `fingerprint`, the move is refused when the group changed since the preview.
    Returns the number of pupils moved.
    """
    if target.pk == source.pk:
        raise MoveError(_("Kies een andere groep dan de huidige."))
    if target.school_id != source.school_id:
        raise MoveError(_("Deze groep hoort niet bij uw school."))
    # Lock the source group's pupils so a concurrent import or move waits for us.
    pupil_ids = list(
        Pupil.objects.select_for_update().filter(group=source).values_list("pk", flat=True)
    )
    if not pupil_ids:
        raise MoveError(_("Deze groep heeft geen leerlingen om te verplaatsen."))
    if fingerprint is not None and fingerprint != group_fingerprint(pupil_ids):
        raise MoveError(
            _(
                "De groep is gewijzigd sinds het overzicht. Bekijk het overzicht opnieuw en "
                "bevestig dan."
            )
        )
    moved = Pupil.objects.filter(pk__in=pupil_ids).update(group=target)
    audit_record(
        request=request,
        action="move",
        obj=source,
        target_group_id=target.pk,
        pupils=moved,
    )
    return moved


# --- the year-end move ----------------------------------------------------------------------

LEAVE = "leave"  # groep 8 leaves the school
STAY = "stay"  # not moved (a name the rule does not understand)
TOP_YEAR = 8


def _year_of(name: str) -> int | None:
    """The highest school year a group name mentions: 'Groep 1/2A' → 2, 'Groep 7' → 7."""
    if not re.search(r"groep", name, re.IGNORECASE):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", name)]
    return max(numbers) if numbers and max(numbers) <= TOP_YEAR else None


def year_end_default_target(group: Group, groups: list[Group]) -> str:
    """The rule: a group moves to the group of the next year; groep 8 leaves.

    'Groep 1/2A' and 'Groep 1/2B' both go to 'Groep 3'. The next year's group is the one
    named exactly 'Groep N'; if there is none, the only group whose name starts with
    'Groep N' followed by a letter ('Groep 3A'). Otherwise (none, or several parallel
    groups) the group stays and the beheerder chooses in the preview.
    """
    year = _year_of(group.name)
    if year is None:
        return STAY
    if year >= TOP_YEAR:
        return LEAVE
    wanted = year + 1
    exact = [g for g in groups if g.name.strip().lower() == f"groep {wanted}"]
    if len(exact) == 1:
        return str(exact[0].public_id)
    pattern = re.compile(rf"^groep\s*{wanted}\s*[a-z]$", re.IGNORECASE)
    parallel = [g for g in groups if pattern.match(g.name.strip())]
    if len(parallel) == 1:
        return str(parallel[0].public_id)
    return STAY


@dataclass
class YearEndRow:
    group: Group
    pupil_count: int
    target: str  # a group's public_id, LEAVE or STAY


@dataclass
class YearEndPlan:
    rows: list[YearEndRow] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return group_fingerprint(f"{r.group.pk}:{r.pupil_count}" for r in self.rows)


def year_end_plan(*, school: School) -> YearEndPlan:
    from django.db.models import Count

    groups = list(
        Group.objects.filter(school=school).annotate(pupil_count=Count("pupils", distinct=True))
    )
    groups.sort(key=lambda g: group_sort_key(g.name))
    return YearEndPlan(
        rows=[YearEndRow(g, g.pupil_count, year_end_default_target(g, groups)) for g in groups]
    )


@transaction.atomic
def year_end_apply(
    *,
    school: School,
    targets: dict[str, str],
    today: date | None = None,
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """Move every group at once: `targets` maps a group's public_id to a group's public_id,
    LEAVE or STAY. Pupils are collected per group before anything moves, so 3 → 4 and 4 → 5
    in one run do not carry groep 3 on to 5. Returns counts of moved and leaving pupils.
    """
    today = today or timezone.localdate()
    groups = {str(g.public_id): g for g in Group.objects.filter(school=school)}
    by_source: dict[int, list[int]] = {}
    for pk, group_id in (
        Pupil.objects.select_for_update()
        .filter(school=school, group__isnull=False)
        .values_list("pk", "group_id")
    ):
        by_source.setdefault(group_id, []).append(pk)
    moved = left = 0
    plan: list[tuple[list[int], Group | None]] = []
    for source_id, target in targets.items():
        source = groups.get(source_id)
        if source is None:
            raise MoveError(_("Een van de groepen bestaat niet (meer). Laad de pagina opnieuw."))
        if target == STAY:
            continue
        if target != LEAVE and target not in groups:
            raise MoveError(_("Een van de gekozen groepen bestaat niet (meer)."))
        plan.append((by_source.get(source.pk, []), None if target == LEAVE else groups[target]))
    for pupil_ids, target_group in plan:
        if not pupil_ids:
            continue
        if target_group is None:
            left += Pupil.objects.filter(pk__in=pupil_ids).update(group=None, left_on=today)
        else:
            moved += Pupil.objects.filter(pk__in=pupil_ids).update(group=target_group)
    audit_record(
        request=request,
        action="move",
        object_type="school",
        object_id=str(school.pk),
        school=school,
        year_end=True,
        moved=moved,
        left=left,
        mapping={
            str(groups[s].pk): (t if t in (LEAVE, STAY) else groups[t].pk)
            for s, t in targets.items()
        },
    )
    return {"moved": moved, "left": left}
