import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Group, Parent, Pupil, School, StaffMember


class ConferenceRound(models.Model):
    """One teacher's parent-teacher conferences for one group, over one to five days."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="conference_rounds")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="conference_rounds")
    teacher = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="conference_rounds"
    )
    # Tells two rounds of one group apart ("Oudergesprekken Groep 3 november").
    name = models.CharField(_("naam"), max_length=120)
    location = models.CharField(_("plaats of videolink"), max_length=300, blank=True)
    total = models.PositiveSmallIntegerField(_("totaal aantal gesprekken"))
    duration_minutes = models.PositiveSmallIntegerField(_("duur van een gesprek (minuten)"))
    per_block = models.PositiveSmallIntegerField(_("aantal gesprekken zonder pauze"))
    break_minutes = models.PositiveSmallIntegerField(_("duur van de pauze (minuten)"))
    start_date = models.DateField(_("startdatum"))
    start_time = models.TimeField(_("begintijd"))
    end_time = models.TimeField(_("eindtijd"))
    extra_date_1 = models.DateField(_("extra dag"), null=True, blank=True)
    extra_date_2 = models.DateField(_("extra dag"), null=True, blank=True)
    extra_date_3 = models.DateField(_("extra dag"), null=True, blank=True)
    extra_date_4 = models.DateField(_("extra dag"), null=True, blank=True)
    closes_at = models.DateTimeField(_("inschrijven kan tot"))
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(per_block__gt=0),
                name="conference_round_positive_duration",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="conference_round_end_after_start"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="conference_round_has_name"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.group} {self.start_date:%d-%m-%Y}"

    @property
    def days(self) -> list:
        extra = [self.extra_date_1, self.extra_date_2, self.extra_date_3, self.extra_date_4]
        return sorted({self.start_date, *(d for d in extra if d)})

    @property
    def location_is_link(self) -> bool:
        return self.location.startswith(("https://", "http://"))

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def closes_text(self) -> str:
        """ "t/m woensdag 9 december" when booking closes at midnight, else day and time."""
        from datetime import timedelta

        from django.utils.formats import date_format

        local = timezone.localtime(self.closes_at)
        if (local.hour, local.minute) == (0, 0):
            day = date_format(local.date() - timedelta(days=1), "l j F")
            return _("t/m %(day)s") % {"day": day}
        return _("tot %(moment)s") % {"moment": date_format(local, "l j F H:i")}

    def is_open(self, now=None) -> bool:
        return self.is_published and (now or timezone.now()) < self.closes_at


class Slot(models.Model):
    """One conversation time. A slot holds at most one child (one row, claimed with a
    conditional UPDATE), and a child has at most one slot per round (unique constraint)."""

    round = models.ForeignKey(ConferenceRound, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="conference_slots"
    )
    # The parent who booked; empty when the teacher planned the child in.
    booked_by = models.ForeignKey(
        Parent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    # A separate talk for one guardian's household (separated parents); empty for the
    # child's shared talk. A child has one shared talk and one talk per such household.
    household = models.ForeignKey(
        Parent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The second time of a longer talk ("langer gesprek nodig", preference mode): it holds
    # the same child and household and points at the talk's first time.
    follows = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="continuation"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "pupil"],
                condition=Q(pupil__isnull=False, household__isnull=True, follows__isnull=True),
                name="conference_one_slot_per_child",
            ),
            models.UniqueConstraint(
                fields=["round", "pupil", "household"],
                condition=Q(pupil__isnull=False, household__isnull=False, follows__isnull=True),
                name="conference_one_slot_per_household",
            ),
            models.CheckConstraint(
                condition=Q(follows__isnull=True) | Q(pupil__isnull=False),
                name="conference_continuation_holds_a_child",
            ),
            models.UniqueConstraint(fields=["round", "starts_at"], name="conference_slot_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="conference_slot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {timezone.localtime(self.starts_at):%H:%M}"

    @property
    def talk_ends_at(self):
        """When the talk that starts here ends: a longer talk ends with its second time
        (select_related("continuation") saves the query)."""
        try:
            return self.continuation.ends_at
        except Slot.DoesNotExist:
            return self.ends_at


from conferences.period_models import (  # noqa: E402,F401  (registered with the app)
    ChildWish,
    ConferencePeriod,
    PeriodRound,
    PeriodWish,
    PlanNote,
    SwapRequest,
)
