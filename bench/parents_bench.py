"""Ouderoverzicht timings: the group PDF and the parent list of a group of 30 families, in a
school of 30 families and in a school of 600 families.

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:

    .venv/bin/python bench/parents_bench.py [--rounds 3] [--db NAME]

It (re)creates the database ocs_bench_parents (or --db), migrates it, seeds two schools (one
group of 30 families; 20 groups of 30 = 600 families), each family one child and two parents
with full details, gives each school's beheerder a ready session, starts gunicorn with 2
sync workers on a free port on 127.0.0.1 and, interleaved over a few rounds, times one
request at a time (medians are printed):

- a bare Django view behind the same staff decorator, served the same way (same server,
  middleware and session): the ceiling of a staff request through this stack;
- the Ouderoverzicht (group list), a group's parent list, a parent's details and the group
  PDF, in both schools; and the number of SQL queries of each page (counted in-process with
  the same URLs), which must be the same in both schools.

Everything is bounded: a fixed number of requests per round, timeouts on every request and on
the server; the server is stopped at the end.
"""

import http.client
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    free_port,
    install_urls,
    make_session,
    parse_args,
    recreate_database,
    report,
    setup_django,
    start_server,
    stop_server,
)

DB_NAME = "ocs_bench_parents"  # the default of --db
# Requests per page per round: the PDF costs about 100 ms per page, the rest a few ms.
REQUESTS = {"bare": 60, "group_list": 30, "group_detail": 30, "parent_detail": 30, "pdf": 5}
# The server: OCS plus the bare view behind the staff pages' staff_required, so both are
# measured through the same process, middleware and session.
ACCESS = "staff_required"
APP = f'bench.common:ocs_app("{ACCESS}")'


def seed_school(slug: str, groups: int) -> dict:
    """A school with `groups` groups of 30 families and a beheerder with a session."""
    from accounts.models import User
    from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember

    school = School.objects.create(name=f"Bench {slug}", slug=slug, from_email="info@b.test")
    group_rows = Group.objects.bulk_create(
        Group(school=school, name=f"Groep {3 + i % 6}{chr(65 + i // 6)}") for i in range(groups)
    )
    pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school,
            number=f"{g}-{i}",
            first_name=f"Kind{i}",
            last_name=f"Achternaam-van-de-Familie{g:02d}{i:02d}",
            group=group,
        )
        for g, group in enumerate(group_rows)
        for i in range(30)
    )
    parents = Parent.objects.bulk_create(
        Parent(
            school=school,
            first_name=role,
            last_name=pupil.last_name,
            email=f"{role.lower()}.{pupil.number}@{slug}.test",
            phone="06-12345678",
            street="Burgemeester van Roijensingel",
            house_number=str(n),
            postcode="8011 AB",
            city="Zwolle",
        )
        for n, pupil in enumerate(pupils)
        for role in ("Moeder", "Vader")
    )
    Guardianship.objects.bulk_create(
        Guardianship(parent=parent, pupil=pupils[n // 2]) for n, parent in enumerate(parents)
    )
    user = User.objects.create_user(f"beheer@{slug}.test")
    StaffMember.objects.create(
        school=school,
        user=user,
        email=user.email,
        first_name="Bea",
        last_name="Beheer",
        role="beheerder",
        can_edit_parents=True,
    )
    group = group_rows[0]
    return {
        "families": len(pupils),
        "session": make_session(user),
        "user": user,
        "paths": {
            "bare": BARE_PATH,
            "group_list": "/ouderoverzicht/",
            "group_detail": f"/ouderoverzicht/groep/{group.public_id}/",
            "parent_detail": f"/ouderoverzicht/ouder/{parents[0].public_id}/",
            "pdf": f"/ouderoverzicht/groep/{group.public_id}/pdf/",
        },
    }


def get(port: int, path: str, session: str) -> tuple[float, int, int]:
    """One GET; returns (seconds, status, body bytes)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        response = conn.getresponse()
        body = response.read()
        return time.perf_counter() - t0, response.status, len(body)
    finally:
        conn.close()


def query_counts(school: dict) -> dict[str, int]:
    """SQL queries per page, counted in-process through the same URLs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(school["user"], backend="accounts.backends.EmailBackend")
    counts = {}
    for name, path in school["paths"].items():
        client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path}: status {status}")
        counts[name] = len(ctx.captured_queries)
    return counts


def main() -> None:
    args = parse_args(__doc__, DB_NAME, rounds=3)
    if not 1 <= args.rounds <= 10:
        raise SystemExit("need 1 <= rounds <= 10")

    recreate_database(args.db)
    setup_django(args.db)
    install_urls(ACCESS)
    schools = {"30": seed_school("klein", 1), "600": seed_school("groot", 20)}
    counts = {size: query_counts(s) for size, s in schools.items()}
    from django.db import connections

    connections.close_all()

    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[str, int] = {}
    errors = 0
    port = free_port()
    server = start_server(APP, port, args.db, timeout=60)
    try:
        for school in schools.values():  # warm up both workers
            for path in school["paths"].values():
                for _ in range(2):
                    get(port, path, school["session"])
        for _ in range(args.rounds):
            for size, school in schools.items():
                for name, path in school["paths"].items():
                    for _ in range(REQUESTS[name]):
                        seconds, status, length = get(port, path, school["session"])
                        errors += status != 200
                        times.setdefault((size, name), []).append(seconds)
                        sizes[name] = length
    finally:
        stop_server(server)

    def ms(size: str, name: str) -> float:
        return statistics.median(times[(size, name)]) * 1000

    print(
        f"Ouderoverzicht: one request at a time, gunicorn 2 sync workers, PostgreSQL, "
        f"{args.rounds} rounds (median latency)"
    )
    print(f"{'page':<34}{'school of 30':>15}{'school of 600':>15}{'queries':>10}")
    labels = {
        "bare": "bare Django view (staff)",
        "group_list": "Ouderoverzicht (group list)",
        "group_detail": "parent list, group of 30",
        "parent_detail": "parent details",
        "pdf": "group PDF, group of 30",
    }
    for name, label in labels.items():
        q30, q600 = counts["30"][name], counts["600"][name]
        print(f"{label:<34}{ms('30', name):12.1f} ms{ms('600', name):12.1f} ms{q30:>5} / {q600:<3}")
    print("ratio to the bare view (school of 600):")
    bare = ms("600", "bare")
    for name in ("group_list", "group_detail", "parent_detail", "pdf"):
        print(f"  {labels[name]:<32}{ms('600', name) / bare:8.1f}×")
    print(f"PDF size {sizes['pdf'] // 1024} KB; errors (status ≠ 200): {errors}")
    pages = ("group_list", "group_detail", "parent_detail", "pdf")
    report({f"{name}_vs_bare_view_600": ms("600", name) / bare for name in pages}, errors)
    same = all(counts["30"][n] == counts["600"][n] for n in labels)
    print("OK: query counts equal in both schools" if same else "FAILED: query counts differ")
    sys.exit(0 if same and errors == 0 else 1)


if __name__ == "__main__":
    main()
