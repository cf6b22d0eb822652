"""Both guardians answering for the same child at the same moment (PostgreSQL, threads): one
answer per child stays (the database's unique constraint), nobody gets an error, and the
answer that counts is one of the two given. Without the retry after the unique constraint's
IntegrityError in answers_save, this test fails with "duplicate key … answer_once_per_child"
(checked when it was written)."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from lib.testing import postgresql_only
from mailings.models import Answer
from mailings.questions import answers_save, question_create, question_draft
from mailings.tests.helpers import send_to_group
from schools.models import Pupil

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only()]
CHILDREN = 12


def test_simultaneous_answers_of_both_guardians_leave_one_answer_per_child(world, make_parent):
    pupils = [
        Pupil.objects.create(
            school=world.school,
            number=f"5{i:03}",
            first_name=f"K{i}",
            last_name="R",
            group=world.g3,
        )
        for i in range(CHILDREN)
    ]
    mother = make_parent(world.school, "moeder@example.nl", pupils=pupils, first_name="Moeder")
    father = make_parent(world.school, "vader@example.nl", pupils=pupils, first_name="Vader")
    mailing = send_to_group(world.anna, world.g3)
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    question = question_create(
        mailing=mailing,
        draft=question_draft(prompt="Mee?", kind="yes_no", labels=[], day=tomorrow, time="17:00"),
    )
    errors = []

    def answer(parent, position):
        try:
            for pupil in pupils:
                barrier.wait(timeout=10)
                answers_save(
                    question=question, parent=parent, chosen={str(pupil.public_id): position}
                )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=answer, args=(mother, "0")),
        threading.Thread(target=answer, args=(father, "1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = list(Answer.objects.filter(question=question).select_related("choice"))
    assert sorted(r.pupil_id for r in rows) == sorted(p.pk for p in pupils)
    # Each row is one guardian's own answer, never a mix of the two.
    assert all(
        (r.answered_by_id, r.choice.position) in {(mother.pk, 0), (father.pk, 1)} for r in rows
    )
