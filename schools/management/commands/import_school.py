from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lib.csvread import detect
from schools.importer import (
    UTF8_ADVICE,
    ImportProblems,
    import_apply,
    import_plan,
    import_summary,
    mass_change_message,
)
from schools.models import ImportBatch, School
from schools.signals import import_applied


class Command(BaseCommand):
    help = "Import a school's export (pupils with guardians, and optionally staff)."

    def add_arguments(self, parser):
        parser.add_argument("school", help="slug of the school")
        parser.add_argument("pupils", type=Path, help="leerlingen CSV")
        parser.add_argument("--staff", type=Path, help="personeel CSV")
        parser.add_argument("--dry-run", action="store_true", help="only show what would change")
        parser.add_argument(
            "--confirm-school",
            default="",
            help="the school's name, required when the import would replace much of the school",
        )

    def handle(
        self,
        *args,
        school: str,
        pupils: Path,
        staff: Path | None,
        dry_run: bool,
        confirm_school: str,
        **kw,
    ):
        try:
            school_obj = School.objects.get(slug=school)
        except School.DoesNotExist:
            raise CommandError(f"Onbekende school: {school}") from None
        pupils_file = detect(pupils.read_bytes())
        staff_file = detect(staff.read_bytes()) if staff else None
        for path, decoded in ((pupils, pupils_file), (staff, staff_file)):
            if decoded is not None and not decoded.is_utf8:
                self.stdout.write(f"{path.name}: gelezen als {decoded.label}")
        arguments = {
            "school": school_obj,
            "pupils_csv": pupils_file.text,
            "staff_csv": staff_file.text if staff_file else "",
        }
        try:
            if dry_run:
                plan = import_plan(**arguments)
            else:
                # As the web import: the apps above `schools` hear of it inside the same
                # transaction (the Logboek records it, restricted guardians stay unlinked).
                with transaction.atomic():
                    plan = import_apply(**arguments, confirm_name=confirm_school)
                    import_applied.send(
                        sender=ImportBatch,
                        request=None,
                        batch=plan.batch,
                        summary=import_summary(plan),
                    )
        except ImportProblems as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError("De import is niet uitgevoerd; er is niets gewijzigd.") from None
        for warning in plan.warnings + plan.damaged:
            self.stdout.write(f"Let op: {warning}")
        if plan.damaged:
            self.stdout.write(UTF8_ADVICE)
        if plan.mass_change is not None:
            for paragraph in mass_change_message(school_obj, plan.mass_change):
                self.stdout.write(paragraph)
        for conflict in plan.conflicts:
            self.stdout.write(
                f"Conflict: {conflict.who}, {conflict.label}: OCS houdt {conflict.ocs} "
                f"(export: {conflict.export})"
            )
        for deleted in plan.deleted_parents:
            self.stdout.write(f"Verwijderd, niet opnieuw aangemaakt: {deleted.description}")
        for key, value in import_summary(plan).items():
            self.stdout.write(f"{key}: {value}")
