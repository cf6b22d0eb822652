"""PDF timings: the group PDF (30 families), the school-wide parent list (600 families), the
conference overview (30 times) and a special group's members, rendered in this process.

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/pdf_bench.py [--families 600] [--requests 10] [--db ocs_bench_pdf]

It recreates the database, generates one school in bulk (bench/schoolgen.py: groups of 30
families, a round per group, a special group) and requests each PDF through Django's test
client as the directie, `--requests` times after one warm-up; it prints the median time,
the pages and the size of each, and the time of a bare staff view the same way, then
`RATIO pdf_<name>_vs_bare value` and `ERRORS n`.
"""

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    install_urls,
    parse_args,
    recreate_database,
    setup_django,
)

DB_NAME = "ocs_bench_pdf"


def main() -> None:
    args = parse_args(__doc__, DB_NAME, families=600, requests=10)
    if not 30 <= args.families <= 2000 or not 1 <= args.requests <= 100:
        raise SystemExit("keep it bounded: 30-2000 families, 1-100 requests")
    recreate_database(args.db)
    setup_django(args.db)
    install_urls("staff_required")
    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader

    from bench.schoolgen import school_generate

    s = school_generate(slug="pdf", families=args.families)
    client = Client()
    client.force_login(s.manager.user, backend="accounts.backends.EmailBackend")
    urls = {
        "bare": BARE_PATH,
        "group": reverse("parents:group_pdf", args=[s.groups[0].public_id]),
        "school": reverse("parents:school_pdf"),
        "round": reverse("conferences:round_pdf", args=[s.rounds[0].public_id]),
        "special_group": reverse("specialgroups:pdf", args=[s.special_group.public_id]),
    }
    medians, errors = {}, 0
    print(f"one school of {args.families} families; median of {args.requests} requests")
    for name, url in urls.items():
        times = []
        for n in range(args.requests + 1):
            t0 = time.perf_counter()
            response = client.get(url)
            if n:
                times.append(time.perf_counter() - t0)
            errors += response.status_code != 200
        medians[name] = statistics.median(times)
        detail = ""
        if name != "bare":
            pages = len(PdfReader(io.BytesIO(response.content)).pages)
            detail = f"{pages:>4} pages {len(response.content) // 1024:>6} KB"
        print(f"  {name:<14} {1000 * medians[name]:8.1f} ms {detail}")
    for name in urls:
        if name != "bare":
            print(f"RATIO pdf_{name}_vs_bare {medians[name] / medians['bare']:.2f}")
    print(f"ERRORS {errors}")


if __name__ == "__main__":
    main()
