"""Who may mail whom, and who may see which mailing. Same rules as schools/access.py: a
stranger gets 404."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from mailings import selectors
from mailings.models import Mailing, MailingAttachment, OutgoingMessage
from schools.models import Parent, StaffMember


def mailings_for_staff(staff: StaffMember) -> QuerySet[Mailing]:
    """A teacher sees what they sent; directie and beheerder all of the school's mailings.
    Drafts and scheduled mailings are their author's only (drafts_for_staff)."""
    mailings = Mailing.objects.filter(school=staff.school, status=Mailing.Status.SENT)
    if not staff.is_manager:
        mailings = mailings.filter(sender=staff)
    return mailings


def mailing_for_staff(request: HttpRequest, mailing_id, *, with_counts: bool = False) -> Mailing:
    mailings = mailings_for_staff(request.staff).select_related("question")
    if with_counts:
        mailings = selectors.with_counts(mailings)
    try:
        return mailings.get(public_id=mailing_id)
    except (Mailing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def drafts_for_staff(staff: StaffMember) -> QuerySet[Mailing]:
    """Drafts and scheduled mailings are work in progress: only their author sees them, not
    the directie (a decision; a sent mailing is the directie's to read)."""
    return Mailing.objects.filter(
        school=staff.school,
        sender=staff,
        status__in=[Mailing.Status.DRAFT, Mailing.Status.SCHEDULED],
    )


def draft_for_staff(request: HttpRequest, mailing_id, *, for_update: bool = False) -> Mailing:
    drafts = drafts_for_staff(request.staff)
    if for_update:
        drafts = drafts.select_for_update()
    try:
        return drafts.get(public_id=mailing_id)
    except (Mailing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def attachment_for_staff(request: HttpRequest, mailing_id, attachment_id) -> MailingAttachment:
    mailing = mailing_for_staff(request, mailing_id)
    try:
        return mailing.attachments.get(public_id=attachment_id)
    except (MailingAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def messages_for_parent(parent: Parent) -> QuerySet[OutgoingMessage]:
    """What the school sent this parent record, by key (never by address: another school may
    know the same address). Mail carrying a link or code never shows."""
    return OutgoingMessage.objects.filter(
        parent=parent, school_id=parent.school_id, carries_secret=False, is_sender_copy=False
    )


def message_for_parent(request: HttpRequest, message_id) -> OutgoingMessage:
    try:
        return (
            messages_for_parent(request.parent).select_related("mailing").get(public_id=message_id)
        )
    except (OutgoingMessage.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def attachment_for_parent(request: HttpRequest, message_id, attachment_id) -> MailingAttachment:
    message = message_for_parent(request, message_id)
    if message.mailing_id is None:
        raise Http404
    try:
        return message.mailing.attachments.get(public_id=attachment_id)
    except (MailingAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
