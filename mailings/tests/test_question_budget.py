"""The status page of a mailing with a question and the parent's message page cost the same
number of queries for a small and a large school (see ocs/tests/test_query_budgets.py)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mailings.models import Answer, OutgoingMessage
from mailings.questions import question_create, question_draft
from mailings.services import mailing_send
from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember

# Measured when set (Django's queries; BEGIN/COMMIT not counted).
BUDGETS = {"status page": 14, "portal message": 12, "answer (POST)": 16}


def school_with_question(slug: str, families: int):
    """`families` children in two groups, each with two guardians in separate households;
    a mailing with a question to both groups, answered for every other child."""
    school = School.objects.create(name=slug, slug=slug, from_email=f"info@{slug}.test")
    groups = [Group.objects.create(school=school, name=f"Groep {n}") for n in (3, 4)]
    user = User.objects.create_user(f"dir@{slug}.test", "x-long-password-1")
    director = StaffMember.objects.create(
        school=school,
        user=user,
        email=user.email,
        first_name="Dir",
        last_name="Ectie",
        role="directie",
    )
    pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school,
            number=str(1000 + i),
            first_name=f"Kind{i}",
            last_name="Test",
            group=groups[i % 2],
        )
        for i in range(families)
    )
    parents = []
    for i, pupil in enumerate(pupils):
        for who in ("a", "b"):
            email = f"{who}{i}@{slug}.test"
            parent = Parent.objects.create(
                school=school,
                user=User.objects.create_user(email, "x-long-password-1") if i < 2 else None,
                email=email,
                first_name=f"{who.upper()}{i}",
                last_name="Ouder",
            )
            Guardianship.objects.create(parent=parent, pupil=pupil)
            parents.append(parent)
    mailing = mailing_send(
        staff=director,
        groups=groups,
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Mee?",
        files=[],
    )
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    question = question_create(
        mailing=mailing,
        draft=question_draft(prompt="Mee?", kind="yes_no", labels=[], day=tomorrow, time="17:00"),
    )
    yes = question.choices.get(position=0)
    Answer.objects.bulk_create(
        Answer(
            question=question,
            pupil=pupil,
            choice=yes,
            answered_by=parents[2 * i],
            answered_at=timezone.now(),
        )
        for i, pupil in enumerate(pupils)
        if i % 2 == 0
    )
    return director, parents[0], pupils[0], mailing


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.EmailBackend")
    client.get("/privacy/")  # the session is renewed here, not in a measured request
    return client


def _count(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_question_pages_cost_the_same_for_a_small_and_a_large_school():
    counts: dict[str, dict[int, int]] = {}
    for size in (4, 60):
        director, parent, pupil, mailing = school_with_question(f"s{size}", size)
        staff = _client(director.user)
        counts.setdefault("status page", {})[size] = _count(
            staff, "get", reverse("mailings:detail", args=[mailing.public_id])
        )
        message = OutgoingMessage.objects.get(mailing=mailing, parent=parent)
        portal = _client(parent.user)
        counts.setdefault("portal message", {})[size] = _count(
            portal, "get", reverse("mailings:portal_detail", args=[message.public_id])
        )
        counts.setdefault("answer (POST)", {})[size] = _count(
            portal,
            "post",
            reverse("mailings:portal_answer", args=[message.public_id]),
            {f"kind-{pupil.public_id}": "1"},
        )
    report = "\n".join(f"{name:<16} {by_size}" for name, by_size in counts.items())
    print(report)
    assert {name: len(set(c.values())) for name, c in counts.items()} == dict.fromkeys(counts, 1), (
        report
    )
    assert {name: max(c.values()) for name, c in counts.items()} == BUDGETS, report
