"""A school-wide conference period: several groups' rounds planned together.

Each group of the period keeps its own ConferenceRound (times from the manual's generator,
per teacher); PeriodRound links the round to the period. In first-come mode a family books
all its children's talks at once; in preference mode families give their availability and
wishes until the deadline, then the planner (conferences.planner) plans the whole period.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Parent, Pupil, School, StaffMember


class ConferencePeriod(models.Model):
    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("Ouders kiezen zelf een tijd")
        PREFERENCE = "preference", _("Ouders geven voorkeuren, OCS plant")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="conference_periods")
    name = models.CharField(_("naam"), max_length=100)
    mode = models.CharField(_("manier van plannen"), max_length=20, choices=Mode.choices)
    walk_minutes = models.PositiveSmallIntegerField(
        _("looptijd tussen twee leerkrachten (minuten)"), default=5
    )
    closes_at = models.DateTimeField(_("inschrijven of voorkeuren geven kan tot"))
    # Preference mode: how many interpreter talks ("tolk nodig") can run at once across the
    # school (the school's interpreters); 0: no limit (families bring their own).
    interpreters = models.PositiveSmallIntegerField(_("aantal tolken tegelijk"), default=1)
    created_by = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Opened: families see the period (book, or give preferences). Preference mode also
    # records when the planner last ran and when the plan went to the families.
    opened_at = models.DateTimeField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(walk_minutes__lte=60), name="conference_period_walk_at_most_an_hour"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_preference(self) -> bool:
        return self.mode == self.Mode.PREFERENCE

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.closes_at


class PeriodRound(models.Model):
    period = models.ForeignKey(ConferencePeriod, on_delete=models.CASCADE, related_name="links")
    round = models.OneToOneField(
        "conferences.ConferenceRound", on_delete=models.CASCADE, related_name="period_link"
    )


class PeriodWish(models.Model):
    """One parent's availability for a preference-mode period: the windows (day, from, to)
    in which they can come. No windows: the parent can come at any time."""

    period = models.ForeignKey(ConferencePeriod, on_delete=models.CASCADE, related_name="wishes")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    windows = models.JSONField(default=list)
    note = models.CharField(_("opmerking"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "parent"], name="period_wish_per_parent")
        ]


class ChildWish(models.Model):
    """A guardian's wishes for one child's talk in a period (both modes)."""

    period = models.ForeignKey(
        ConferencePeriod, on_delete=models.CASCADE, related_name="child_wishes"
    )
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    separate = models.BooleanField(_("een apart gesprek voor mijn huishouden"), default=False)
    interpreter = models.BooleanField(_("tolk nodig"), default=False)
    child_joins = models.BooleanField(_("het kind komt mee"), default=False)
    longer = models.BooleanField(_("een langer gesprek nodig"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "parent", "pupil"], name="child_wish_per_guardian"
            )
        ]


class PlanNote(models.Model):
    """Why the planner could not place a talk (or placed it outside the availability)."""

    period = models.ForeignKey(ConferencePeriod, on_delete=models.CASCADE, related_name="notes")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        Parent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    placed = models.BooleanField(default=False)
    reason = models.CharField(max_length=300)


class SwapRequest(models.Model):
    """After publication (preference mode), a parent asks to move one of their talks to
    another free time of the same teacher; the teacher approves or refuses."""

    class Status(models.TextChoices):
        OPEN = "open", _("wacht op de leerkracht")
        APPROVED = "approved", _("goedgekeurd")
        REFUSED = "refused", _("geweigerd")
        WITHDRAWN = "withdrawn", _("vervangen door een nieuw verzoek")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(
        ConferencePeriod, on_delete=models.CASCADE, related_name="swap_requests"
    )
    round = models.ForeignKey(
        "conferences.ConferenceRound", on_delete=models.CASCADE, related_name="+"
    )
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    # The talk: the child's shared talk (empty) or one household's own talk.
    household = models.ForeignKey(
        Parent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    from_starts_at = models.DateTimeField()
    to_slot = models.ForeignKey(
        "conferences.Slot", on_delete=models.CASCADE, related_name="swap_requests"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "pupil"],
                condition=Q(status="open", household__isnull=True),
                name="swap_one_open_request_per_talk",
            ),
            models.UniqueConstraint(
                fields=["period", "pupil", "household"],
                condition=Q(status="open", household__isnull=False),
                name="swap_one_open_request_per_household_talk",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="swap_decided_has_a_moment",
            ),
        ]
