"""Composing and sending an oudermailing, and putting system mail in the same outbox."""

import base64
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.email import HEADER_BREAK_MESSAGE, has_line_break, render_email, strip_header_breaks
from lib.tasks import enqueue_once_per_transaction
from mailings.attachments import (
    AttachmentError,
    CheckedAttachment,
    attachments_check,
    attachments_sort,
    limits_check,
)
from mailings.models import Mailing, MailingAttachment, OutgoingMessage, PendingAttachment
from mailings.selectors import UNDELIVERED, mailing_reach
from schools.models import Group, Parent, Pupil, School, StaffMember
from specialgroups.models import SpecialGroup
from throttle.limits import REMINDER_PER_FAMILY, rate_hit

logger = logging.getLogger(__name__)

SKIP_BLOCKED = "blocked"
SKIP_NO_EMAIL = "no_email"
MAX_SUBJECT = 200
# About twenty printed pages: a message, not a document (that goes in an attachment). Each
# recipient's copy is built from it, so an unbounded body multiplies into the outbox.
MAX_BODY = 50_000


class MailingError(Exception):
    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or [message]


@dataclass
class Recipients:
    """Everyone the chosen groups reach: who gets the mail and who cannot be reached."""

    reachable: list[Parent] = field(default_factory=list)
    skipped: list[tuple[Parent, str]] = field(default_factory=list)


def skip_reason_label(reason: str) -> str:
    return {SKIP_BLOCKED: _("geblokkeerd"), SKIP_NO_EMAIL: _("geen e-mailadres")}.get(reason, "")


