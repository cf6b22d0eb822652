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
    Parent,
    ParentBaseline,
    ParentTombstone,
    Pupil,
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
    """Decides per recorded change (newest first) and writes in bulk at the end, so an undo
    costs about the same few statements for a school of 30 or of 600 families."""

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
        self.links = dict(
            ((parent_id, pupil_id), pk)
            for pk, parent_id, pupil_id in Guardianship.objects.filter(
                pupil__school=batch.school
            ).values_list("pk", "parent_id", "pupil_id")
        )
        self.delete_pupils: list[int] = []
        self.delete_parents: list[int] = []
        self.delete_links: list[int] = []
        self.create_links: list[Guardianship] = []
        self.saves: dict[tuple[type, int], tuple[object, set[str]]] = {}
        self.baselines: list[tuple[type, str, int, dict | None]] = []
        self.groups: list[Group] = []
        self.tombstones: list[ParentTombstone] = []

    def run(self) -> UndoReport:
        for change in self.changes:
            getattr(self, f"_{change.kind}")(change)
        self._write()
        return self.report

    def _write(self) -> None:
        Guardianship.objects.filter(pk__in=self.delete_links).delete()
        Guardianship.objects.bulk_create(self.create_links, batch_size=500)
        by_model: dict[type, tuple[list, set[str]]] = {}
        for (model, _pk), (obj, fields) in self.saves.items():
            objects, all_fields = by_model.setdefault(model, ([], set()))
            objects.append(obj)
            all_fields |= fields
        for model, (objects, fields) in by_model.items():
            model.objects.bulk_update(objects, sorted(fields), batch_size=500)
        Pupil.objects.filter(pk__in=self.delete_pupils).delete()
        Parent.objects.filter(pk__in=self.delete_parents).delete()
        for model, owner in ((PupilBaseline, "pupil"), (ParentBaseline, "parent")):
            rows = [(oid, before) for m, _o, oid, before in self.baselines if m is model]
            model.objects.filter(
                **{f"{owner}_id__in": [oid for oid, before in rows if before is None]}
            ).delete()
            model.objects.bulk_update(
                [model(**{f"{owner}_id": oid}, values=b) for oid, b in rows if b is not None],
                ["values"],
                batch_size=500,
            )
        ParentTombstone.objects.bulk_create(self.tombstones)
        for group in self.groups:
            if _only_itself(group):
                self.report.restored.append(f"{group.name} verwijderd (nieuw door de import)")
                group.delete()
            else:
                self.report.kept.append(f"{group.name} blijft: de groep wordt inmiddels gebruikt")

    # --- groups and pupils ---------------------------------------------------------------

    def _group_added(self, change: ImportChange) -> None:
        self.groups.append(change.group)  # decided at the end, once pupils have gone back

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
        self.delete_pupils.append(pupil.pk)

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
        self.baselines.append((PupilBaseline, "pupil", change.pupil_id, change.data["before"]))

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
        self.delete_parents.append(parent.pk)

    def _parent_changed(self, change: ImportChange) -> None:
        parent = change.parent
        current = {f: getattr(parent, f) for f in change.data["before"]}
        self._restore_fields(parent, parent.full_name, change.data, current, PARENT_LABELS)

    def _parent_baseline(self, change: ImportChange) -> None:
        self.baselines.append((ParentBaseline, "parent", change.parent_id, change.data["before"]))

    def _link_added(self, change: ImportChange) -> None:
        pk = self.links.pop((change.parent_id, change.pupil_id), None)
        if pk is not None:
            self.delete_links.append(pk)
            self.report.restored.append(
                f"Koppeling {change.parent.full_name} – {change.pupil.full_name} verwijderd"
            )

    def _link_removed(self, change: ImportChange) -> None:
        if (change.parent_id, change.pupil_id) in self.links:
            return
        self.links[(change.parent_id, change.pupil_id)] = None
        self.create_links.append(
            Guardianship(
                parent_id=change.parent_id,
                pupil_id=change.pupil_id,
                relation=change.data["relation"],
            )
        )
        self.report.restored.append(
            f"Koppeling {change.parent.full_name} – {change.pupil.full_name} hersteld"
        )

    def _link_relation(self, change: ImportChange) -> None:
        Guardianship.objects.filter(
            parent_id=change.parent_id, pupil_id=change.pupil_id, relation=change.data["after"]
        ).update(relation=change.data["before"])

    def _tombstone_removed(self, change: ImportChange) -> None:
        self.tombstones.append(
            ParentTombstone(
                school_id=self.batch.school_id,
                digests=change.data["digests"],
                reason=change.data["reason"],
                last_seen_on=timezone.localdate(),
            )
        )

    # --- staff (few rows: written at once) -----------------------------------------------

    def _staff_added(self, change: ImportChange) -> None:
        member = change.staff
        if member.user_id is None:
            self.report.restored.append(f"{member.full_name} verwijderd (nieuw door de import)")
            member.delete()
        elif member.is_active:
            # The person accepted the invitation since: their login stays theirs.
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
        if not restored:
            return
        self.report.restored.append(f"{name}: {', '.join(restored)}")
        saved = {f for f in fields if f != "groups"}
        if isinstance(obj, StaffMember):
            if saved:
                obj.save(update_fields=sorted(saved))
            if "is_active" in saved and not obj.is_active and obj.user_id is not None:
                obj.user.end_all_sessions()
        elif saved:
            _obj, pending = self.saves.setdefault((type(obj), obj.pk), (obj, set()))
            pending |= saved

    def _display(self, name: str, value):
        if name == "group":
            return self.group_names.get(value, "(geen groep)") if value else "(geen groep)"
        if name == "groups":
            return ", ".join(self.group_names.get(pk, "?") for pk in value)
        if name == "left_on":
            return value or "(op school)"
        return value


def _only_itself(group: Group) -> bool:
    """Whether nothing refers to the group (pupils, teachers, rounds, mailings, ...)."""
    for relation in Group._meta.related_objects:
        if relation.related_model is ImportChange:
            continue
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: group}).exists():
            return False
    return True
