"""What families keep current themselves: the school's policy and the changes they ask for."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Parent, Pupil, School, StaffMember


class FamilyPolicy(models.Model):
    """A school's choices for parents' self-service (one row per school, made when needed)."""

    school = models.OneToOneField(
        School, primary_key=True, on_delete=models.CASCADE, related_name="family_policy"
    )
    approve_changes = models.BooleanField(
        _("wijzigingen van ouders eerst goedkeuren"),
        default=False,
        help_text=_(
            "Aan: een wijziging van een ouder wacht tot de administratie haar goedkeurt. "
            "Uit: de wijziging geldt meteen."
        ),
    )
    consent_one_no_wins = models.BooleanField(
        _("één 'nee' van een gezaghebbende ouder telt"),
        default=True,
        help_text=_(
            "Aan: zegt één ouder nee, dan is er geen toestemming. Uit: het laatste antwoord "
            "van een ouder telt."
        ),
    )


class DetailChange(models.Model):
    """A parent's correction of their own contact details, from "Mijn gegevens".

    `values` maps each changed field to {"old": …, "new": …} as the parent saw and wrote them.
    With the school's approval required the change waits (one waiting change per parent: a
    newer one replaces it); otherwise it is applied at once and kept as a record.
    """

    class Status(models.TextChoices):
        PENDING = "wacht", _("wacht op goedkeuring")
        APPLIED = "verwerkt", _("verwerkt")
        REFUSED = "afgewezen", _("afgewezen")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="detail_changes")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    values = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices)
    decided_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent"],
                condition=Q(status="wacht"),
                name="detail_change_one_pending_per_parent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["wacht", "verwerkt", "afgewezen"]),
                name="detail_change_status_valid",
            ),
        ]

    def rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for display."""
        return [
            (Parent._meta.get_field(name).verbose_name, change["old"], change["new"])
            for name, change in self.values.items()
        ]


# --- Toestemming beeldmateriaal -------------------------------------------------------------


class ConsentPurpose(models.Model):
    """What the school asks consent for (schoolgids, website, sociale media, …)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("doel"), max_length=100)
    description = models.CharField(_("toelichting"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="consent_purpose_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ConsentRound(models.Model):
    """A school year's request for consent, started by the beheerder."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(_("schooljaar"), max_length=9)  # "2026-2027"
    started_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="consent_round_unique")
        ]

    def __str__(self) -> str:
        return self.school_year


class ConsentAnswer(models.Model):
    """One guardian's answer for one child and purpose in one round. Changing "ja" into
    "nee" later is a withdrawal; the history of changes is in the audit log."""

    class Answer(models.TextChoices):
        GIVEN = "ja", _("toestemming")
        REFUSED = "nee", _("geen toestemming")
        WITHDRAWN = "ingetrokken", _("ingetrokken")

    round = models.ForeignKey(ConsentRound, on_delete=models.CASCADE, related_name="answers")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.CASCADE, related_name="answers")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "purpose", "pupil", "parent"], name="consent_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["ja", "nee", "ingetrokken"]), name="consent_answer_valid"
            ),
        ]


# --- Two households -------------------------------------------------------------------------


class GuardianRestriction(models.Model):
    """The administration restricted a guardian for a child (for example a court decision).

    While it holds, the guardian's link to the child (schools.Guardianship) is taken away, so
    every part of OCS that goes through that link (portal, mailings, bookings, special
    groups, PDFs, exports) treats them as no guardian of the child. The relation is kept here
    to put the link back when the restriction is lifted. The reason is for directie and
    beheerder only; teachers see that a restriction exists, never why.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="restrictions")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="restrictions")
    relation = models.CharField(max_length=20)
    reason = models.TextField(_("reden"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "parent"], name="guardian_restriction_unique")
        ]