def mailing_candidates(
    *, staff: StaffMember, groups: list[Group], special_groups: list[SpecialGroup]
) -> list[Parent]:
    """Parents of the chosen groups' current pupils and members of the chosen special groups,
    each once, sorted by name, with their current pupils prefetched (two queries)."""
    if not groups and not special_groups:
        return []
    ids = Parent.objects.filter(school=staff.school).filter(
        Q(pupils__group__in=groups) | Q(signups__special_group__in=special_groups)
    )
    return list(
        Parent.objects.filter(pk__in=ids.values("pk"))
        .prefetch_related(
            Prefetch(
                "pupils",
                queryset=Pupil.objects.filter(group__isnull=False).select_related("group"),
                to_attr="current_pupils",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )


def mailing_recipients(*, candidates: list[Parent], parent_ids=None) -> Recipients:
    """Split candidates into reachable and skipped. With `parent_ids` (individual choice) only
    those parents; an id outside the candidates is refused, so a forged form sends nothing."""
    chosen = candidates
    if parent_ids is not None:
        wanted = {str(pid) for pid in parent_ids}
        by_id = {str(p.public_id): p for p in candidates}
        if not wanted:
            raise MailingError(_("Kies ten minste één ouder."))
        if not wanted <= set(by_id):
            raise MailingError(_("Een gekozen ouder hoort niet bij de gekozen groepen."))
        chosen = [p for p in candidates if str(p.public_id) in wanted]
    result = Recipients()
    seen: set[str] = set()
    for parent in chosen:
        if parent.is_blocked:
            result.skipped.append((parent, SKIP_BLOCKED))
        elif not parent.email:
            result.skipped.append((parent, SKIP_NO_EMAIL))
        elif parent.email.lower() not in seen:
            seen.add(parent.email.lower())
            result.reachable.append(parent)
    return result


def _delivery_not_enqueued() -> None:
    logger.exception("could not enqueue outbox delivery; messages wait in the outbox")


def _outbox_kick() -> None:
    """Enqueue one delivery run per transaction, however many messages it wrote (a bulk
    invitation of a whole school is one task): with the database queue inside the
    transaction, with Redis after commit (lib/tasks.py). If Redis is down the messages still
    wait in the outbox: `manage.py mail_deliver` or the next run sends them."""
    from mailings.tasks import deliver_outbox

    enqueue_once_per_transaction(deliver_outbox, on_error=_delivery_not_enqueued)


def mailing_text_check(*, subject: str, body: str, complete: bool = True) -> tuple[str, str]:
    """The subject and message cleaned, or a MailingError. `complete=False` (a draft) lets
    either be empty but still refuses what could never be sent."""
    if has_line_break(subject or ""):
        raise MailingError(HEADER_BREAK_MESSAGE)
    subject = strip_header_breaks(subject or "")
    body = (body or "").replace("\r\n", "\n").strip("\n")
    if complete and not subject:
        raise MailingError(_("Vul een onderwerp in."))
    if len(subject) > MAX_SUBJECT:
        raise MailingError(_("Het onderwerp is te lang (maximaal 200 tekens)."))
    if complete and not body.strip():
        raise MailingError(_("Typ een bericht."))
    if len(body) > MAX_BODY:
        raise MailingError(
            _(
                "Het bericht is te lang (%(length)d tekens, maximaal %(max)d). Zet lange "
                "teksten in een bijlage."
            )
            % {"length": len(body), "max": MAX_BODY}
        )
    return subject, body


def mailing_outbox_write(*, mailing: Mailing, reachable: list[Parent]) -> None:
    """One outgoing message per reachable parent plus the sender's copy, and one delivery
    run; inside the caller's transaction."""
    now = timezone.now()
    messages = [
        OutgoingMessage(
            mailing=mailing,
            school=mailing.school,
            parent=parent,
            email=parent.email.lower(),
            name=parent.full_name,
            next_attempt_at=now,
        )
        for parent in reachable
    ]
    if mailing.sender_email.lower() not in {m.email for m in messages}:
        messages.append(
            OutgoingMessage(
                mailing=mailing,
                school=mailing.school,
                email=mailing.sender_email.lower(),
                name=mailing.sender_name,
                is_sender_copy=True,
                next_attempt_at=now,
            )
        )
    OutgoingMessage.objects.bulk_create(messages, batch_size=500)
    _outbox_kick()


def mailing_attachments_store(*, mailing: Mailing, checked: list, stored: list[str]) -> None:
    """Save checked uploads outside the web root and attach them; each saved path is added
    to `stored` so the caller can remove the files when its transaction fails."""
    for item in checked:
        path = default_storage.save(
            f"mailings/{mailing.school_id}/{uuid.uuid4().hex}/{item.filename}", item.upload
        )
        stored.append(path)
        MailingAttachment.objects.create(
            mailing=mailing,
            file=path,
            filename=item.filename,
            mimetype=item.mimetype,
            size=item.size,
        )


def mailing_send(
    *,
    staff: StaffMember,
    groups: list[Group],
    special_groups: list[SpecialGroup],
    parent_ids: list[str] | None,
    subject: str,
    body: str,
    files: list,
    pending: list[PendingAttachment] = (),
) -> Mailing:
    """Write the mailing, its attachments and one outgoing message per recipient (plus the
    sender's copy) in one transaction; delivery starts after commit. The caller has checked
    that `staff` may mail `groups` and `special_groups`. `pending` are this staff member's
    files kept from an earlier attempt (already checked and stored); they become the
    mailing's attachments together with `files`."""
    pending = [p for p in pending if p.staff_id == staff.pk]
    if not groups and not special_groups:
        raise MailingError(_("Kies ten minste één groep of speciale groep."))
    subject, body = mailing_text_check(subject=subject, body=body)
    try:
        checked = attachments_check(list(files))
        limits_check(
            count=len(checked) + len(pending),
            total=sum(c.size for c in checked) + sum(p.size for p in pending),
        )
    except AttachmentError as error:
        raise MailingError(error.message, error.problems) from None
    candidates = mailing_candidates(staff=staff, groups=groups, special_groups=special_groups)
    recipients = mailing_recipients(candidates=candidates, parent_ids=parent_ids)
    if not recipients.reachable:
        raise MailingError(_("Geen van de gekozen ouders kan een e-mail ontvangen."))

    stored: list[str] = []
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(
                school=staff.school,
                sender=staff,
                sender_name=staff.full_name,
                sender_email=staff.email,
                subject=subject,
                body=body,
                individual=parent_ids is not None,
                skipped=[
                    {"parent_id": parent.pk, "name": parent.full_name, "reason": reason}
                    for parent, reason in recipients.skipped
                ],
            )
            mailing.groups.set(groups)
            mailing.special_groups.set(special_groups)
            mailing_attachments_store(mailing=mailing, checked=checked, stored=stored)
            for kept in pending:  # the stored file becomes the mailing's, as it is
                MailingAttachment.objects.create(
                    mailing=mailing,
                    file=kept.file.name,
                    filename=kept.filename,
                    mimetype=kept.mimetype,
                    size=kept.size,
                )
            PendingAttachment.objects.filter(pk__in=[p.pk for p in pending]).delete()
            mailing_outbox_write(mailing=mailing, reachable=recipients.reachable)
    except BaseException:
        for path in stored:
            default_storage.delete(path)
        raise
    mailing.recipient_count = len(recipients.reachable)
    mailing.skipped_recipients = recipients.skipped
    return mailing


COALESCE_DELAY = timedelta(minutes=2)


def outbox_system_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    from_email: str,
    reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
    school: School | None = None,
    parent: Parent | None = None,
    pupil: Pupil | None = None,
    secret: bool = False,
    coalesce_key: str = "",
    topic: str = "",
) -> OutgoingMessage:
    """System mail (invitations, reset links, notifications) into the outbox, already
    rendered; delivered by the same worker after the surrounding transaction commits.

    `school` and `parent` tie the mail to its owners (AVG export, erasure, retention);
    `pupil` names the one child it is about (withdrawn when the guardian is restricted).
    `secret` mail has its body wiped once sent. With a `coalesce_key` the mail waits
    COALESCE_DELAY, and a newer mail with the same key replaces it while it still waits."""
    now = timezone.now()
    payload = {
        "subject": strip_header_breaks(subject),
        "text": text,
        "html": html,
        "from_email": from_email,
        "reply_to": strip_header_breaks(reply_to),
        "attachments": [
            {"filename": name, "content": base64.b64encode(data).decode(), "mimetype": mime}
            for name, data, mime in attachments
        ],
    }
    if coalesce_key:
        waiting = OutgoingMessage.objects.filter(
            coalesce_key=coalesce_key, status=OutgoingMessage.Status.QUEUED, email=to
        )
        # Conditional update: only a row no worker has claimed yet is replaced.
        if waiting.filter(next_attempt_at__gt=now).update(
            payload=payload, topic=topic, next_attempt_at=now + COALESCE_DELAY
        ):
            return waiting.first()
    message = OutgoingMessage.objects.create(
        email=to,
        school=school,
        parent=parent,
        pupil=pupil,
        carries_secret=secret,
        coalesce_key=coalesce_key,
        topic=topic,
        payload=payload,
        next_attempt_at=now + COALESCE_DELAY if coalesce_key else now,
    )
    _outbox_kick()
    return message


@dataclass
class ReminderResult:
    families: int = 0  # families reminded now
    already_today: int = 0  # families that had a reminder today already
    unreachable: int = 0  # families whose every address failed


def mailing_remind(*, mailing: Mailing) -> ReminderResult:
    """ "Herinnering sturen": a short mail to every family that has not read the mailing in
    the portal, to each of its guardians whose address works, at most one a family a day
    (a database counter, so two clicks or two teachers at once send one). One transaction."""
    result = ReminderResult()
    reach = mailing_reach(mailing)
    school = mailing.school
    link = settings.SITE_URL + reverse("mailings:portal_mailing", args=[mailing.public_id])
    wanted = [f for f in reach.not_reached if not f.all_failed]
    result.unreachable = len(reach.not_reached) - len(wanted)
    parents = Parent.objects.in_bulk([m.parent_id for f in wanted for m in f.messages])
    with transaction.atomic():
        for family in wanted:
            if not rate_hit(REMINDER_PER_FAMILY, f"{school.pk}:{family.key}"):
                result.already_today += 1
                continue
            result.families += 1
            for message in family.messages:
                if message.status in UNDELIVERED:
                    continue
                parent = parents[message.parent_id]
                rendered = render_email(
                    "mailing_reminder",
                    {"mailing": mailing, "school": school, "parent": parent, "link": link},
                )
                outbox_system_message(
                    to=message.email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    from_email=f"{school.name} via OCS <{school.from_email}>",
                    reply_to=mailing.sender_email,
                    school=school,
                    parent=parent,
                )
    return result


def outbox_withdraw_for_restricted(*, parent: Parent, pupil: Pupil) -> int:
    """The school restricted `parent` for `pupil` (called inside that transaction, after the
    link is gone): take back this guardian's mail about the child that no worker has
    claimed yet: system mail naming the child, and mailing copies that reached them only
    through this child's group (not through another child of theirs in the mailing's
    groups, nor a special group they belong to). Mail already being sent or sent stays.
    Returns how many messages were withdrawn."""
    waiting = OutgoingMessage.objects.filter(
        parent=parent,
        school_id=pupil.school_id,
        is_sender_copy=False,
        status__in=[OutgoingMessage.Status.QUEUED, OutgoingMessage.Status.RETRY],
    )
    ids = list(waiting.filter(mailing__isnull=True, pupil=pupil).values_list("pk", flat=True))
    if pupil.group_id is not None:
        other_groups = set(
            Pupil.objects.filter(guardianships__parent=parent, group__isnull=False).values_list(
                "group_id", flat=True
            )
        )
        own_special = set(parent.signups.values_list("special_group_id", flat=True))
        rows = waiting.filter(mailing__groups=pupil.group_id).prefetch_related(
            "mailing__groups", "mailing__special_groups"
        )
        for row in rows:
            groups = {g.pk for g in row.mailing.groups.all()}
            specials = {s.pk for s in row.mailing.special_groups.all()}
            if not groups & other_groups and not specials & own_special:
                ids.append(row.pk)
    # One conditional DELETE: a row a worker claimed meanwhile no longer matches.
    return waiting.filter(pk__in=ids).delete()[0]


def pending_for_staff(*, staff: StaffMember, ids: list[str]) -> list[PendingAttachment]:
    """The staff member's own kept files among `ids` (another's or a forged id: nothing)."""
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(PendingAttachment.objects.filter(staff=staff, public_id__in=valid))


def uploads_keep(*, staff: StaffMember, files: list) -> tuple[list[PendingAttachment], list[str]]:
    """Check each uploaded file on its own; store the accepted ones as the staff member's
    pending attachments (so a form that comes back keeps them) and return them with one
    Dutch sentence per refused file."""
    accepted, problems = attachments_sort(list(files))
    return [_pending_store(staff=staff, item=item) for item in accepted], problems


def _pending_store(*, staff: StaffMember, item: CheckedAttachment) -> PendingAttachment:
    path = default_storage.save(
        f"mailings/{staff.school_id}/{uuid.uuid4().hex}/{item.filename}", item.upload
    )
    return PendingAttachment.objects.create(
        school=staff.school,
        staff=staff,
        file=path,
        filename=item.filename,
        mimetype=item.mimetype,
        size=item.size,
    )


def pending_remove_stale(*, before, school: School | None = None, dry_run: bool = False) -> int:
    """Kept files nobody sent (retention): rows and stored files."""
    stale = PendingAttachment.objects.filter(created_at__lt=before)
    if school is not None:
        stale = stale.filter(school=school)
    if dry_run:
        return stale.count()
    stale = list(stale)
    for item in stale:
        default_storage.delete(item.file.name)
    PendingAttachment.objects.filter(pk__in=[p.pk for p in stale]).delete()
    return len(stale)
