from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lib.csvread import decode
from schools.importer import ImportProblems, import_apply, import_plan, import_summary
from schools.models import School


class Command(BaseCommand):
    help = "Import a school's export (pupils with guardians, and optionally staff)."

    def add_arguments(self, parser):
        parser.add_argument("school", help="slug of the school")
        parser.add_argument("pupils", type=Path, help="leerlingen CSV")
        parser.add_argument("--staff", type=Path, help="personeel CSV")
        parser.add_argument("--dry-run", action="store_true", help="only show what would change")

    def handle(self, *args, school: str, pupils: Path, staff: Path | None, dry_run: bool, **kw):
        try:
            school_obj = School.objects.get(slug=school)
        except School.DoesNotExist:
            raise CommandError(f"Onbekende school: {school}") from None
        arguments = {
            "school": school_obj,
            "pupils_csv": decode(pupils.read_bytes()),
            "staff_csv": decode(staff.read_bytes()) if staff else "",
        }
        try:
            plan = (import_plan if dry_run else import_apply)(**arguments)
        except ImportProblems as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError("De import is niet uitgevoerd; er is niets gewijzigd.") from None
        for key, value in import_summary(plan).items():
            self.stdout.write(f"{key}: {value}")
