from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from lib.email import render_email
from schools.models import Parent, School


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
    reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
) -> None:
    """Render now, send from the worker once the surrounding transaction has committed.

    `template` names a trio under templates/emails/ (<name>_subject.txt, .txt, .html);
    attachments are (filename, content, mimetype), e.g. an .ics invitation."""
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
    )


def user_for_parent(parent: Parent) -> User:
    """The parent's login, created (without a password) when they do not have one yet."""
    if parent.user_id is None:
        user = User.objects.filter(email__iexact=parent.email).first()
        if user is None:
            user = User.objects.create_user(parent.email)
        parent.user = user
        parent.save(update_fields=["user"])
    return parent.user


@transaction.atomic
def invitation_send(*, parent: Parent) -> bool:
    """Invite one parent to set a password. Parents without e-mail or blocked are skipped."""
    if not parent.email or parent.is_blocked:
        return False
    user = user_for_parent(parent)
    parent.invited_at = timezone.now()
    parent.save(update_fields=["invited_at"])
    email_enqueue(
        to=parent.email,
        template="invitation",
        context={
            "parent": parent,
            "school": parent.school,
            "link": password_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        school=parent.school,
    )
    return True


def password_forgot(*, email: str) -> None:
    """Send a reset link if the address belongs to someone who may log in. The caller shows
    the same answer either way."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    parent = Parent.objects.filter(email__iexact=email, is_blocked=False).select_related("school")
    parent = parent.first()
    if user is None and parent is not None:
        user = user_for_parent(parent)
    if user is None:
        return
    from accounts.backends import EmailBackend

    if not EmailBackend().user_can_authenticate(user):
        return
    school = parent.school if parent else getattr(getattr(user, "staff", None), "school", None)
    email_enqueue(
        to=user.email,
        template="password_reset",
        context={
            "link": password_link(user),
            "school": school,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        school=school,
    )
