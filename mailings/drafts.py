"""Drafts and scheduled mailings: "Opslaan als concept" keeps a mailing (recipients choice,
subject, message, attachments) for its author; "Later versturen" plans it for a date and
time (Europe/Amsterdam) and the worker sends it then. Recipients are resolved when the
mailing goes, exactly as "Verstuur bericht" does (blocked parents, parents without e-mail and
restricted guardians are left out)."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from lib.tasks import enqueue_with_transaction
from mailings.attachments import MAX_FILES, MAX_TOTAL_SIZE, AttachmentError, attachments_check
from mailings.models import Mailing, MailingAttachment, PendingAttachment
from mailings.question_models import Question
from mailings.questions import QuestionDraft, question_create
from mailings.services import (
    MailingError,
    Recipients,
    mailing_attachments_store,
    mailing_candidates,
    mailing_outbox_write,
    mailing_recipients,
    mailing_text_check,
)
from schools.access import groups_for_staff
from schools.models import Group, StaffMember
from specialgroups.models import SpecialGroup
from specialgroups.selectors import special_groups_for_staff

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Typed by hand where the browser has no date-time picker, or sent by the picker.
SEND_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M")
MAX_AHEAD = timedelta(days=366)
Status = Mailing.Status


def send_at_parse(text: str, *, now: datetime | None = None) -> datetime:
    """A date and time as the school means it (Europe/Amsterdam), in the future and at most
    a year ahead; a MailingError in Dutch otherwise."""
    text = (text or "").strip()
    if not text:
        raise MailingError(_("Kies de datum en de tijd waarop het bericht verstuurd wordt."))
    for pattern in SEND_AT_FORMATS:
        try:
            naive = datetime.strptime(text, pattern)  # noqa: DTZ007 - made aware below
            break
        except ValueError:
            continue
    else:
        raise MailingError(
            _("“%(value)s” is geen datum en tijd. Schrijf bijvoorbeeld 14-12-2026 08:00.")
            % {"value": text[:40]}
        )
    moment = naive.replace(tzinfo=AMSTERDAM)
    now = now or timezone.now()
    if moment <= now:
        raise MailingError(
            _(
                "Het tijdstip %(moment)s is al voorbij. Kies een datum en tijd in de toekomst "
                "(Nederlandse tijd)."
            )
            % {"moment": formats.date_format(moment, "j F Y H:i")}
        )
    if moment > now + MAX_AHEAD:
        raise MailingError(_("Een bericht kan hoogstens een jaar vooruit worden ingepland."))
    return moment


def draft_save(
    *,
    staff: StaffMember,
    draft: Mailing | None,
    groups: list[Group],
    special_groups: list[SpecialGroup],
    parent_ids: list[str] | None,
    subject: str,
    body: str,
    files: list,
    remove_attachment_ids: list[str] = (),
    question: QuestionDraft | None = None,
    pending: list[PendingAttachment] = (),
    then: Callable[[Mailing], object] | None = None,
) -> Mailing:
    """Create or update the author's draft: recipients choice, texts, attachments (the ones
    kept, plus new uploads, within the same limits as sending). A scheduled mailing that is
    saved again becomes a draft (its plan is off until "Later versturen" again). `then`
    (plan or send) runs in the same transaction: when it refuses, nothing is saved and the
    uploaded files are removed again."""
    if not groups and not special_groups:
        raise MailingError(_("Kies ten minste één groep of speciale groep."))
    subject, body = mailing_text_check(subject=subject, body=body, complete=False)
    kept = list(draft.attachments.all()) if draft is not None else []
    removing = {str(pk) for pk in remove_attachment_ids}
    dropped = [a for a in kept if str(a.public_id) in removing]
    kept = [a for a in kept if str(a.public_id) not in removing]
    try:
        checked = attachments_check(list(files))
    except AttachmentError as error:
        raise MailingError(error.message, error.problems) from None
    pending = [p for p in pending if p.staff_id == staff.pk]
    if len(kept) + len(checked) + len(pending) > MAX_FILES:
        raise MailingError(_("U kunt maximaal %(n)s bijlagen meesturen.") % {"n": MAX_FILES})
    sizes = [*(a.size for a in kept), *(c.size for c in checked), *(p.size for p in pending)]
    if sum(sizes) > MAX_TOTAL_SIZE:
        raise MailingError(
            _("De bijlagen zijn samen te groot; het maximum is %(max)s per bericht.")
            % {"max": filesizeformat(MAX_TOTAL_SIZE)}
        )
    chosen: list[str] = []
    if parent_ids is not None:
        candidates = mailing_candidates(staff=staff, groups=groups, special_groups=special_groups)
        known = {str(p.public_id) for p in candidates}
        chosen = [pid for pid in dict.fromkeys(str(p) for p in parent_ids) if pid in known]
    stored: list[str] = []
    try:
        with transaction.atomic():
            if draft is None:
                draft = Mailing(school=staff.school, sender=staff, status=Status.DRAFT)
            draft.status = Status.DRAFT
            draft.send_at = None
            draft.problem = ""
            draft.sender_name = staff.full_name
            draft.sender_email = staff.email
            draft.subject = subject
            draft.body = body
            draft.individual = parent_ids is not None
            draft.chosen_parents = chosen
            draft.created_at = timezone.now()
            draft.save()
            draft.groups.set(groups)
            draft.special_groups.set(special_groups)
            mailing_attachments_store(mailing=draft, checked=checked, stored=stored)
            for item in pending:  # files kept from a refused attempt become the draft's
                MailingAttachment.objects.create(
                    mailing=draft,
                    file=item.file.name,
                    filename=item.filename,
                    mimetype=item.mimetype,
                    size=item.size,
                )
            PendingAttachment.objects.filter(pk__in=[p.pk for p in pending]).delete()
            # "Vraag om reactie": the draft keeps the question as last typed, or none.
            Question.objects.filter(mailing=draft).delete()
            if question is not None:
                question_create(mailing=draft, draft=question)
            if dropped:
                draft.attachments.filter(pk__in=[a.pk for a in dropped]).delete()
                paths = [a.file.name for a in dropped]
                transaction.on_commit(lambda: _delete_files(paths))
            if then is not None:
                then(draft)
    except BaseException:
        _delete_files(stored)
        raise
    return draft


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:  # pragma: no cover - the retention command finds leftovers
            logger.warning("could not delete attachment file %s", path)


def _resolve(mailing: Mailing, *, when: datetime | None = None) -> Recipients:
    """Who gets the mailing now: the chosen groups' parents as they are at this moment,
    each checked as "Verstuur bericht" checks them. The author must still be allowed to
    mail every chosen group."""
    sender = mailing.sender
    if sender is None or not sender.is_active:
        raise MailingError(_("De afzender heeft geen toegang meer tot OCS."))
    mailing_text_check(subject=mailing.subject, body=mailing.body)
    question = Question.objects.filter(mailing=mailing).first()
    if question is not None and question.deadline <= (when or timezone.now()):
        raise MailingError(
            _("Het bericht zou pas na de datum om te antwoorden op de vraag verstuurd worden.")
        )
    groups = list(mailing.groups.all())
    special_groups = list(mailing.special_groups.all())
    if not groups and not special_groups:
        raise MailingError(_("Kies ten minste één groep of speciale groep."))
    allowed_groups = set(groups_for_staff(sender).values_list("pk", flat=True))
    allowed_specials = set(special_groups_for_staff(sender).values_list("pk", flat=True))
    if any(g.pk not in allowed_groups for g in groups) or any(
        s.pk not in allowed_specials for s in special_groups
    ):
        raise MailingError(_("De afzender mag niet meer naar alle gekozen groepen mailen."))
    candidates = mailing_candidates(staff=sender, groups=groups, special_groups=special_groups)
    if mailing.individual:
        known = {str(p.public_id) for p in candidates}
        chosen = [pid for pid in mailing.chosen_parents if pid in known]
        if not chosen:
            raise MailingError(_("Kies ten minste één ouder."))
        recipients = mailing_recipients(candidates=candidates, parent_ids=chosen)
    else:
        recipients = mailing_recipients(candidates=candidates)
    if not recipients.reachable:
        raise MailingError(_("Geen van de gekozen ouders kan een e-mail ontvangen."))
    return recipients


def _send(mailing: Mailing, recipients: Recipients) -> Mailing:
    mailing.status = Status.SENT
    mailing.problem = ""
    mailing.created_at = timezone.now()  # a sent mailing's date is when it went
    mailing.skipped = [
        {"parent_id": parent.pk, "name": parent.full_name, "reason": reason}
        for parent, reason in recipients.skipped
    ]
    mailing.save(update_fields=["status", "problem", "created_at", "skipped"])
    mailing_outbox_write(mailing=mailing, reachable=recipients.reachable)
    mailing.recipient_count = len(recipients.reachable)
    mailing.skipped_recipients = recipients.skipped
    return mailing


def draft_send_now(*, draft: Mailing) -> Mailing:
    """ "Verstuur bericht" on a draft: the same checks and outbox rows as a new mailing; the
    draft's attachments go with it. The caller holds the draft's row lock."""
    with transaction.atomic():
        return _send(draft, _resolve(draft))


def draft_schedule(*, draft: Mailing, send_at: datetime) -> Mailing:
    """ "Later versturen": checked now as if it were sent (so the author hears about an
    empty subject or unreachable group today, not at the planned time), then planned. The
    worker gets a deferred task for that moment; `manage.py mail_deliver` (cron) sends what
    is due as well, for queues without deferred tasks."""
    _resolve(draft, when=send_at)
    draft.status = Status.SCHEDULED
    draft.send_at = send_at
    draft.problem = ""
    draft.save(update_fields=["status", "send_at", "problem"])
    if send_scheduled_mailings.get_backend().supports_defer:
        enqueue_with_transaction(send_scheduled_mailings.using(run_after=send_at))
    return draft


def schedule_cancel(*, draft: Mailing) -> bool:
    """ "Inplannen annuleren": back to the drafts, only while it has not gone. A conditional
    update, so it waits for a worker that is sending it right now and then changes nothing."""
    return bool(
        Mailing.objects.filter(pk=draft.pk, status=Status.SCHEDULED).update(
            status=Status.DRAFT, send_at=None
        )
    )


def draft_delete(*, draft: Mailing) -> None:
    paths = [a.file.name for a in draft.attachments.all()]
    draft.delete()
    transaction.on_commit(lambda: _delete_files(paths))


def scheduled_send(*, mailing_id: int, lock: bool = True, now: datetime | None = None) -> str:
    """The worker's step for one planned mailing: in one transaction, with the mailing's row
    locked, turn it into outbox rows exactly once. A second worker waits for the lock and
    then finds it sent. Returns "sent", "problem" (it went back to the drafts, with the
    reason for its author) or "" (not due, cancelled, or sent already).

    `lock=False` exists only for the test that shows the race the lock prevents."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Mailing.objects.filter(pk=mailing_id, status=Status.SCHEDULED, send_at__lte=now)
        if lock:
            rows = rows.select_for_update(of=("self",))
        mailing = rows.select_related("school", "sender").first()
        if mailing is None:
            return ""
        try:
            with transaction.atomic():
                mailing = _send(mailing, _resolve(mailing))
        except MailingError as error:
            mailing.status = Status.DRAFT
            mailing.problem = error.message[:300]
            mailing.save(update_fields=["status", "problem"])
            audit_record(
                request=None,
                action=AuditEvent.Action.EDIT,
                obj=mailing,
                object_type="mailingschedule",
                actor_label="",
            )
            return "problem"
        audit_record(
            request=None,
            action=AuditEvent.Action.SEND,
            obj=mailing,
            object_type="mailingschedule",
            actor_label="",
            recipients=mailing.recipient_count,
            skipped=len(mailing.skipped_recipients),
        )
    return "sent"


def scheduled_send_due(*, now: datetime | None = None) -> int:
    """Send every planned mailing whose time has come (each in its own transaction)."""
    now = now or timezone.now()
    due = Mailing.objects.filter(status=Status.SCHEDULED, send_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(scheduled_send(mailing_id=pk, now=now) == "sent" for pk in list(due))


@task(queue_name="mail")
def send_scheduled_mailings() -> dict:
    """Enqueued with run_after at a mailing's planned time ("Later versturen"): sends every
    planned mailing that is due, each once under its row lock. (Here rather than in
    mailings/tasks.py, which the outbox imports: no import cycle.)"""
    return {"sent": scheduled_send_due()}
