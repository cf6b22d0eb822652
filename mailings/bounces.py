"""Bounces: each outgoing message carries its own return path (VERP), and reports that come
back to it are read here.

The envelope sender of a message is bounces+<public id>-<signature>@OCS_BOUNCE_DOMAIN. The
signature is an HMAC (key from SECRET_KEY) over the message's school and public id, so a
bounce can only name a message OCS sent, and only with the school it was sent for: an
address made up or copied onto another school's message touches nothing.

A report is read with flufl.bounce (RFC 3464 delivery status notifications and the formats
of common mail servers) and the Status fields of its message/delivery-status part:

- hard (5.x.x, or a permanent failure without a status): the message becomes "onbestelbaar"
  and, when it went to the parent's current address, that address is marked as not working
  ("e-mailadres werkt niet") until it changes (staff edit, import, a confirmed change);
- soft (4.x.x, or "delayed"): recorded on the message (status code, time, count). A report
  that the server gave up ("failed" with a 4.x.x status) puts the message back in the outbox
  with the normal backoff, at most MAX_SOFT_RESENDS times; a "delayed" report only records
  (the server is still trying). The address is never marked by soft bounces;
- anything else (an out-of-office reply to the return path): nothing happens.
"""

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from datetime import datetime

import flufl.bounce
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from audit.services import audit_record
from mailings.models import OutgoingMessage
from mailings.verp import parse_verp, signature
from schools.models import Parent

logger = logging.getLogger(__name__)
Status = OutgoingMessage.Status

MAX_SOFT_RESENDS = 3
_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}")


@dataclass
class Report:
    kind: str  # "hard", "soft" or "none"
    status: str  # the DSN status code, e.g. "5.1.1", or "" when the report gave none
    delayed: bool
    diagnostic: str


def read_report(raw: bytes) -> Report:
    """What a bounce message says, whatever it names as recipient (the VERP address says
    which message it is about)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    try:
        temporary, permanent = flufl.bounce.all_failures(message)
    except Exception as exc:  # noqa: BLE001 - a detector choking on odd mail (e.g. a plain
        # auto-reply): fall back to the DSN fields
        logger.info("flufl.bounce could not read a report (%r); using its DSN fields", exc)
        temporary, permanent = frozenset(), frozenset()
    statuses, actions, diagnostic = [], [], ""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload():
            status = _STATUS.match(str(block.get("Status", "")).strip())
            if status:
                statuses.append(status.group(0))
            actions.append(str(block.get("Action", "")).strip().lower())
            diagnostic = diagnostic or " ".join(str(block.get("Diagnostic-Code", "")).split())
    delayed = any(a.startswith("delayed") for a in actions) and not any(
        a.startswith(("failed", "error")) for a in actions
    )
    hard = [s for s in statuses if s.startswith("5")]
    soft = [s for s in statuses if s.startswith("4")]
    if hard:
        return Report("hard", hard[0], False, diagnostic)
    if soft:
        return Report("soft", soft[0], delayed, diagnostic)
    if permanent:
        return Report("hard", "", False, diagnostic)
    if temporary or delayed:
        return Report("soft", "", True, diagnostic)
    return Report("none", "", False, diagnostic)


@dataclass
class BounceResult:
    outcome: str  # "unknown" (no such message or a bad signature), "ignored", "hard", "soft"
    message_id: int | None = None
    parent_marked: bool = False


def bounce_receive(*, recipient: str, raw: bytes, now: datetime | None = None) -> BounceResult:
    """Take in one bounce sent to `recipient` (a VERP address). One transaction: the
    message's new state, the parent's audit entry and a resend all commit together."""
    from mailings.delivery import backoff
    from mailings.tasks import schedule_follow_up

    parsed = parse_verp(recipient)
    if parsed is None:
        return BounceResult("unknown")
    public_id, claimed = parsed
    report = read_report(raw)
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutgoingMessage.objects.select_for_update(of=("self",))
            .select_related("school")
            .filter(public_id=public_id)
            .first()
        )
        if message is None or not constant_time_compare(
            claimed, signature(message.school_id, message.public_id)
        ):
            return BounceResult("unknown")
        if report.kind == "none":
            return BounceResult("ignored", message.pk)
        fields = {"bounced_at": now, "bounce_status": report.status or report.kind[:10]}
        if report.diagnostic:
            fields["last_error"] = report.diagnostic[:500]
        result = BounceResult(report.kind, message.pk)
        if report.kind == "hard":
            if message.status == Status.BOUNCED:
                return BounceResult("hard", message.pk)
            # claim_token cleared: a worker still holding the row cannot undo this.
            fields.update(status=Status.BOUNCED, claim_token=None)
            OutgoingMessage.objects.filter(pk=message.pk).update(**fields)
            result.parent_marked = _mark_parent(message, report)
            return result
        fields["soft_bounces"] = message.soft_bounces + 1
        resend = (
            not report.delayed
            and message.status == Status.SENT
            and not message.carries_secret  # its body was wiped once sent
            and message.soft_bounces < MAX_SOFT_RESENDS
        )
        if resend:
            fields.update(status=Status.RETRY, next_attempt_at=now + backoff(message.attempts))
        OutgoingMessage.objects.filter(pk=message.pk).update(**fields)
        if resend:
            schedule_follow_up(fields["next_attempt_at"])
        return result


def _mark_parent(message: OutgoingMessage, report: Report) -> bool:
    """Audit the parent whose current address bounced. The mark itself is the bounced row
    (see undeliverable_q): it holds while the parent's address is the one that bounced."""
    if message.parent_id is None or message.school_id is None:
        return False
    parent = Parent.objects.filter(pk=message.parent_id, school_id=message.school_id).first()
    if parent is None or parent.email != message.email:
        return False
    audit_record(
        request=None,
        action="bounce",
        obj=parent,
        school=message.school,
        status=report.status or "5.0.0",
    )
    return True


def email_not_working() -> Exists:
    """For a Parent queryset: whether mail to the parent's current address came back as
    undeliverable. Clears by itself when the address changes."""
    return Exists(
        OutgoingMessage.objects.filter(
            parent=OuterRef("pk"), email=OuterRef("email"), status=Status.BOUNCED
        )
    )


def with_email_status(parents: QuerySet[Parent]) -> QuerySet[Parent]:
    return parents.annotate(email_not_working=email_not_working())


def parent_email_not_working(parent: Parent) -> bool:
    return (
        bool(parent.email)
        and OutgoingMessage.objects.filter(
            parent=parent, email=parent.email, status=Status.BOUNCED
        ).exists()
    )
