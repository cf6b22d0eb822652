import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def join_name(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


class School(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(unique=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    # Mail goes out from this address "via OCS"; replies go to the sending teacher.
    from_email = models.EmailField(_("afzenderadres"))
    require_staff_2fa = models.BooleanField(
        _("tweestapsverificatie verplicht voor personeel"), default=False
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def group_sort_key(name: str) -> tuple:
    """'Groep 1/2A' < 'Groep 3' < 'Groep 10': numbers compare as numbers."""
    return tuple(int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name))


class Group(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("naam"), max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="group_name_unique_per_school")
        ]

    def __str__(self) -> str:
        return self.name


class Pupil(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    number = models.CharField(_("leerlingnummer"), max_length=20)
    first_name = models.CharField(_("roepnaam"), max_length=100)
    infix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils"
    )
    # Set when a pupil no longer appears in the export (left the school); retention removes
    # such pupils after the configured time.
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="pupil_number_unique")
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.infix, self.last_name)


class Parent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="parents")
    # The person's login, linked only when they proved they hold the address (accepted an
    # invitation). The school's `email` below is contact data and never moves a login; one
    # login may hold parent records at several schools (one per school).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parent_records",
    )
    first_name = models.CharField(_("voornaam"), max_length=100)
    infix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    street = models.CharField(_("straat"), max_length=150, blank=True)
    house_number = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    is_blocked = models.BooleanField(_("geblokkeerd"), default=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    # The person's own choice for the portal and OCS's own mails (the school's message texts
    # stay as written). Set in the portal's "Mijn gegevens"; the import never touches it.
    language = models.CharField(
        _("taal"),
        max_length=2,
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
    )
    pupils = models.ManyToManyField(Pupil, through="Guardianship", related_name="parents")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "school",
                Lower("email"),
                condition=~Q(email=""),
                name="parent_email_unique_per_school",
            ),
            models.UniqueConstraint(
                fields=["school", "user"],
                condition=Q(user__isnull=False),
                name="parent_login_once_per_school",
            ),
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.infix, self.last_name)

    @property
    def sort_name(self) -> str:
        return join_name(self.last_name, self.first_name).lower()

    @property
    def address(self) -> str:
        first = join_name(self.street, self.house_number)
        second = join_name(self.postcode, self.city)
        return ", ".join(p for p in (first, second) if p)

    @property
    def is_activated(self) -> bool:
        """The person accepted an invitation: their login is linked to this record."""
        return self.user_id is not None


class Guardianship(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "moeder", _("moeder")
        FATHER = "vader", _("vader")
        CARER = "verzorger", _("verzorger")

    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="guardianships")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardianships")
    relation = models.CharField(
        _("relatie"), max_length=20, choices=Relation.choices, default=Relation.CARER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "pupil"], name="guardianship_unique")
        ]


class StaffMember(models.Model):
    class Role(models.TextChoices):
        TEACHER = "leerkracht", _("leerkracht")
        DIRECTOR = "directie", _("directie")
        ADMINISTRATOR = "beheerder", _("beheerder")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    # As for parents: the school's `email` is where it reaches this person; the login is
    # linked once they accept a staff invitation at that address. One login may hold roles
    # at several schools.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_roles",
    )
    email = models.EmailField(
        _("e-mailadres"),
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    first_name = models.CharField(_("voornaam"), max_length=100)
    infix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.TEACHER)
    can_edit_parents = models.BooleanField(_("mag ouders wijzigen"), default=False)
    is_active = models.BooleanField(default=True)
    groups = models.ManyToManyField(Group, blank=True, related_name="teachers")

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint("school", Lower("email"), name="staff_email_unique_per_school"),
            models.UniqueConstraint(
                fields=["school", "user"],
                condition=Q(user__isnull=False),
                name="staff_login_once_per_school",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.infix, self.last_name)

    @property
    def is_manager(self) -> bool:
        """Directie and beheerder see every group of their school."""
        return self.role in (self.Role.DIRECTOR, self.Role.ADMINISTRATOR)

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR


class ImportBatch(models.Model):
    """An uploaded export kept between the preview and the beheerder's confirmation."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    pupils_csv = models.TextField()
    staff_csv = models.TextField(blank=True)
    # The encoding the uploaded files were read in (a Python codec name, e.g. "cp1252").
    pupils_encoding = models.CharField(max_length=20, blank=True, default="utf_8")
    staff_encoding = models.CharField(max_length=20, blank=True, default="")
    applied_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)


# --- what imports remember (see schools/importer.py) -----------------------------------------


class PupilBaseline(models.Model):
    """What the last import brought in for a pupil: names, group and the parents it linked.
    The next import applies only what the export changed since, so the school's own changes
    in OCS (a pupil moved up a group early) survive an export that still has the old data."""

    pupil = models.OneToOneField(
        Pupil, primary_key=True, on_delete=models.CASCADE, related_name="baseline"
    )
    values = models.JSONField(default=dict)


class ParentBaseline(models.Model):
    """What the last import brought in for a parent (the export's fields, as exported)."""

    parent = models.OneToOneField(
        Parent, primary_key=True, on_delete=models.CASCADE, related_name="baseline"
    )
    values = models.JSONField(default=dict)


class ParentTombstone(models.Model):
    """A parent the school deleted, remembered so that the next import does not create them
    again. It holds no personal data: only keyed hashes (HMAC-SHA256 with a key derived from
    SECRET_KEY and the school) of the normalised e-mail address and of name + postcode +
    huisnummer, as OCS and the last export knew them. Nobody can read a name or address back
    from it; an import can only recognise the same person when the export lists them again."""

    class Reason(models.TextChoices):
        DELETED = "verwijderd", _("verwijderd")
        ERASED = "gewist", _("gewist op verzoek (AVG)")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    digests = models.JSONField(default=list)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last import that recognised this parent in the export; retention removes
    # tombstones that no export mentioned for the retention period.
    last_seen_on = models.DateField()


class ImportChange(models.Model):
    """One change an import made, with what was there before: what "Import ongedaan maken"
    puts back. Rows about a parent or pupil go with them (AVG erasure, retention)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=30)
    group = models.ForeignKey(Group, null=True, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, null=True, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Parent, null=True, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, null=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
