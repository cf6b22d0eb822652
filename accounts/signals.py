"""Logins, failed logins and lockouts in the Logboek of the person's schools."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.models import User
from audit.services import audit_identity, audit_record, mask_email
from schools.access import MULTI_SCHOOL_KEY


def _user_for(username) -> User | None:
    if not username:
        return None
    return User.objects.filter(email__iexact=str(username).strip()).first()


@receiver(user_logged_in, dispatch_uid="ocs-audit-login")
def audit_login(sender, request, user, **kwargs):
    schools = audit_identity(request=request, user=user, action="login")
    if request is not None and hasattr(request, "session"):
        request.session[MULTI_SCHOOL_KEY] = len(schools) > 1


def _audit_failure(request, username, action: str) -> None:
    user = _user_for(username)
    if user is None:
        # Recorded too, without a school: the same work whether or not the address exists.
        audit_record(
            request=request,
            action=action,
            object_type="user",
            school=None,
            username=mask_email(str(username or "")),
        )
        return
    audit_identity(request=request, user=user, action=action)


@receiver(user_login_failed, dispatch_uid="ocs-audit-login-failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    _audit_failure(request, credentials.get("username"), "login_failed")


@receiver(user_locked_out, dispatch_uid="ocs-audit-lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    _audit_failure(request, username, "lockout")
