from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from demo.conferences import demo_conferences_load
from demo.mailings import demo_mailings_load
from demo.specialgroups import demo_special_groups_load
from lib.csvread import decode
from schools.importer import import_apply
from schools.models import Parent, School, StaffMember

# The demo school's export, in the import format the README describes.
DEMO_DIR = Path(__file__).resolve().parents[2] / "data"
# The demo's published password (README); the demo is not a production school.
DEMO_PASSWORD = "ocs-demo-2026"  # noqa: S105  # nosec B105
# The logins printed by `make run` and listed in the README.
DEMO_LOGINS = [
    ("leerkracht (Groep 1/2A, mag ouders wijzigen)", "anita.kuipers@school1.example.nl"),
    ("leerkracht met twee groepen (1/2A en 1/2B)", "marit.dekker@school1.example.nl"),
    ("directie", "directie@school1.example.nl"),
    ("beheerder", "administratie@school1.example.nl"),
    ("ouder (één kind, Groep 1/2A)", "iris.elamrani@gmail.com"),
    (
        "ouder (kinderen in Groep 1/2A en Groep 6, en Groep 4 van De Zon)",
        "piotr.elamrani@icloud.com",
    ),
    ("beheerder van de tweede school, De Zon", "beheer@dezon.example.nl"),
]
# A second school on the same installation: one login (Piotr) with children at both, and
# another school's beheerder to try what a school may and may not reach.
SECOND_SCHOOL = {
    "slug": "de-zon",
    "name": "Basisschool De Zon",
    "city": "Zwolle",
    "from_email": "info@dezon.example.nl",
    "pupils": "dezon-leerlingen.csv",
    "staff": "dezon-personeel.csv",
}


class Command(BaseCommand):
    help = "Load the demo school (idempotent: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        school = self._school(
            slug="de-regenboog",
            name="Basisschool De Regenboog",
            city="Zwolle",
            from_email="info@school1.example.nl",
            pupils="leerlingen.csv",
            staff="personeel.csv",
        )
        second = self._school(**SECOND_SCHOOL)
        for _label, email in DEMO_LOGINS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email)
            # The demo's own people: linked directly, as if they had accepted an invitation.
            for model in (StaffMember, Parent):
                model.objects.filter(
                    school__in=[school, second], email__iexact=email, user=None
                ).update(user=user)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        demo_special_groups_load(school=school)
        demo_conferences_load(school=school)
        demo_mailings_load(school=school)
        self.stdout.write(self.style.SUCCESS(f"Demo schools: {school.name}, {second.name}"))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for label, email in DEMO_LOGINS:
            self.stdout.write(f"  {email:40} {label}")

    def _school(self, *, slug, name, city, from_email, pupils, staff) -> School:
        school, _ = School.objects.get_or_create(
            slug=slug, defaults={"name": name, "city": city, "from_email": from_email}
        )
        import_apply(
            school=school,
            pupils_csv=decode((DEMO_DIR / pupils).read_bytes()),
            staff_csv=decode((DEMO_DIR / staff).read_bytes()),
        )
        return school
