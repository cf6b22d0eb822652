"""Growth: does a school's work cost more when the database holds 500 schools instead of one?

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/growth_bench.py [--schools 500] [--families 450] [--requests 40]
        [--db ocs_bench_growth] [--reuse]

It recreates two databases, DB_1 and DB_500 (DB from --db, default ocs_bench_growth; pass
your own name when others run benches on the same server), migrates them and generates in
bulk (bench/schoolgen.py) the measured school in both (450 families in 15 groups, parents
with logins, a published round per group with half its times booked, a special group, a
sent mailing) and `--schools` - 1 more schools of the same size in the second (about
300,000 parents at the defaults), then ANALYZE. It times the measured school's requests
through Django's test client (the whole middleware stack, no HTTP), in a fresh process per
database and round, the rounds interleaved (1 school, 500 schools, 1 school, ...): the
directie's and a teacher's pages, the group PDF, the parent portal and a booking POST
(alternating between two free times, so every POST books and releases). Last, it runs
EXPLAIN ANALYZE on every SELECT of those requests in both databases: the database's own
time per request (best of five per query; on a loaded machine this is the steadier
figure), and any plan on the large database that reads a whole large table (a sequential
scan, or a whole index without a condition).

It prints both medians and their ratio per request, the number of schools, parents and
rows, then `RATIO growth_<name> value` (500 schools / 1 school; the aim is <= 1.2) and
`ERRORS n` (requests that did not answer as expected).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_env, parse_args, recreate_database, setup_django  # noqa: E402

DB_NAME = "ocs_bench_growth"


def pages(s) -> dict:
    """name -> (user, method, url, data builder); the data builder gets the request number."""
    from django.urls import reverse

    manager, teacher, parent = s.manager.user, s.teachers[0].user, s.parents[1].user
    conference = s.rounds[0]
    free = list(conference.slots.filter(pupil__isnull=True).values_list("pk", flat=True)[:2])
    book = reverse("conferences:portal_book", args=[conference.public_id])
    return {
        "dashboard": (teacher, "get", reverse("schools:dashboard"), None),
        "group_list": (manager, "get", reverse("parents:group_list"), None),
        "group_detail": (
            teacher,
            "get",
            reverse("parents:group_detail", args=[s.groups[0].public_id]),
            None,
        ),
        "parent_detail": (
            teacher,
            "get",
            reverse("parents:parent_detail", args=[s.parents[0].public_id]),
            None,
        ),
        "special_groups": (manager, "get", reverse("specialgroups:list"), None),
        "mailings_sent": (teacher, "get", reverse("mailings:sent"), None),
        "round_detail": (
            teacher,
            "get",
            reverse("conferences:round_detail", args=[conference.public_id]),
            None,
        ),
        "group_pdf": (
            teacher,
            "get",
            reverse("parents:group_pdf", args=[s.groups[0].public_id]),
            None,
        ),
        "portal": (parent, "get", reverse("portal:dashboard"), None),
        "portal_conferences": (parent, "get", reverse("conferences:portal"), None),
        "portal_special_groups": (parent, "get", reverse("specialgroups:portal_list"), None),
        "booking_post": (
            parent,
            "post",
            book,
            lambda n: {"pupil": str(s.pupils[1].public_id), "slot": free[n % 2]},
        ),
    }


def measure(s, requests: int) -> tuple[dict[str, list[float]], int]:
    """Time each request `requests` times (after three warm-ups); seconds per request."""
    from django.test import Client

    clients: dict[int, Client] = {}
    times: dict[str, list[float]] = {}
    errors = 0
    for name, (user, method, url, data) in pages(s).items():
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user, backend="accounts.backends.EmailBackend")
            client.get("/privacy/")
        times[name] = []
        for n in range(requests + 3):
            body = data(n) if data else None
            t0 = time.perf_counter()
            response = getattr(client, method)(url, body) if body else getattr(client, method)(url)
            elapsed = time.perf_counter() - t0
            if response.status_code != (302 if method == "post" else 200):
                errors += 1
            if n >= 3:
                times[name].append(elapsed)
    return times, errors


def _run(args: list[str]) -> str:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, timeout=3600
    )
    return out.stdout


def generate(db: str, schools: int, families: int) -> None:
    """(In its own process.) Recreate `db` with the measured school and `schools` - 1 others."""
    recreate_database(db)
    setup_django(db)
    from django.db import connection

    from bench.schoolgen import school_generate

    school_generate(slug="gemeten", families=families)
    t0 = time.perf_counter()
    for i in range(schools - 1):
        school_generate(slug=f"school-{i:04d}", families=families)
        if i % 50 == 49:
            print(f"  {db}: {i + 2} schools ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps(_counts()))


def _counts() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM schools_school), (SELECT count(*) FROM schools_parent),"
            " (SELECT count(*) FROM schools_pupil), (SELECT count(*) FROM conferences_slot),"
            " (SELECT count(*) FROM mailings_outgoingmessage)"
        )
        return list(cursor.fetchone())


def measure_db(db: str, requests: int) -> None:
    """(In its own process.) Time the measured school's requests on `db`; print JSON."""
    os.environ.update(bench_env(db))
    import django

    django.setup()
    from bench.schoolgen import generated_school

    times, errors = measure(generated_school("gemeten"), requests)
    print(json.dumps({"times": times, "errors": errors}))


