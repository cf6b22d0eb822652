import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


def new_session_stamp() -> str:
    return secrets.token_hex(16)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login: an e-mail address and a password. What the person may do comes from their
    StaffMember and/or Parent rows, never from this model."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin only; not an OCS role.
    date_joined = models.DateTimeField(default=timezone.now)
    # Rotating the stamp ends every session of this user at their next request: it is part
    # of the session auth hash Django checks on each request.
    session_stamp = models.CharField(max_length=32, default=new_session_stamp)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        return salted_hmac(
            "ocs.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def may_log_in(self) -> bool:
        """Active, and holding an active staff role or an unblocked parent record at some
        school: a blocked parent with no other role gets the answer of a wrong password."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        from schools.models import Parent, StaffMember

        return (
            StaffMember.objects.filter(user=self, is_active=True).exists()
            or Parent.objects.filter(user=self, is_blocked=False).exists()
        )

    def end_all_sessions(self) -> None:
        self.session_stamp = new_session_stamp()
        self.save(update_fields=["session_stamp"])


class RecoveryCodeDevice(Device):
    """One-time recovery codes for the second factor, for when the phone is lost. Shown once
    at set-up; only keyed digests are stored, and a used code is removed."""

    code_digests = models.JSONField(default=list)

    @staticmethod
    def digest(code: str) -> str:
        normal = "".join(ch for ch in code.upper() if ch.isalnum())
        return salted_hmac("ocs.accounts.recovery", normal, algorithm="sha256").hexdigest()

    def verify_token(self, token) -> bool:
        from django.db import transaction

        wanted = self.digest(str(token))
        with transaction.atomic():
            device = type(self).objects.select_for_update().filter(pk=self.pk).first()
            if device is None or wanted not in device.code_digests:
                return False
            device.code_digests = [d for d in device.code_digests if d != wanted]
            device.save(update_fields=["code_digests"])
        self.code_digests = device.code_digests
        return True
