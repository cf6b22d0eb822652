from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")


class AuditEvent(models.Model):
    """Who did what to whom, when and from where. Append-only: rows are never changed, and
    only the retention command removes old ones. It holds ids and action names, never
    passwords, tokens or message bodies."""

    class Action(models.TextChoices):
        VIEW = "view", _("bekeken")
        DOWNLOAD = "download", _("gedownload")
        EXPORT = "export", _("geëxporteerd")
        EDIT = "edit", _("gewijzigd")
        BLOCK = "block", _("geblokkeerd")
        UNBLOCK = "unblock", _("gedeblokkeerd")
        MOVE = "move", _("verplaatst")
        DELETE = "delete", _("verwijderd")
        ERASE = "erase", _("gewist (AVG)")
        IMPORT = "import", _("geïmporteerd")
        INVITE = "invite", _("uitgenodigd")
        SEND = "send", _("verstuurd")
        LOGIN = "login", _("ingelogd")
        CREATE = "create", _("aangemaakt")
        # Identity: about a login, written for every school where the person has a role.
        LOGIN_FAILED = "login_failed", _("inloggen mislukt")
        LOCKOUT = "lockout", _("tijdelijk geblokkeerd na mislukte pogingen")
        RESET_REQUESTED = "reset_requested", _("nieuw wachtwoord aangevraagd")
        RESET_USED = "reset_used", _("wachtwoord ingesteld via link")
        PASSWORD_CHANGED = "password_changed", _("wachtwoord gewijzigd")
        SECOND_FACTOR_ON = "2fa_on", _("tweestapsverificatie aangezet")
        SECOND_FACTOR_OFF = "2fa_off", _("tweestapsverificatie uitgezet")
        SECOND_FACTOR_RESET = "2fa_reset", _("tweestapsverificatie gereset door beheerder")
        RECOVERY_CODE_USED = "recovery_used", _("herstelcode gebruikt")
        INVITE_ACCEPTED = "invite_accepted", _("uitnodiging geaccepteerd")
        EMAIL_CHANGED = "email_changed", _("e-mailadres gewijzigd")
        EMAIL_CONFIRMED = "email_confirmed", _("nieuw inlogadres bevestigd")
        # Mail to a parent came back as undeliverable (a hard bounce, mailings/bounces.py).
        BOUNCE = "bounce", _("onbestelbaar")

    school = models.ForeignKey(
        "schools.School", null=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the entry survives when the actor's account is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)
