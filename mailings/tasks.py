import logging
from datetime import timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from mailings.delivery import outbox_deliver, outbox_next_due
from mailings.models import DeliverySchedule

logger = logging.getLogger(__name__)


@task(queue_name="mail")
def deliver_outbox() -> dict:
    """Drain the outbox, then come back when the next retry is due. django-tasks-db has no
    scheduler, so the task re-enqueues itself with run_after; `manage.py mail_deliver` (cron)
    is the safety net for a queue that lost its jobs."""
    report = outbox_deliver()
    next_due = outbox_next_due()
    if next_due is not None:
        schedule_follow_up(max(next_due, timezone.now() + timedelta(seconds=1)))
    return {"sent": report.sent, "failed": report.failed, "retry": report.retry}


def schedule_follow_up(at) -> bool:
    """Enqueue one deferred run at `at`, unless a run is already planned at or before it."""
    if not deliver_outbox.get_backend().supports_defer:
        return False
    DeliverySchedule.objects.get_or_create(pk=1)
    now = timezone.now()
    claimed = (
        DeliverySchedule.objects.filter(pk=1)
        .filter(Q(run_after__isnull=True) | Q(run_after__lt=now) | Q(run_after__gt=at))
        .update(run_after=at)
    )
    if claimed:
        deliver_outbox.using(run_after=at).enqueue()
    return bool(claimed)
