"""Mail about logins: rendering system mail into the outbox, reset links, and the notices
that the worker or the login backend sends. Imported by services, tasks and the backend
alike, and importing none of them, so the imports run one way."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language

from accounts.models import User
from audit.services import audit_identity
from lib.email import render_email
from schools.models import Parent, Pupil, School
from throttle.limits import BLOCKED_NOTICE, rate_hit


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
    pupil: Pupil | None = None,
    reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
    secret: bool = False,
    coalesce_key: str = "",
    topic: str = "",
) -> None:
    """Render now, send from the worker once the surrounding transaction has committed.

    `template` names a trio under templates/emails/ (<name>_subject.txt, .txt, .html);
    attachments are (filename, content, mimetype), e.g. an .ics invitation. Mail about a
    parent names them (`parent`), so their AVG export and erasure find it by key. `secret`
    marks mail carrying a link or code: its body is wiped once it has been sent."""
    from mailings.services import outbox_system_message

    # Mail about a parent speaks their language (OCS's own texts; a school's message stays as
    # written); other mail keeps the language in effect.
    with translation.override(parent.language if parent is not None else get_language()):
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
        pupil=pupil,
        secret=secret,
        coalesce_key=coalesce_key,
        topic=topic,
    )


def password_reset_mail(*, email: str, ip: str | None = None) -> bool:
    """The worker's half of "wachtwoord vergeten": a reset link to the login with this
    address. The link goes to the login's own address; a school's contact addresses never
    lead to a login."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.may_log_in():
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


def blocked_login_notice(user: User) -> None:
    blocked = list(Parent.objects.filter(user=user, is_blocked=True).select_related("school"))
    if not blocked or not user.is_active:
        return
    with transaction.atomic():
        if not rate_hit(BLOCKED_NOTICE, user.pk):
            return
        email_enqueue(
            to=user.email,
            template="login_paused",
            context={"schools": [parent.school for parent in blocked]},
            school=None,
        )
