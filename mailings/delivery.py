"""The outbox worker: claim due messages, send them over one SMTP connection, record the
result. Safe to run in several processes at once; safe to crash at any point."""

import base64
import email.policy
import logging
import smtplib
import socket
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import MIMEPart
from email.utils import formataddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mailings.dkim import dkim_sign
from mailings.models import Mailing, OutgoingMessage
from mailings.verp import verp_address

logger = logging.getLogger(__name__)
Status = OutgoingMessage.Status

# A message claimed longer ago than this is taken to belong to a crashed worker. A batch
# takes at most BATCH_SIZE × the SMTP timeout, far below this.
LEASE = timedelta(minutes=10)
BATCH_SIZE = 20
MAX_ATTEMPTS = 12
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retry += other.retry


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after the n-th failed attempt, at most six hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def due_q(now: datetime) -> Q:
    return Q(status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - LEASE
    )


def outbox_claim(
    *, limit: int = BATCH_SIZE, now: datetime | None = None, protect: bool = True
) -> list[OutgoingMessage]:
    """Take up to `limit` due messages for this worker. Rows are picked with SKIP LOCKED
    (PostgreSQL) and taken with a conditional UPDATE that only succeeds while the row is still
    due, so two workers never hold the same message. `protect=False` exists only for the test
    that shows the race without this protection."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        pick = OutgoingMessage.objects.filter(due_q(now)).order_by("next_attempt_at", "pk")
        if protect:
            pick = pick.select_for_update(skip_locked=True)
        ids = list(pick.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        take = OutgoingMessage.objects.filter(pk__in=ids)
        if protect:
            take = take.filter(due_q(now))
        take.update(
            status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    claimed = OutgoingMessage.objects.select_related("mailing__school")
    if protect:
        return list(claimed.filter(claim_token=token, status=Status.SENDING))
    return list(claimed.filter(pk__in=ids))


class OutboxEmail(EmailMultiAlternatives):
    """An outbox message as it leaves: DKIM-signed when a key is configured (over the exact
    bytes the SMTP backend sends)."""

    def message(self, *, policy=email.policy.default):
        return dkim_sign(super().message(policy=policy))


def _envelope(message: OutgoingMessage, from_email: str) -> dict:
    """The envelope sender (Return-Path): the message's own VERP address when bounces are
    taken in, so a bounce names its outbox row; the From header stays the school's."""
    verp = verp_address(message)
    if verp is None:
        return {"from_email": from_email, "headers": {}}
    return {"from_email": verp, "headers": {"From": from_email}}


class MessageBuilder:
    """Builds EmailMessages. The rendered text and the encoded attachments of a mailing are
    made once and shared by all its messages, so memory does not grow with the recipients."""

    def __init__(self, cache_size: int = 2):
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._cache_size = cache_size

    def _mailing_parts(self, mailing: Mailing) -> tuple:
        if mailing.pk in self._cache:
            self._cache.move_to_end(mailing.pk)
            return self._cache[mailing.pk]
        school = mailing.school
        # One link for every recipient: the portal leads each parent to their own copy.
        portal_url = settings.SITE_URL + reverse(
            "mailings:portal_mailing", args=[mailing.public_id]
        )
        context = {"mailing": mailing, "school": school, "portal_url": portal_url}
        with translation.override("nl"):
            text = render_to_string("mailings/email/mailing.txt", context)
            html = render_to_string("mailings/email/mailing.html", context)
        attachments = []
        for item in mailing.attachments.all():
            with default_storage.open(item.file.name, "rb") as handle:
                data = handle.read()
            attachments.append(_attachment_part(item.filename, data, item.mimetype))
            del data
        parts = (
            formataddr((f"{school.name} via OCS", school.from_email)),
            formataddr((mailing.sender_name, mailing.sender_email)),
            text,
            html,
            attachments,
        )
        self._cache[mailing.pk] = parts
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return parts

    def build(self, message: OutgoingMessage) -> EmailMultiAlternatives:
        if message.mailing_id is None:
            return self._system(message)
        from_email, reply_to, text, html, attachments = self._mailing_parts(message.mailing)
        domain = message.mailing.school.from_email.rpartition("@")[2] or "ocs.invalid"
        envelope = _envelope(message, from_email)
        result = OutboxEmail(
            subject=message.mailing.subject,
            body=text,
            from_email=envelope["from_email"],
            to=[formataddr((message.name, message.email)) if message.name else message.email],
            reply_to=[reply_to],
            headers={"Message-ID": _message_id(message, domain), **envelope["headers"]},
            attachments=attachments,
        )
        result.attach_alternative(html, "text/html")
        return result

    def _system(self, message: OutgoingMessage) -> EmailMultiAlternatives:
        data = message.payload
        from_email = data["from_email"]
        domain = from_email.rpartition("@")[2].rstrip(">") or "ocs.invalid"
        envelope = _envelope(message, from_email)
        result = OutboxEmail(
            subject=data["subject"],
            body=data["text"],
            from_email=envelope["from_email"],
            to=[message.email],
            reply_to=[data["reply_to"]] if data.get("reply_to") else None,
            headers={"Message-ID": _message_id(message, domain), **envelope["headers"]},
        )
        result.attach_alternative(data["html"], "text/html")
        for item in data.get("attachments", []):
            result.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
        return result


