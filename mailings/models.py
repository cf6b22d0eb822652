import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Group, Parent, Pupil, School, StaffMember
from specialgroups.models import SpecialGroup


class Mailing(models.Model):
    """An "oudermailing": what a staff member sent to which groups. The per-recipient delivery
    state lives in OutgoingMessage. A draft (or a scheduled mailing) has no outbox rows yet:
    its recipients are resolved when it is sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        SCHEDULED = "scheduled", _("ingepland")
        SENT = "sent", _("verzonden")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="mailings")
    sender = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="mailings"
    )
    # Kept as sent: the Reply-To and the sender's copy must not change if the account goes.
    sender_name = models.CharField(max_length=200)
    sender_email = models.EmailField()
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("bericht"))
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    special_groups = models.ManyToManyField(SpecialGroup, blank=True, related_name="+")
    individual = models.BooleanField(default=False)
    # Who could not be reached and why: [{"name": ..., "reason": "blocked" | "no_email"}].
    skipped = models.JSONField(default=list, blank=True)
    # For a sent mailing: when it was sent; for a draft: when it was last saved.
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    # When a scheduled mailing goes (the worker sends it then).
    send_at = models.DateTimeField(null=True, blank=True)
    # A draft's "Individuele ouder" choice: the parents' public ids, checked again at sending.
    chosen_parents = models.JSONField(default=list, blank=True)
    # Why a scheduled mailing did not go and came back to the drafts (shown to its author).
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(send_at__isnull=False),
                name="mailing_scheduled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "send_at"], name="mailing_due")]

    def __str__(self) -> str:
        return self.subject


class MailingAttachment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="attachments")
    # Stored through the default storage, outside the web root; served by an access check.
    file = models.FileField(max_length=300)
    filename = models.CharField(max_length=150)
    mimetype = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class PendingAttachment(models.Model):
    """A file the content check accepted while the rest of the form could not be sent (another
    file refused, no subject, ...): kept for its staff member so the next "Verstuur bericht"
    sends it without choosing it again. Becomes a MailingAttachment when the mailing goes;
    `manage.py retention` removes what was left behind after a day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(max_length=300)
    filename = models.CharField(max_length=150)
    mimetype = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class OutgoingMessage(models.Model):
    """One e-mail in the outbox: a recipient of a mailing, the sender's copy, or system mail
    (mailing is null and the rendered message is in `payload`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        SENDING = "sending", _("bezig")
        SENT = "sent", _("verzonden")
        FAILED = "failed", _("mislukt")
        RETRY = "retry", _("opnieuw proberen")
        # Accepted by the mail server, then reported back as undeliverable (a hard bounce).
        BOUNCED = "bounced", _("onbestelbaar")

    # The parent's portal names a message by this, never by its row number.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mailing = models.ForeignKey(
        Mailing, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Whose mail this is, by foreign key: an AVG export or erasure reaches a parent's mail
    # through these, never by matching addresses (another school may know the same address).
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    parent = models.ForeignKey(
        Parent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The one child a system message is about (a talk, a notice for one child), so mail
    # still waiting can be withdrawn when the school restricts the guardian for that child.
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    # Mail holding a link or code (invitation, reset, confirmation): its body is wiped once
    # sent, so the secret is not readable afterwards in the outbox, an export or a page.
    carries_secret = models.BooleanField(default=False)
    # Notices that may be merged while still waiting (a co-parent informed of several
    # changes in a row gets one mail with the latest state).
    coalesce_key = models.CharField(max_length=100, blank=True)
    # What the message tells about, for the record of who was informed (e.g. "talk:<slot>:
    # <pupil>" on a booking's confirmation and the note to the other guardian).
    topic = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200, blank=True)
    is_sender_copy = models.BooleanField(default=False)
    payload = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When the parent first opened it in the portal: only what they do in OCS is known
    # (no tracking pixels, no rewritten links).
    read_at = models.DateTimeField(null=True, blank=True)
    # The latest bounce report for this message (mailings/bounces.py): its DSN status code
    # ("5.1.1" hard, "4.2.2" soft) and when it came; soft ones are counted.
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_status = models.CharField(max_length=10, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "email"],
                condition=Q(mailing__isnull=False),
                name="outgoing_message_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(mailing__isnull=False) | Q(payload__isnull=False),
                name="outgoing_message_has_content",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["parent", "-created_at"], name="outbox_parent_newest"),
            models.Index(fields=["topic"], name="outbox_topic", condition=~Q(topic="")),
            # "E-mailadres werkt niet": a parent's hard bounces, looked up per parent list.
            models.Index(
                fields=["parent", "email"], condition=Q(status="bounced"), name="outbox_bounced"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class DeliverySchedule(models.Model):
    """One row: when the next deferred delivery run is due. Runs that find retries waiting
    schedule a follow-up only when none is planned for that time or earlier, so a long SMTP
    outage does not multiply the follow-up runs."""

    run_after = models.DateTimeField(null=True, blank=True)


# "Vraag om reactie" lives in its own module; imported here so Django finds the models.
from mailings.question_models import Answer, Choice, Question  # noqa: E402, F401
