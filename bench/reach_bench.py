"""Reach at school size: a plain mailing to every family of a school of 600 families (every
third family two guardians), read in the portal by a third of them; the teacher's status
page ("Gelezen door X van Y gezinnen", the families not reached), the parent's Berichten list
and the link from the mail, and the teacher's Concepten page, against the bare staff and
parent views, rendered in this process.

(`bench/mailing_bench.py` measures delivery to an SMTP sink; `bench/question_bench.py` the
same pages for a mailing with a question. This one is the mailing without a question.)

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/reach_bench.py [--families 600] [--requests 10] [--db NAME]

It recreates the database, generates one school in bulk (bench/schoolgen.py), sends the
mailing to all its groups through the real service, marks a third of the messages read,
keeps 20 drafts for the teacher, then requests each page through Django's test client
`--requests` times after one warm-up, the pages interleaved round by round. It prints the
median time and the number of queries of each, then `RATIO reach_<page>_vs_bare value` and
`ERRORS n`.
"""

import re
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

DB_NAME = "ocs_bench_reach"
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
    from mailings.models import Mailing, OutgoingMessage
    from mailings.services import mailing_send
    from schools.access import parent_required

    urlpatterns.insert(0, path(BARE_PARENT_PATH.lstrip("/"), parent_required(bare_view)))
    clear_url_caches()

    s = school_generate(slug="bereik", families=args.families)
    mailing = mailing_send(
        staff=s.manager,
        groups=s.groups,
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Beste ouders,\n\nVrijdag gaan we op schoolreis.\n\nDe directie",
        files=[],
    )
    now = timezone.now()
    OutgoingMessage.objects.filter(mailing=mailing).update(status="sent", sent_at=now)
    recipients = list(
        OutgoingMessage.objects.filter(mailing=mailing, is_sender_copy=False).values_list(
            "pk", flat=True
        )
    )
    OutgoingMessage.objects.filter(pk__in=recipients[::3]).update(read_at=now)
    Mailing.objects.bulk_create(
        Mailing(
            school=s.school,
            sender=s.manager,
            sender_name=s.manager.full_name,
            sender_email=s.manager.email,
            subject=f"Concept {i}",
            body="Nog niet af.",
            status=Mailing.Status.DRAFT,
        )
        for i in range(20)
    )
    parent = s.parents[1]
    staff = Client()
    staff.force_login(s.manager.user, backend="accounts.backends.EmailBackend")
    portal = Client()
    portal.force_login(parent.user, backend="accounts.backends.EmailBackend")
    for client in (staff, portal):
        client.get("/privacy/")  # the session is renewed here, not in a measured request
    pages = {
        "bare_staff": (staff, BARE_PATH),
        "status_page": (staff, reverse("mailings:detail", args=[mailing.public_id])),
        "drafts": (staff, reverse("mailings:drafts")),
        "bare_parent": (portal, BARE_PARENT_PATH),
        "portal_list": (portal, reverse("mailings:portal_list")),
        "portal_link": (portal, reverse("mailings:portal_mailing", args=[mailing.public_id])),
    }
    times = {name: [] for name in pages}
    queries, errors = {}, 0
    print(
        f"one school of {args.families} families, a mailing to all {len(recipients)} "
        f"recipients, {len(recipients[::3])} read; median of {args.requests} requests, "
        "pages interleaved"
    )
    for n in range(args.requests + 1):
        for name, (client, url) in pages.items():
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - t0
            if n:
                times[name].append(elapsed)
            errors += response.status_code not in (200, 302)
            queries[name] = len(ctx.captured_queries)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name in pages:
        print(f"  {name:<12} {1000 * medians[name]:8.1f} ms {queries[name]:>4} queries")
    page = staff.get(pages["status_page"][1]).content.decode()
    said = re.search(r"Gelezen door \d+ van \d+ gezinnen", page)
    errors += said is None
    print(f"  the status page says: {said.group(0) if said else '(nothing)'}")
    ratios = {}
    for name, (client, _url) in pages.items():
        if name.startswith("bare"):
            continue
        bare = "bare_staff" if client is staff else "bare_parent"
        ratios[f"reach_{name}_vs_bare"] = medians[name] / medians[bare]
    report(ratios, errors)


if __name__ == "__main__":
    main()
