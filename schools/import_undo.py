"""Undoing the most recent import ("Import ongedaan maken").

Every import records each change it made with what was there before (ImportChange). The
undo walks those records backwards and puts back what the import changed, field by field.
Where the school changed the same thing after the import, the school's value stays and the
undo lists it. Within UNDO_DAYS of the import, and only for the school's most recent one.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from schools.models import (
    Group,
    Guardianship,
    ImportBatch,
    ImportChange,
    ParentBaseline,
    ParentTombstone,
    PupilBaseline,
    School,
    StaffMember,
)

UNDO_DAYS = 14
PARENT_LABELS = {
    "first_name": "voornaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "email": "e-mail",
    "phone": "telefoon",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
}
PUPIL_LABELS = {
    "first_name": "roepnaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "group": "groep",
    "left_on": "vertrekdatum",
}
STAFF_LABELS = {
    "first_name": "voornaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "role": "rol",
    "can_edit_parents": "mag ouders wijzigen",
    "is_active": "toegang",
    "groups": "groepen",
}


class UndoError(Exception):
    """The import cannot be undone (any more); the message is Dutch."""


@dataclass
class UndoReport:
    restored: list[str] = field(default_factory=list)
    # The school's later edits that stay (the undo does not overwrite them).
    kept: list[str] = field(default_factory=list)


def import_undoable(*, school: School) -> ImportBatch | None:
    """The school's most recent import, if it can still be undone."""
    latest = (
        ImportBatch.objects.filter(school=school, applied_at__isnull=False)
        .order_by("-applied_at", "-pk")
        .first()
    )
    if latest is None or latest.undone_at is not None:
        return None
    if latest.applied_at < timezone.now() - datetime.timedelta(days=UNDO_DAYS):
        return None
    return latest


def import_undo(*, batch: ImportBatch, dry_run: bool = False) -> UndoReport:
    """Put back what the import changed. With dry_run, report what would happen and write
    nothing (the same code runs and is rolled back, so the preview is exact)."""
    with transaction.atomic():
        School.objects.select_for_update().get(pk=batch.school_id)
        if import_undoable(school=batch.school) != batch:
            raise UndoError(
                "Deze import kan niet meer ongedaan worden gemaakt: alleen de laatste import, "
                f"binnen {UNDO_DAYS} dagen."
            )
        report = _Undo(batch).run()
        if dry_run:
            transaction.set_rollback(True)
        else:
            batch.undone_at = timezone.now()
            batch.save(update_fields=["undone_at"])
            batch.changes.all().delete()
    return report


def _show(value) -> str:
    if value in ("", None):
        return "(leeg)"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    return str(value)


