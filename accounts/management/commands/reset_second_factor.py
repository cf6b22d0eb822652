from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.otp import second_factor_reset
from schools.models import StaffMember


class Command(BaseCommand):
    help = (
        "Reset the second factor of a staff login (lost phone), also when the login has staff "
        "roles at several schools, which no school's beheerder may do. The person is logged "
        "out everywhere and told by mail; the Logboek of every school where they have a role "
        "records it."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the login's e-mail address")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Er is geen account met het adres {email}.")
        if not StaffMember.objects.filter(user=user).exists():
            raise CommandError(
                f"{email} is geen medewerker van een school; ouders hebben geen "
                "tweestapsverificatie."
            )
        with transaction.atomic():
            schools = second_factor_reset(user=user, request=None, by="")
        if schools is None:
            self.stdout.write(
                f"{user.email} heeft geen tweestapsverificatie; er is niets gewijzigd."
            )
            return
        names = ", ".join(school.name for school in schools)
        self.stdout.write(
            f"De tweestapsverificatie van {user.email} is gereset; de persoon is overal "
            f"uitgelogd en krijgt een e-mail. Vastgelegd in het Logboek van: {names}."
        )
