"""Vraag om reactie at school size: a mailing with a question to every family of a school,
answered for half of the children; the teacher's status page, the parent's Berichten list and
message page, and the answer POST, against the bare views, rendered in this process.

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/question_bench.py [--families 600] [--requests 10] [--db NAME]

It recreates the database, generates one school in bulk (bench/schoolgen.py), sends a
mailing with a ja/nee question to all its groups through the real services, answers it for
every other child, then requests each page through Django's test client `--requests` times
after one warm-up. It prints the median time and the number of queries of each, then
`RATIO question_<page>_vs_bare value` (staff pages against the bare staff view, portal pages
against the bare parent view, and the status page against the same page of a mailing
without a question) and `ERRORS n`.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    bare_view,
    install_urls,
    parse_args,
    recreate_database,
    report,
    setup_django,
    urlpatterns,
)

DB_NAME = "ocs_bench_question"
BARE_PARENT_PATH = "/_bench/bare-parent/"


def main() -> None:
    args = parse_args(__doc__, DB_NAME, families=600, requests=10)
    if not 30 <= args.families <= 2000 or not 1 <= args.requests <= 100:
        raise SystemExit("keep it bounded: 30-2000 families, 1-100 requests")
    recreate_database(args.db)
    setup_django(args.db)
    install_urls("staff_required")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path, reverse
    from django.utils import timezone

    from bench.schoolgen import school_generate
    from mailings.models import Answer, OutgoingMessage
    from mailings.questions import question_create, question_draft
    from mailings.services import mailing_send
    from schools.access import parent_required
    from schools.models import Guardianship

    urlpatterns.insert(0, path(BARE_PARENT_PATH.lstrip("/"), parent_required(bare_view)))
    clear_url_caches()

    s = school_generate(slug="vraag", families=args.families)
    mailing = mailing_send(
        staff=s.manager,
        groups=s.groups,
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Beste ouders, wij gaan op schoolreis.",
        files=[],
    )
    plain = mailing_send(
        staff=s.manager,
        groups=s.groups,
        special_groups=[],
        parent_ids=None,
        subject="Nieuwsbrief",
        body="Beste ouders, het nieuws van deze week.",
        files=[],
    )
    OutgoingMessage.objects.update(status="sent", sent_at=timezone.now())
    tomorrow = (timezone.localdate() + timezone.timedelta(days=2)).isoformat()
    question = question_create(
        mailing=mailing,
        draft=question_draft(
            prompt="Mag uw kind mee?", kind="yes_no", labels=[], day=tomorrow, time="17:00"
        ),
    )
    yes = question.choices.get(position=0)
    parent_of = dict.fromkeys((p.pk for p in s.pupils), None)
    for parent_id, pupil_id in Guardianship.objects.filter(pupil__school=s.school).values_list(
        "parent_id", "pupil_id"
    ):
        parent_of[pupil_id] = parent_of[pupil_id] or parent_id
    Answer.objects.bulk_create(
        Answer(
            question=question,
            pupil_id=pupil.pk,
            choice=yes,
            answered_by_id=parent_of[pupil.pk],
            answered_at=timezone.now(),
        )
        for i, pupil in enumerate(s.pupils)
        if i % 2 == 0 and parent_of[pupil.pk]
    )
    parent = s.parents[1]
    pupil = parent.pupils.first()
    message = OutgoingMessage.objects.get(mailing=mailing, parent=parent)
    staff = Client()
    staff.force_login(s.manager.user, backend="accounts.backends.EmailBackend")
    portal = Client()
    portal.force_login(parent.user, backend="accounts.backends.EmailBackend")
    pages = {
        "bare_staff": (staff, "get", BARE_PATH, None),
        "status_page": (staff, "get", reverse("mailings:detail", args=[mailing.public_id]), None),
        # The same page of a mailing to the same families without a question.
        "status_no_question": (
            staff,
            "get",
            reverse("mailings:detail", args=[plain.public_id]),
            None,
        ),
        "answers_pdf": (
            staff,
            "get",
            reverse("mailings:question_pdf", args=[mailing.public_id]),
            None,
        ),
        "bare_parent": (portal, "get", BARE_PARENT_PATH, None),
        "portal_list": (portal, "get", reverse("mailings:portal_list"), None),
        "portal_message": (
            portal,
            "get",
            reverse("mailings:portal_detail", args=[message.public_id]),
            None,
        ),
        "answer_post": (
            portal,
            "post",
            reverse("mailings:portal_answer", args=[message.public_id]),
            {f"kind-{pupil.public_id}": "1"},
        ),
    }
    medians, queries, errors = {}, {}, 0
    print(
        f"one school of {args.families} families, a question to all "
        f"{OutgoingMessage.objects.filter(mailing=mailing, is_sender_copy=False).count()} "
        f"recipients, {Answer.objects.filter(question=question).count()} answered; "
        f"median of {args.requests} requests"
    )
    for name, (client, method, url, data) in pages.items():
        times = []
        for n in range(args.requests + 1):
            if name == "answer_post":  # a changed answer each time: the full write
                data = {f"kind-{pupil.public_id}": str(n % 2)}
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = getattr(client, method)(url, data or {})
                elapsed = time.perf_counter() - t0
            if n:
                times.append(elapsed)
            errors += response.status_code not in (200, 302)
        medians[name] = statistics.median(times)
        queries[name] = len(ctx.captured_queries)
        print(f"  {name:<16} {1000 * medians[name]:8.1f} ms {queries[name]:>4} queries")
    ratios = {}
    for name in pages:
        if name.startswith("bare"):
            continue
        bare = "bare_staff" if pages[name][0] is staff else "bare_parent"
        ratios[f"question_{name}_vs_bare"] = medians[name] / medians[bare]
    ratios["question_status_page_vs_no_question"] = (
        medians["status_page"] / medians["status_no_question"]
    )
    report(ratios, errors)


if __name__ == "__main__":
    main()