def _whole_reads(plan: dict, big: set[str]) -> list[str]:
    """Reads of a whole large table in a plan: a Seq Scan, or an index scan without an
    index condition (the whole index)."""
    found = []
    node, table = plan.get("Node Type"), plan.get("Relation Name")
    if table in big and node == "Seq Scan":
        found.append(f"Seq Scan on {table}")
    if table in big and node in ("Index Scan", "Index Only Scan") and "Index Cond" not in plan:
        found.append(f"whole index {plan['Index Name']}")
    for child in plan.get("Plans", []):
        found += _whole_reads(child, big)
    return found


def plans_db(db: str) -> None:
    """(In its own process.) EXPLAIN every SELECT of the measured school's requests on `db`
    with the planner's normal settings; print JSON: request -> whole reads of big tables."""
    os.environ.update(bench_env(db))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.schoolgen import generated_school

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > 20000")
        big = {row[0] for row in cursor.fetchall()}
    findings: dict[str, list[str]] = {}
    db_ms: dict[str, float] = {}
    s = generated_school("gemeten")
    for name, (user, method, url, data) in pages(s).items():
        client = Client()
        client.force_login(user, backend="accounts.backends.EmailBackend")
        client.get("/privacy/")
        with CaptureQueriesContext(connection) as ctx:
            body = data(0) if data else None
            getattr(client, method)(url, body) if body else getattr(client, method)(url)
        db_ms[name] = 0.0
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql:
                continue
            runs = []
            for _ in range(5):  # the best of five: the database's own time, not the load's
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    (plan,) = cursor.fetchone()
                plan = plan if isinstance(plan, list) else json.loads(plan)
                runs.append(plan[0]["Execution Time"])
            db_ms[name] += min(runs)
            for read in _whole_reads(plan[0]["Plan"], big):
                findings.setdefault(name, []).append(f"{read}: {sql[:160]}")
    print(json.dumps({"findings": findings, "db_ms": db_ms}))


def main() -> None:
    # --reuse: measure the databases of an earlier run again.
    args = parse_args(
        __doc__,
        DB_NAME,
        internal=("generate", "count", "measure", "plans"),
        schools=500,
        families=450,
        requests=40,
        rounds=3,
        reuse=False,
    )
    if args.generate:  # "db:schools:families"
        db, schools, families = args.generate.split(":")
        return generate(db, int(schools), int(families))
    if args.count:  # --reuse: bring the database up to the code's migrations, count
        setup_django(args.count)
        return print(json.dumps(_counts()))
    if args.measure:
        return measure_db(args.measure, args.requests)
    if args.plans:
        return plans_db(args.plans)
    if not 2 <= args.schools <= 1000 or not 30 <= args.families <= 1000 or args.rounds > 10:
        raise SystemExit("keep it bounded: 2-1000 schools of 30-1000 families, <= 10 rounds")
    one_db, many_db = f"{args.db}_1", f"{args.db}_{args.schools}"
    t0 = time.perf_counter()
    if args.reuse:
        _run(["--count", one_db])
        counts = json.loads(_run(["--count", many_db]))
    else:
        _run(["--generate", f"{one_db}:1:{args.families}"])
        counts = json.loads(_run(["--generate", f"{many_db}:{args.schools}:{args.families}"]))
    schools, parents, pupils, slots, messages = counts
    print(
        f"ready in {time.perf_counter() - t0:.0f} s: {one_db} (1 school) and {many_db} "
        f"({schools} schools, {parents} parents, {pupils} pupils, {slots} conference times, "
        f"{messages} outgoing messages)",
        flush=True,
    )
    # Interleaved: 1 school, many schools, 1 school, ... so the machine's noise hits both.
    times = {one_db: {}, many_db: {}}
    errors = 0
    per_round = max(3, args.requests // args.rounds)
    for _ in range(args.rounds):
        for db in (one_db, many_db):
            result = json.loads(_run(["--measure", db, "--requests", str(per_round)]))
            errors += result["errors"]
            for name, values in result["times"].items():
                times[db].setdefault(name, []).extend(values)
    one = {name: statistics.median(v) for name, v in times[one_db].items()}
    many = {name: statistics.median(v) for name, v in times[many_db].items()}
    print(
        f"\nmedian ms per request of the same school, {per_round * args.rounds} requests each, "
        f"{args.rounds} interleaved rounds (in-process test client, PostgreSQL)"
    )
    print(f"{'request':<24} {'1 school':>10} {f'{schools} schools':>14} {'ratio':>7}")
    ratios = {}
    for name in one:
        ratios[name] = many[name] / one[name]
        print(
            f"{name:<24} {1000 * one[name]:>10.2f} {1000 * many[name]:>14.2f} {ratios[name]:>7.2f}"
        )
    plans_one = json.loads(_run(["--plans", one_db]))
    plans_many = json.loads(_run(["--plans", many_db]))
    findings = plans_many["findings"]
    print(
        "\nthe database's own time for the SELECTs of each request (EXPLAIN ANALYZE, best of "
        "five per query, summed; locking reads left out)"
    )
    print(f"{'request':<24} {'1 school':>10} {f'{schools} schools':>14} {'ratio':>7}")
    for name, ms_one in plans_one["db_ms"].items():
        ms_many = plans_many["db_ms"][name]
        ratios[f"db_{name}"] = ms_many / ms_one if ms_one else 1.0
        print(f"{name:<24} {ms_one:>10.2f} {ms_many:>14.2f} {ratios[f'db_{name}']:>7.2f}")
    print(f"\nquery plans on {schools} schools that read a whole large table: ", end="")
    print(sum(len(v) for v in findings.values()) or "none")
    for name, reads in findings.items():
        for read in reads:
            print(f"  {name}: {read}")
    for name, value in ratios.items():
        print(f"RATIO growth_{name} {value:.3f}")
    print(f"ERRORS {errors}")


if __name__ == "__main__":
    main()
