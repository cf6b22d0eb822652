"""Signed, single-use links: invitations and confirmations of a new e-mail address.

Nothing secret is stored. A link is a signature over the facts it vouches for; it dies when
those facts change: an invitation when the record's contact address changes, when a newer
invitation is sent (its time is signed) or once a login is linked; an address confirmation
once the login's address is no longer the one it was sent for. All expire after
OCS_LINK_HOURS, like reset links.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from accounts.models import User
from schools.models import Parent, StaffMember

_INVITE_SALT = "ocs.accounts.invitation"
_CONFIRM_SALT = "ocs.accounts.email-confirm"


def _stamp(moment) -> int:
    return int(moment.timestamp() * 1000)


def invitation_token(record: Parent | StaffMember) -> str:
    kind = "p" if isinstance(record, Parent) else "s"
    payload = {
        "k": kind,
        "id": record.pk,
        "e": record.email.lower(),
        "t": _stamp(record.invited_at),
    }
    return signing.dumps(payload, salt=_INVITE_SALT, compress=True)


def invitation_record(token: str) -> Parent | StaffMember | None:
    """The parent or staff record an invitation link is for, while the link is valid."""
    try:
        data = signing.loads(token, salt=_INVITE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        model = {"p": Parent, "s": StaffMember}[data["k"]]
        record = model.objects.select_related("school").filter(pk=data["id"]).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if (
        record is None
        or record.user_id is not None
        or record.invited_at is None
        or record.email.lower() != data["e"]
        or _stamp(record.invited_at) != data["t"]
    ):
        return None
    if isinstance(record, Parent) and record.is_blocked:
        return None
    if isinstance(record, StaffMember) and not record.is_active:
        return None
    return record


@dataclass(frozen=True)
class EmailChange:
    user: User
    new_email: str


def email_confirm_token(*, user: User, new_email: str) -> str:
    payload = {"u": user.pk, "old": user.email.lower(), "new": new_email.lower()}
    return signing.dumps(payload, salt=_CONFIRM_SALT, compress=True)


def email_change_for(token: str) -> EmailChange | None:
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        user = User.objects.filter(pk=data["u"], is_active=True).first()
        old, new = data["old"], data["new"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or user.email.lower() != old:
        return None
    return EmailChange(user=user, new_email=new)
