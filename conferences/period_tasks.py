from django.tasks import task

from conferences.models import ConferencePeriod
from conferences.period_mail import period_plan_mail_send
from schools.models import Parent


@task(queue_name="mail")
def period_plan_confirm(*, period_id: int, parent_id: int) -> int:
    """After a family booked its chain: the overview with .ics to the booking parent and to
    the other guardians of the children (each sees only their own talks)."""
    period = ConferencePeriod.objects.select_related("school").filter(pk=period_id).first()
    parent = Parent.objects.filter(pk=parent_id).first()
    if period is None or parent is None:
        return 0
    others = Parent.objects.filter(
        pupils__in=parent.pupils.all(), school=period.school, is_blocked=False
    ).distinct()
    sent = 0
    for member in [parent, *others.exclude(pk=parent.pk).order_by("pk")]:
        sent += period_plan_mail_send(period=period, parent=member, template="period_booked")
    return sent
