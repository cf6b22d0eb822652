from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from accounts.services import invitation_send
from audit.services import audit_record
from lib.email import has_line_break
from schools.models import School, StaffMember


class Command(BaseCommand):
    help = (
        "Add a school to this installation, with its first beheerder. The beheerder gets an "
        "invitation by mail (the link is never printed) and then imports the school's data."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="short name in URLs, e.g. de-zon")
        parser.add_argument("name", help='the school\'s name, e.g. "Basisschool De Zon"')
        parser.add_argument("--from-email", required=True, help="address mail is sent from")
        parser.add_argument("--admin-email", required=True, help="the first beheerder")
        parser.add_argument("--admin-first-name", default="Beheerder")
        parser.add_argument("--admin-last-name", default="")
        parser.add_argument("--city", default="")

    def handle(self, *args, slug, name, from_email, admin_email, **options):
        try:
            validate_slug(slug)
            validate_email(from_email)
            validate_email(admin_email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not name.strip() or has_line_break(name):
            raise CommandError("The name must be one line of text.")
        if School.objects.filter(slug=slug).exists():
            raise CommandError(f"A school with slug {slug!r} exists already.")
        with transaction.atomic():
            school = School.objects.create(
                slug=slug, name=name.strip(), from_email=from_email, city=options["city"]
            )
            admin = StaffMember.objects.create(
                school=school,
                email=admin_email.lower(),
                first_name=options["admin_first_name"],
                last_name=options["admin_last_name"] or name.strip(),
                role=StaffMember.Role.ADMINISTRATOR,
                can_edit_parents=True,
            )
            invitation_send(record=admin)
            audit_record(request=None, action="create", obj=school, by="manage.py create_school")
        self.stdout.write(
            self.style.SUCCESS(f"School {school.name} ({slug}) created.")
            + f"\nAn invitation went to {admin_email}; the link in it is valid for a limited time."
            + "\nThe beheerder then imports the school's data at Beheer → Import."
        )
