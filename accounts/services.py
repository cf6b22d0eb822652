from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import email_enqueue
from accounts.models import User
from accounts.tokens import email_confirm_token, invitation_token
from audit.services import audit_identity, mask_email
from schools.models import Parent, StaffMember


class AccountError(Exception):
    """A refusal the user reads (Dutch)."""


def _link(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def invitation_send(*, record: Parent | StaffMember, note: str = "") -> bool:
    """Invite a parent or staff member, at the address the school has for them, to link a
    login (an existing one of that address, or a new one). Nothing links until the person
    accepts at that address. Skipped: no address, blocked or inactive, already linked, or
    invited too often. `note` is the school's own text above the link (a reminder)."""
    from throttle.limits import INVITE_PER_PARENT, rate_hit

    if not record.email or record.user_id is not None:
        return False
    if getattr(record, "is_blocked", False) or not getattr(record, "is_active", True):
        return False
    kind = "p" if isinstance(record, Parent) else "s"
    if not rate_hit(INVITE_PER_PARENT, f"{kind}{record.pk}"):
        return False
    record.invited_at = timezone.now()
    record.save(update_fields=["invited_at"])
    email_enqueue(
        to=record.email,
        template="invitation" if kind == "p" else "staff_invitation",
        context={
            "record": record,
            "school": record.school,
            "link": _link("accounts:invitation_accept", invitation_token(record)),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "note": note,
        },
        school=record.school,
        parent=record if kind == "p" else None,
        secret=True,
    )
    return True


def invitation_accept(*, record: Parent | StaffMember, user: User) -> None:
    """Link `user` (who proved they hold the invited address) to the record, once."""
    model = type(record)
    if user.email.lower() != record.email.lower():
        raise AccountError(_("Deze uitnodiging is voor een ander e-mailadres."))
    try:
        with transaction.atomic():
            linked = model.objects.filter(pk=record.pk, user__isnull=True).update(user=user)
    except IntegrityError:
        raise AccountError(
            _("Uw account is al gekoppeld aan een andere %(what)s van %(school)s.")
            % {
                "what": _("ouder") if model is Parent else _("medewerker"),
                "school": record.school.name,
            }
        ) from None
    if not linked:
        raise AccountError(_("Deze uitnodiging is al gebruikt."))
    record.user = user


def password_forgot(*, email: str, client: str | None) -> bool:
    """Count the request and hand it to the worker, which sends a reset link when the
    address is a login's. The request does the same work whatever the address, so neither
    the answer nor its timing tells whether an account exists. False when rate-limited."""
    from accounts.tasks import password_reset_deliver
    from lib.tasks import enqueue_with_transaction
    from throttle.limits import RESET_PER_ADDRESS, RESET_PER_CLIENT, rate_hit

    email = email.strip().lower()
    with transaction.atomic():
        allowed = rate_hit(RESET_PER_ADDRESS, email) & rate_hit(RESET_PER_CLIENT, client)
        if allowed:
            enqueue_with_transaction(password_reset_deliver, email=email, ip=client)
    return allowed


def email_change_notify(*, parent: Parent, old: str) -> None:
    """The school changed a parent's contact address. The old address hears of it; a linked
    login keeps its address until its person confirms the new one from the new mailbox."""
    if old:
        email_enqueue(
            to=old,
            template="email_changed_notice",
            context={"school": parent.school, "new": mask_email(parent.email)},
            school=parent.school,
            parent=parent,
        )
    user = parent.user
    if user is None or not parent.email or user.email.lower() == parent.email.lower():
        return
    email_enqueue(
        to=parent.email,
        template="email_confirm",
        context={
            "school": parent.school,
            "link": _link(
                "accounts:email_confirm", email_confirm_token(user=user, new_email=parent.email)
            ),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        school=parent.school,
        parent=parent,
        secret=True,
    )


def email_confirm(*, user: User, new_email: str, request=None) -> None:
    """Make a confirmed address the login's address; the old address is told."""
    old = user.email
    with transaction.atomic():
        if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
            raise AccountError(
                _("Dit e-mailadres hoort al bij een ander account. Uw inlognaam blijft %(old)s.")
                % {"old": old}
            )
        user.email = new_email.lower()
        user.save(update_fields=["email"])
        email_enqueue(
            to=old,
            template="login_email_changed",
            context={"new": mask_email(new_email)},
            school=None,
        )
        audit_identity(
            request=request,
            user=user,
            action="email_confirmed",
            old=mask_email(old),
            new=mask_email(new_email),
        )
