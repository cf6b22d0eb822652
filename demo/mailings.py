"""A demo mailing with a question: Groep 1/2A's teacher asks permission for the school trip,
most families have read it and answered (some guardians twice, the latest counting), a few
not yet, so the status page shows a tally, families not reached and a reminder to send.
Idempotent: the mailing is found by its subject (`manage.py load_demo` calls this)."""

import datetime

from django.utils import timezone

from mailings.models import Mailing, OutgoingMessage
from mailings.questions import (
    answers_save,
    question_children,
    question_create,
    question_draft,
)
from mailings.services import mailing_send
from schools.models import Group, Pupil, School, StaffMember

SUBJECT = "Schoolreis naar het speelpark"
BODY = (
    "Beste ouders,\n\n"
    "Op vrijdag gaat Groep 1/2A met de bus naar het speelpark. We vertrekken om 8.30 uur en "
    "zijn rond 15.00 uur terug. Geef uw kind een lunchpakket en een regenjas mee.\n\n"
    "Wilt u hieronder laten weten of uw kind mee mag?\n\n"
    "Groeten, juf Anita"
)
# Families whose demo login should find the question still open for them to answer.
LEAVE_OPEN = {"iris.elamrani@gmail.com", "piotr.elamrani@icloud.com"}


def demo_mailings_load(*, school: School) -> Mailing | None:
    existing = Mailing.objects.filter(school=school, subject=SUBJECT).first()
    if existing is not None:
        return existing
    teacher = StaffMember.objects.filter(
        school=school, email__iexact="anita.kuipers@school1.example.nl"
    ).first()
    group = Group.objects.filter(school=school, name="Groep 1/2A").first()
    if teacher is None or group is None:
        return None
    mailing = mailing_send(
        staff=teacher,
        groups=[group],
        special_groups=[],
        parent_ids=None,
        subject=SUBJECT,
        body=BODY,
        files=[],
    )
    day = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    question = question_create(
        mailing=mailing,
        draft=question_draft(
            prompt="Mag uw kind mee op schoolreis?", kind="yes_no", labels=[], day=day, time="17:00"
        ),
    )
    now = timezone.now()
    messages = list(
        OutgoingMessage.objects.filter(mailing=mailing, is_sender_copy=False)
        .select_related("parent")
        .order_by("name", "pk")
    )
    # Children of the demo logins stay unanswered, whichever guardian would answer.
    answered: set[int] = set(
        Pupil.objects.filter(school=school, parents__email__in=LEAVE_OPEN).values_list(
            "pk", flat=True
        )
    )
    for i, message in enumerate(messages):
        parent = message.parent
        if parent is None or i % 5 == 4:
            continue  # not read: these families are the ones a reminder is for
        message.read_at = now - datetime.timedelta(hours=len(messages) - i)
        message.save(update_fields=["read_at"])
        if i % 7 == 3:
            continue  # read, but no answer yet
        children = [
            c for c in question_children(mailing=mailing, parent=parent) if c.pk not in answered
        ]
        chosen = {str(c.public_id): "1" if i % 9 == 0 else "0" for c in children}
        if chosen:
            answers_save(question=question, parent=parent, chosen=chosen, now=now)
            answered.update(c.pk for c in children)
    return mailing
