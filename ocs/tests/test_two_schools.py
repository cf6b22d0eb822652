"""Every route × staff and parents of both schools, with real objects of school A.

School B's beheerder (Olaf) and parent (Eva) get 400, 403, 404 or 405 on every route that names
one of A's objects, GET and POST alike, and nothing of A changes; A's own staff and parents
never get a server error. Routes without an object in their URL show only the user's own
school and are covered by each chapter's tests.
"""

import datetime

import pytest
from django.test import Client

from ocs.tests.test_url_access import access_of, routes

OBJECT_ROUTES = [
    (name, route, pattern)
    for name, route, pattern in routes()
    if pattern.pattern.converters and access_of(pattern) not in (None, "public")
]


@pytest.fixture
def school_a_objects(world):
    from accounts.tokens import email_confirm_token
    from conferences.models import ConferencePeriod
    from conferences.periods import PeriodSettings, period_create, period_open
    from conferences.services import RoundSettings, round_create, round_publish
    from mailings.models import Mailing, MailingAttachment, OutgoingMessage
    from schools.models import ImportBatch
    from specialgroups.services import special_group_create

    first_day = datetime.date.today() + datetime.timedelta(days=14)
    conference = round_create(
        staff=world.anna,
        plan=RoundSettings(
            group=world.g3,
            total=4,
            duration_minutes=10,
            per_block=4,
            break_minutes=0,
            start_date=first_day,
            start_time=datetime.time(15, 0),
            end_time=datetime.time(16, 0),
            extra_dates=(),
            closes_at=None,
        ),
        accept_fewer=True,
    )
    round_publish(conference=conference)
    special = special_group_create(
        school=world.school,
        created_by=world.anna.user,
        name="Schoolreis",
        has_activity=True,
        description="Mee naar de dierentuin",
        signup_deadline=first_day,
        max_participants=3,
        eligible_groups=[world.g3],
    )
    mailing = Mailing.objects.create(
        school=world.school,
        sender=world.anna,
        sender_name="Anna",
        sender_email="anna@linde.test",
        subject="Schoolreis",
        body="Tekst",
    )
    draft = Mailing.objects.create(
        school=world.school,
        sender=world.anna,
        sender_name="Anna",
        sender_email="anna@linde.test",
        subject="Kerstviering",
        body="Tekst",
        status=Mailing.Status.SCHEDULED,
        send_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    draft.groups.set([world.g3])
    attachment = MailingAttachment.objects.create(
        mailing=mailing,
        file="x/brief.pdf",
        filename="brief.pdf",
        mimetype="application/pdf",
        size=1,
    )
    message = OutgoingMessage.objects.create(
        mailing=mailing,
        school=world.school,
        parent=world.petra,
        email=world.petra.email,
        next_attempt_at=datetime.datetime.now(datetime.UTC),
    )
    from mailings.models import Answer
    from mailings.questions import question_create, question_draft

    question = question_create(
        mailing=mailing,
        draft=question_draft(
            prompt="Mag Sam mee?",
            kind="yes_no",
            labels=[],
            day=first_day.isoformat(),
            time="17:00",
        ),
    )
    Answer.objects.create(
        question=question,
        pupil=world.sam,
        choice=question.choices.get(position=0),
        answered_by=world.petra,
        answered_at=datetime.datetime.now(datetime.UTC),
    )
    period = period_create(
        staff=world.dirk,
        plan=PeriodSettings(
            name="Najaarsgesprekken",
            mode=ConferencePeriod.Mode.FIRST_COME,
            groups=(world.g3, world.g4),
            duration_minutes=10,
            per_block=6,
            break_minutes=10,
            start_date=first_day,
            start_time=datetime.time(15, 0),
            end_time=datetime.time(17, 0),
        ),
    )
    period_open(period=period)
    from conferences.models import SwapRequest

    first_round = period.links.select_related("round").first().round
    swap = SwapRequest.objects.create(
        period=period,
        round=first_round,
        parent=world.petra,
        pupil=world.sam,
        from_starts_at=first_round.slots.first().starts_at,
        to_slot=first_round.slots.last(),
    )
    batch = ImportBatch.objects.create(school=world.school, pupils_csv="")
    from families.models import DetailChange

    change = DetailChange.objects.create(
        school=world.school,
        parent=world.petra,
        values={"phone": {"old": "", "new": "0612345678"}},
        status=DetailChange.Status.PENDING,
    )
    from families.restrictions import restriction_add

    restriction = restriction_add(
        parent=world.quinten, pupil=world.lotte, reason="Rechter", staff=world.bea, request=None
    )
    confirm = email_confirm_token(user=world.petra.user, new_email="petra.nieuw@example.nl")
    return {
        "parents": {"group_id": world.g3.public_id, "parent_id": world.petra.public_id},
        "specialgroups": {"group_id": special.public_id, "parent_id": world.petra.public_id},
        "conferences": {
            "round_id": conference.public_id,
            "slot_id": conference.slots.first().pk,
            "period_id": period.public_id,
            "swap_id": swap.public_id,
        },
        "mailings": {
            "mailing_id": mailing.public_id,
            "attachment_id": attachment.public_id,
            "message_id": message.public_id,
            "draft_id": draft.public_id,
        },
        "privacy": {"parent_id": world.petra.public_id},
        "schools": {"batch_id": batch.pk},
        "accounts": {"staff_id": world.anna.pk, "token": confirm},
        "families": {
            "change_id": change.public_id,
            "group_id": world.g3.public_id,
            "restriction_id": restriction.public_id,
        },
    }


def url_for(name: str, route: str, pattern, objects: dict) -> str | None:
    namespace = name.split(":")[0]
    values = objects.get(namespace, {})
    path = "/" + route
    for key in pattern.pattern.converters:
        if key not in values:
            return None
        for prefix in ("uuid:", "int:", "str:", "slug:", "path:", ""):
            path = path.replace(f"<{prefix}{key}>", str(values[key]))
    return path


def snapshot(world) -> tuple:
    from conferences.models import Slot
    from mailings.models import Answer, Mailing
    from schools.models import Parent

    petra = Parent.objects.get(pk=world.petra.pk)
    return (
        petra.email,
        petra.is_blocked,
        petra.last_name,
        sorted(Slot.objects.values_list("pk", "pupil_id")),
        sorted(Answer.objects.values_list("pupil_id", "choice_id", "answered_by_id")),
        sorted(Mailing.objects.values_list("pk", "status", "subject", "send_at")),
    )


@pytest.mark.parametrize(
    ("name", "route", "pattern"), OBJECT_ROUTES, ids=[r[0] for r in OBJECT_ROUTES]
)
def test_the_other_school_reaches_none_of_school_as_objects(
    world, school_a_objects, name, route, pattern
):
    url = url_for(name, route, pattern, school_a_objects)
    assert url is not None, f"add an object of school A for {name} to school_a_objects"
    before = snapshot(world)
    for persona in (world.olaf, world.eik_parent):
        client = Client()
        client.force_login(persona.user, backend="accounts.backends.EmailBackend")
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"confirm": "1", "last_name": "X"})
            assert response.status_code in (400, 403, 404, 405), (
                f"{persona} {method.upper()} {url}: {response.status_code}"
            )
    assert snapshot(world) == before


@pytest.mark.parametrize(
    ("name", "route", "pattern"), OBJECT_ROUTES, ids=[r[0] for r in OBJECT_ROUTES]
)
def test_school_as_own_people_never_get_a_server_error(
    world, school_a_objects, name, route, pattern
):
    url = url_for(name, route, pattern, school_a_objects)
    assert url is not None, f"add an object of school A for {name} to school_a_objects"
    for persona in (world.petra, world.anna, world.bea):
        client = Client(raise_request_exception=False)
        client.force_login(persona.user, backend="accounts.backends.EmailBackend")
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            assert response.status_code < 500, f"{persona} {method.upper()} {url}"
