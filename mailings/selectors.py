from django.db.models import Count, Q, QuerySet

from mailings.models import OutgoingMessage

Status = OutgoingMessage.Status


def with_counts(mailings: QuerySet) -> QuerySet:
    """Per mailing: messages in total, sent, failed and waiting for a retry (one query)."""
    return mailings.annotate(
        total=Count("messages"),
        sent_count=Count("messages", filter=Q(messages__status=Status.SENT)),
        failed_count=Count("messages", filter=Q(messages__status=Status.FAILED)),
        retry_count=Count("messages", filter=Q(messages__status=Status.RETRY)),
    )