class _Undo:
    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.report = UndoReport()
        self.changes = list(
            batch.changes.select_related("pupil__group", "parent", "group", "staff")
            .prefetch_related("staff__groups")
            .order_by("-pk")
        )
        # What the import brought in, as it was right after it (for "edited since?").
        self.pupil_baselines = {
            b.pupil_id: b.values
            for b in PupilBaseline.objects.filter(
                pupil__in=[c.pupil_id for c in self.changes if c.kind == "pupil_added"]
            )
        }
        self.parent_baselines = {
            b.parent_id: b.values
            for b in ParentBaseline.objects.filter(
                parent__in=[c.parent_id for c in self.changes if c.kind == "parent_added"]
            )
        }
        self.group_names = dict(Group.objects.filter(school=batch.school).values_list("pk", "name"))

    def run(self) -> UndoReport:
        for change in self.changes:
            getattr(self, f"_{change.kind}")(change)
        return self.report

    # --- groups and pupils ---------------------------------------------------------------

    def _group_added(self, change: ImportChange) -> None:
        group = change.group
        if _only_itself(group):
            self.report.restored.append(f"{group.name} verwijderd (nieuw door de import)")
            group.delete()
        else:
            self.report.kept.append(f"{group.name} blijft: de groep wordt inmiddels gebruikt")

    def _pupil_added(self, change: ImportChange) -> None:
        pupil = change.pupil
        name = f"{pupil.full_name} ({pupil.number})"
        imported = self.pupil_baselines.get(pupil.pk, {})
        now = {
            "first_name": pupil.first_name,
            "infix": pupil.infix,
            "last_name": pupil.last_name,
            "group": pupil.group.name if pupil.group else "",
        }
        edited = [PUPIL_LABELS[f] for f, v in now.items() if f in imported and imported[f] != v]
        if edited:
            self.report.kept.append(f"{name} blijft: na de import gewijzigd ({', '.join(edited)})")
            return
        self.report.restored.append(f"{name} verwijderd (nieuw door de import)")
        pupil.delete()

    def _pupil_changed(self, change: ImportChange) -> None:
        pupil = change.pupil
        name = f"{pupil.full_name} ({pupil.number})"
        current = {
            "first_name": pupil.first_name,
            "infix": pupil.infix,
            "last_name": pupil.last_name,
            "group": pupil.group_id,
            "left_on": pupil.left_on.isoformat() if pupil.left_on else None,
        }
        self._restore_fields(pupil, name, change.data, current, PUPIL_LABELS)

    def _pupil_baseline(self, change: ImportChange) -> None:
        _restore_baseline(PupilBaseline, "pupil", change.pupil_id, change.data["before"])

    # --- parents and links ---------------------------------------------------------------

    def _parent_added(self, change: ImportChange) -> None:
        parent = change.parent
        imported = self.parent_baselines.get(parent.pk, {})
        edited = [
            label
            for f, label in PARENT_LABELS.items()
            if f in imported and imported[f] != getattr(parent, f)
        ]
        if parent.is_blocked:
            edited.append("geblokkeerd")
        if parent.user_id is not None or parent.invited_at is not None:
            edited.append("uitgenodigd")
        if edited:
            self.report.kept.append(
                f"{parent.full_name} blijft: na de import gewijzigd ({', '.join(edited)})"
            )
            return
        self.report.restored.append(f"{parent.full_name} verwijderd (nieuw door de import)")
        parent.delete()

    def _parent_changed(self, change: ImportChange) -> None:
        parent = change.parent
        current = {f: getattr(parent, f) for f in change.data["before"]}
        self._restore_fields(parent, parent.full_name, change.data, current, PARENT_LABELS)

    def _parent_baseline(self, change: ImportChange) -> None:
        _restore_baseline(ParentBaseline, "parent", change.parent_id, change.data["before"])

    def _link_added(self, change: ImportChange) -> None:
        deleted, _ = Guardianship.objects.filter(
            parent_id=change.parent_id, pupil_id=change.pupil_id
        ).delete()
        if deleted:
            self.report.restored.append(
                f"Koppeling {change.parent.full_name} – {change.pupil.full_name} verwijderd"
            )

    def _link_removed(self, change: ImportChange) -> None:
        _, created = Guardianship.objects.get_or_create(
            parent_id=change.parent_id,
            pupil_id=change.pupil_id,
            defaults={"relation": change.data["relation"]},
        )
        if created:
            self.report.restored.append(
                f"Koppeling {change.parent.full_name} – {change.pupil.full_name} hersteld"
            )

    def _link_relation(self, change: ImportChange) -> None:
        Guardianship.objects.filter(
            parent_id=change.parent_id, pupil_id=change.pupil_id, relation=change.data["after"]
        ).update(relation=change.data["before"])

    def _tombstone_removed(self, change: ImportChange) -> None:
        ParentTombstone.objects.create(
            school_id=self.batch.school_id,
            digests=change.data["digests"],
            reason=change.data["reason"],
            last_seen_on=timezone.localdate(),
        )

    # --- staff ---------------------------------------------------------------------------

    def _staff_added(self, change: ImportChange) -> None:
        member = change.staff
        if member.is_active:
            member.is_active = False
            member.save(update_fields=["is_active"])
            member.user.end_all_sessions()
            self.report.restored.append(f"{member.full_name} krijgt geen toegang meer")

    def _staff_changed(self, change: ImportChange) -> None:
        member = change.staff
        current = {
            "first_name": member.first_name,
            "infix": member.infix,
            "last_name": member.last_name,
            "role": member.role,
            "can_edit_parents": member.can_edit_parents,
            "is_active": member.is_active,
            "groups": sorted(g.pk for g in member.groups.all()),
        }
        current = {f: current[f] for f in change.data["before"]}
        self._restore_fields(member, member.full_name, change.data, current, STAFF_LABELS)

    # --- shared --------------------------------------------------------------------------

    def _restore_fields(self, obj, name: str, data: dict, current: dict, labels) -> None:
        """Put back each field the import changed, unless it changed again since."""
        before, after = data["before"], data["after"]
        restored, fields = [], []
        for f, old in before.items():
            if f not in after:
                continue
            if current[f] != after[f]:
                self.report.kept.append(
                    f"{name}: {labels[f]} is na de import gewijzigd (nu "
                    f"{_show(self._display(f, current[f]))}) en blijft"
                )
                continue
            if f == "left_on" and old is None:
                restored.append("weer op school")
            else:
                restored.append(f"{labels[f]} terug naar {_show(self._display(f, old))}")
            fields.append(f)
            if f == "group":
                obj.group_id = old
            elif f == "groups":
                obj.groups.set(old)
            elif f == "left_on":
                obj.left_on = datetime.date.fromisoformat(old) if old else None
            else:
                setattr(obj, f, old)
        if restored:
            saved = [f for f in fields if f != "groups"]
            if saved:
                obj.save(update_fields=saved)
            if isinstance(obj, StaffMember) and "is_active" in fields and not obj.is_active:
                obj.user.end_all_sessions()
            self.report.restored.append(f"{name}: {', '.join(restored)}")

    def _display(self, name: str, value):
        if name == "group":
            return self.group_names.get(value, "(geen groep)") if value else "(geen groep)"
        if name == "groups":
            return ", ".join(self.group_names.get(pk, "?") for pk in value)
        if name == "left_on":
            return value or "(op school)"
        return value


def _restore_baseline(model, field_name: str, object_id: int, before: dict | None) -> None:
    if before is None:
        model.objects.filter(**{f"{field_name}_id": object_id}).delete()
    else:
        model.objects.update_or_create(
            **{f"{field_name}_id": object_id}, defaults={"values": before}
        )


def _only_itself(group: Group) -> bool:
    """Whether nothing refers to the group (pupils, teachers, rounds, mailings, ...)."""
    for relation in Group._meta.related_objects:
        if relation.related_model is ImportChange:
            continue
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: group}).exists():
            return False
    return True
