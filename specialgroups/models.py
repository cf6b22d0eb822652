import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Group, Parent, School


class SpecialGroup(models.Model):
    """A "speciale groep" parents sign up for: without activity (a name and a hoofdgroep, or
    none for the whole school) or with activity (also a description, a sign-up deadline, a
    maximum and the groups whose parents may take part)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="special_groups")
    name = models.CharField(_("naam"), max_length=100)
    has_activity = models.BooleanField(default=False)
    # With activity: places drawn by lot after the end date instead of first come.
    lottery = models.BooleanField(_("plaatsen verloten"), default=False)
    # Without activity: one hoofdgroep, or none (every parent of the school may join).
    main_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hoofdgroep"),
    )
    description = models.TextField(_("omschrijving van de activiteit"), blank=True)
    # Inclusive: sign-up is open until the end of this day, Europe/Amsterdam.
    signup_deadline = models.DateField(_("einddatum van de inschrijving"), null=True, blank=True)
    max_participants = models.PositiveIntegerField(
        _("maximaal aantal ouders"), null=True, blank=True
    )
    eligible_groups = models.ManyToManyField(
        Group, blank=True, related_name="special_groups", verbose_name=_("groepen")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_participants__isnull=True) | Q(max_participants__gte=1),
                name="special_group_max_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Signup(models.Model):
    """A parent's membership of a special group (signed up in the portal or added by staff)."""

    special_group = models.ForeignKey(
        SpecialGroup, on_delete=models.CASCADE, related_name="signups"
    )
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="signups")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["special_group", "parent"], name="signup_unique")
        ]


class PortalListVisit(models.Model):
    """When a parent last opened the portal's special-group page: groups created after it are
    "new" to them and announced on the portal dashboard."""

    parent = models.OneToOneField(Parent, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()


class WaitlistEntry(models.Model):
    """A parent waiting for a place in a full group (promoted in order when a place frees
    before the end date), or taking part in a group's lottery."""

    special_group = models.ForeignKey(
        SpecialGroup, on_delete=models.CASCADE, related_name="waitlist"
    )
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["special_group", "parent"], name="waitlist_unique")
        ]


class LotteryDraw(models.Model):
    """One draw: the seed (so the Logboek can replay it), who won and who lost."""

    special_group = models.OneToOneField(
        SpecialGroup, on_delete=models.CASCADE, related_name="draw"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField()
    drawn_at = models.DateTimeField(auto_now_add=True)
    winners = models.JSONField(default=list)  # parent ids, in drawn order
    losers = models.JSONField(default=list)
    priority = models.JSONField(default=list)  # losers of the school's previous draw
