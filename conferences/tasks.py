from django.tasks import task

from conferences.mail import booking_mail_send
from conferences.models import Slot
from schools.models import Parent


@task(queue_name="mail")
def booking_confirm(*, slot_id: int, pupil_id: int, booker_id: int, changed: bool) -> bool:
    """The parent's booking confirmation (.ics) and the note to the other parent(s), rendered
    by the worker so the booking request stays short. Skipped when the slot no longer holds
    the child (a later change or cancellation sends its own mail).

    The booking service enqueues this task; the task renders the mail with conferences.mail
    and never imports the services, so the imports run one way."""
    slot = (
        Slot.objects.filter(pk=slot_id, pupil_id=pupil_id)
        .select_related("pupil", "round__group", "round__school", "round__teacher__user")
        .first()
    )
    booker = Parent.objects.filter(pk=booker_id).first()
    if slot is None or booker is None:
        return False
    booking_mail_send(slot=slot, booker=booker, changed=changed)
    return True
