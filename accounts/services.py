from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.tokens import email_confirm_token, invitation_token
from audit.services import audit_identity, mask_email
from lib.email import render_email
from schools.models import Parent, School, StaffMember


def password_link(user: User) -> str:
    """A single-use link: the token depends on the password hash, so it dies once used, and
    on its age (PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_set", args=[uid, token])


def _from_address(school: School | None) -> str:
    if school is None:
        return settings.DEFAULT_FROM_EMAIL
    return f"{school.name} via OCS <{school.from_email}>"


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    school: School | None,
    parent: Parent | None = None,
    reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
    secret: bool = False,
    coalesce_key: str = "",
) -> None:
    """Render now, send from the worker once the surrounding transaction has committed.

    `template` names a trio under templates/emails/ (<name>_subject.txt, .txt, .html);
    attachments are (filename, content, mimetype), e.g. an .ics invitation. Mail about a
    parent names them (`parent`), so their AVG export and erasure find it by key. `secret`
    marks mail carrying a link or code: its body is wiped once it has been sent."""
    from mailings.services import outbox_system_message

    rendered = render_email(template, context)
    # Written to the outbox inside the caller's transaction (rolled back with it); the worker
    # sends it after commit, with retries, like every other mail.
    outbox_system_message(
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        from_email=_from_address(school),
        reply_to=reply_to,
        attachments=list(attachments),
        school=school,
        parent=parent,
        secret=secret,
        coalesce_key=coalesce_key,
    )


class AccountError(Exception):
    """A refusal the user reads (Dutch)."""


def _link(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def invitation_send(*, record: Parent | StaffMember) -> bool:
    """Invite a parent or staff member, at the address the school has for them, to link a
    login (an existing one of that address, or a new one). Nothing links until the person
    accepts at that address. Skipped: no address, blocked or inactive, already linked, or
    invited too often."""
    from accounts.ratelimit import INVITE_PER_PARENT, rate_hit

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


def user_may_log_in(user: User) -> bool:
    from accounts.backends import EmailBackend

    return EmailBackend().user_can_authenticate(user)


def password_forgot(*, email: str, client: str | None) -> bool:
    """Count the request and hand it to the worker, which sends a reset link when the
    address is a login's. The request does the same work whatever the address, so neither
    the answer nor its timing tells whether an account exists. False when rate-limited."""
    from accounts.ratelimit import RESET_PER_ADDRESS, RESET_PER_CLIENT, rate_hit
    from accounts.tasks import password_reset_deliver

    email = email.strip().lower()
    with transaction.atomic():
        allowed = rate_hit(RESET_PER_ADDRESS, email) & rate_hit(RESET_PER_CLIENT, client)
        if allowed:
            transaction.on_commit(lambda: password_reset_deliver.enqueue(email=email, ip=client))
    return allowed


def password_reset_mail(*, email: str, ip: str | None = None) -> bool:
    """The worker's half of "wachtwoord vergeten": a reset link to the login with this
    address. The link goes to the login's own address; a school's contact addresses never
    lead to a login."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user_may_log_in(user):
        return False
    with transaction.atomic():
        email_enqueue(
            to=user.email,
            template="password_reset",
            context={"link": password_link(user), "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            school=None,
            secret=True,
        )
        audit_identity(request=None, user=user, action="reset_requested", ip=ip)
    return True


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