def _message_id(message: OutgoingMessage, domain: str) -> str:
    # Stable across retries: a receiving server can recognise a message it already has.
    return f"<ocs.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def _attachment_part(filename: str, data: bytes, mimetype: str) -> MIMEPart:
    part = MIMEPart(policy=email.policy.default)
    maintype, _sep, subtype = mimetype.partition("/")
    part.set_content(
        data,
        maintype=maintype,
        subtype=subtype or "octet-stream",
        disposition="attachment",
        filename=filename,
    )
    return part


class _ConnectionLost(Exception):
    """The SMTP session cannot go on: the rest of the batch waits for a retry."""


def _classify(error: Exception) -> tuple[str, str, bool]:
    """(status, error text, whether the connection is unusable)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        status = Status.FAILED if 500 <= code < 600 else Status.RETRY
        return status, f"{code} {_text(text)}", code == 421
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError)):
        # Our configuration, not the message: keep it until the settings are fixed.
        return Status.RETRY, f"{type(error).__name__}: {error}", True
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Status.RETRY, str(error) or "disconnected", True
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        status = Status.FAILED if 500 <= code < 600 else Status.RETRY
        return status, f"{code} {_text(error.smtp_error)}", code == 421 or code < 0
    if isinstance(error, (OSError, socket.timeout, smtplib.SMTPException)):
        return Status.RETRY, f"{type(error).__name__}: {error}", True
    if isinstance(error, ValueError):  # an address Django refuses (e.g. header injection)
        return Status.FAILED, str(error), False
    return Status.RETRY, f"{type(error).__name__}: {error}", True


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)


WIPED_SECRET = {
    "text": "[verwijderd na verzending: dit bericht bevatte een persoonlijke link]",
    "html": "",
    "attachments": [],
}


def _record(message: OutgoingMessage, status: str, error: str, now: datetime) -> str:
    if status == Status.RETRY and message.attempts >= MAX_ATTEMPTS:
        status = Status.FAILED
    fields = {"status": status, "last_error": error[:500]}
    if status in (Status.SENT, Status.FAILED) and message.carries_secret and message.payload:
        # Once the link is out (or can never go out) nobody may read it again.
        fields["payload"] = {**message.payload, **WIPED_SECRET}
    if status == Status.SENT:
        fields["sent_at"] = now
    elif status == Status.RETRY:
        fields["next_attempt_at"] = now + backoff(message.attempts)
    # Only while we still hold the claim: a message re-claimed after our lease ran out
    # belongs to the other worker now.
    OutgoingMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(**fields)
    return status


def _send_batch(batch: list[OutgoingMessage], builder: MessageBuilder) -> DeliveryReport:
    report = DeliveryReport()
    backend = mailers.default
    connected = False
    try:
        for index, message in enumerate(batch):
            status, error = Status.SENT, ""
            try:
                email_message = builder.build(message)
                if not connected:
                    backend.open()
                    connected = True
                backend.send_messages([email_message])
            except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
                status, error, broken = _classify(exc)
                logger.warning("outbox message %s: %s (%s)", message.pk, error, status)
                if broken:
                    _close(backend)
                    connected = False
                if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
                    # The server is unreachable or hangs: the rest of the batch waits too,
                    # rather than each message waiting for its own time-out.
                    now = timezone.now()
                    for other in batch[index:]:
                        _count(report, _record(other, Status.RETRY, error, now))
                    break
            _count(report, _record(message, status, error, timezone.now()))
    finally:
        if connected:
            _close(backend)
    return report


def _count(report: DeliveryReport, status: str) -> None:
    name = {Status.SENT: "sent", Status.FAILED: "failed"}.get(status, "retry")
    setattr(report, name, getattr(report, name) + 1)


def _close(backend) -> None:
    try:
        backend.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone anyway
        logger.debug("closing the SMTP connection failed", exc_info=True)


def outbox_deliver(
    *, max_messages: int = 5000, now: datetime | None = None, protect: bool = True
) -> DeliveryReport:
    """Send due messages until none are due or `max_messages` have been tried."""
    report = DeliveryReport()
    builder = MessageBuilder()
    tried = 0
    while tried < max_messages:
        batch = outbox_claim(limit=min(BATCH_SIZE, max_messages - tried), now=now, protect=protect)
        if not batch:
            break
        tried += len(batch)
        report.add(_send_batch(batch, builder))
    return report


def outbox_next_due() -> datetime | None:
    """When the next waiting message becomes due (a retry, or a claim whose lease ends)."""
    waiting = OutgoingMessage.objects.filter(status__in=[Status.QUEUED, Status.RETRY]).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    stuck = OutgoingMessage.objects.filter(status=Status.SENDING).aggregate(at=Min("claimed_at"))[
        "at"
    ]
    candidates = [t for t in (waiting, stuck + LEASE if stuck else None) if t is not None]
    return min(candidates) if candidates else None
