"""Booking rush: a class of parents books a conference slot at the same moment.

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/booking_rush.py [--parents 30] [--slots 40] [--rushes 6] [--db NAME]

It recreates the database ocs_bench_booking (or --db), migrates it, seeds one school with a
group of parents (each logged in, sessions made directly), publishes a round and starts OCS
under gunicorn (2 sync workers, 127.0.0.1, a free port). Each rush releases every parent's
POST to the portal's booking URL at once (threads behind a barrier), each for a random slot,
so some parents collide. It prints bookings per second, p50/p99 latency and double bookings
(a slot that two parents were told is theirs, counted from the audit log; must be 0), and
two ceilings measured in the same run with the same number of concurrent clients:

- a bare Django view (one URL, no middleware) under gunicorn with 2 sync workers;
- the raw single-row claim transaction with psycopg (BEGIN; conditional UPDATE; COMMIT).

Everything is bounded: a few rushes of one class, timeouts on every request and thread.
"""

import http.client
import random
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    database_url,
    free_port,
    make_session,
    parse_args,
    percentile,
    post_as,
    recreate_database,
    report,
    rush,
    setup_django,
    start_server,
    stop_server,
)

DB_NAME = "ocs_bench_booking"  # the default of --db


# ---------------------------------------------------------------------------- setup


def seed(parents: int, slots: int):
    """One school, one group of `parents` families, a published round of `slots` slots."""
    from datetime import time as clock
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from conferences.services import RoundSettings, round_create, round_publish
    from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember

    school = School.objects.create(name="Bench", slug="bench", from_email="info@bench.test")
    group = Group.objects.create(school=school, name="Groep 5")
    teacher = StaffMember.objects.create(
        school=school,
        user=User.objects.create_user("juf@bench.test"),
        email="juf@bench.test",
        first_name="Juf",
        last_name="Bench",
    )
    teacher.groups.add(group)
    families = []
    for i in range(parents):
        pupil = Pupil.objects.create(
            school=school, number=str(i), first_name=f"Kind{i}", last_name="B", group=group
        )
        user = User.objects.create_user(f"ouder{i}@bench.test")
        parent = Parent.objects.create(
            school=school, user=user, email=user.email, first_name=f"Ouder{i}", last_name="B"
        )
        Guardianship.objects.create(parent=parent, pupil=pupil)
        families.append((make_session(user), str(pupil.public_id)))
    day = timezone.localdate() + timedelta(days=7)
    plan = RoundSettings(
        group=group,
        total=slots,
        duration_minutes=5,
        per_block=slots,
        break_minutes=0,
        start_date=day,
        start_time=clock(8, 0),
        end_time=clock(20, 0),
    )
    conference = round_create(staff=teacher, plan=plan)
    round_publish(conference=conference)
    slot_ids = list(conference.slots.values_list("pk", flat=True))
    from django.db import connection

    connection.close()
    return conference.pk, str(conference.public_id), slot_ids, families


# ---------------------------------------------------------------------------- the three runs


def run_booking(db_name, port, round_pk, round_id, slot_ids, families, rushes):
    import psycopg

    url = f"/portaal/oudergesprekken/{round_id}/boeken/"
    latencies: list[float] = []
    walls: list[float] = []
    booked_total = double = child_twice = errors = refused = 0

    def book(job):
        session, pupil, slot = job
        status, location = post_as(port, url, session=session, body=f"pupil={pupil}&slot={slot}")
        if status == 409:  # the time was just taken: the portal again, with a friendly refusal
            return "refused"
        if status != 302 or "/portaal/oudergesprekken/" not in location:
            raise RuntimeError(f"unexpected {status}")
        return "booked"

    # Warm up: one GET of the portal per parent (not measured).
    for session, _pupil in families[:4]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/portaal/oudergesprekken/", headers={"Cookie": f"sessionid={session}"})
        if conn.getresponse().status != 200:
            raise SystemExit("a parent's session does not work")
    with psycopg.connect(database_url(db_name), autocommit=True) as db:
        for number in range(rushes + 1):  # the first rush warms both workers up, unmeasured
            db.execute("UPDATE conferences_slot SET pupil_id = NULL, booked_by_id = NULL")
            (mark,) = db.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent").fetchone()
            done = rush([(s, p, random.choice(slot_ids)) for s, p in families], book)
            if number == 0:
                continue
            latencies += done.latencies
            walls.append(done.wall)
            errors += len(done.errors)
            refused += done.results.count("refused")
            (booked,) = db.execute(
                "SELECT count(*) FROM conferences_slot "
                "WHERE round_id = %s AND pupil_id IS NOT NULL",
                [round_pk],
            ).fetchone()
            # A double booking: one slot that two parents were told is theirs.
            (twice,) = db.execute(
                "SELECT count(*) FROM (SELECT object_id FROM audit_auditevent WHERE id > %s "
                "AND object_type = 'slot' AND action = 'create' GROUP BY object_id "
                "HAVING count(*) > 1) t",
                [mark],
            ).fetchone()
            (winners,) = db.execute(
                "SELECT count(*) FROM audit_auditevent WHERE id > %s AND object_type = 'slot' "
                "AND action = 'create'",
                [mark],
            ).fetchone()
            (children,) = db.execute(
                "SELECT count(*) FROM (SELECT pupil_id FROM conferences_slot WHERE round_id = %s "
                "AND pupil_id IS NOT NULL GROUP BY pupil_id HAVING count(*) > 1) t",
                [round_pk],
            ).fetchone()
            if winners != booked:
                double += abs(winners - booked)
            booked_total += booked
            double += twice
            child_twice += children
    return latencies, walls, booked_total, refused, double, child_twice, errors


def run_bare(port, clients, rushes, *, path="/", sessions=None):
    """GETs of `path`, `clients` at once; with `sessions`, each client as a logged-in parent."""

    def get(job):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookie = {"Cookie": f"sessionid={sessions[job]}"} if sessions else {}
        conn.request("GET", path, headers=cookie)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected {response.status}")

    latencies, walls, errors = [], [], 0
    for number in range(rushes + 1):  # the first rush warms up, unmeasured
        done = rush(range(clients), get)
        if number == 0:
            continue
        latencies += done.latencies
        walls.append(done.wall)
        errors += len(done.errors)
    return latencies, walls, errors


def run_raw(db_name, clients, slots, rushes):
    """The same race on a bare table: each client claims a random row with one conditional
    UPDATE in its own transaction (its own connection, opened beforehand)."""
    import psycopg

    with psycopg.connect(database_url(db_name), autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS bench_claim")
        db.execute("CREATE TABLE bench_claim (id int PRIMARY KEY, pupil int NULL)")
        db.execute("INSERT INTO bench_claim SELECT g, NULL FROM generate_series(1, %s) g", [slots])
        conns = [psycopg.connect(database_url(db_name)) for _ in range(clients)]
        wins = [0]
        lock = threading.Lock()

        def claim(job):
            index, row = job
            conn = conns[index]
            with conn.transaction():
                cur = conn.execute(
                    "UPDATE bench_claim SET pupil = %s WHERE id = %s AND pupil IS NULL",
                    [index, row],
                )
                if cur.rowcount == 1:
                    with lock:
                        wins[0] += 1

        latencies, walls, errors = [], [], 0
        try:
            for _ in range(rushes):
                db.execute("UPDATE bench_claim SET pupil = NULL")
                done = rush([(i, random.randint(1, slots)) for i in range(clients)], claim)
                latencies += done.latencies
                walls.append(done.wall)
                errors += len(done.errors)
        finally:
            for conn in conns:
                conn.close()
            db.execute("DROP TABLE bench_claim")
    return latencies, walls, errors


def line(name, latencies, walls, done=None):
    count = len(latencies) if done is None else done
    rate = count / sum(walls)
    print(
        f"{name:<44} {len(latencies):>5} req  {rate:>8.0f}/s  "
        f"p50 {1000 * statistics.median(latencies):>7.1f} ms  "
        f"p99 {1000 * percentile(latencies, 99):>7.1f} ms"
    )
    return len(latencies) / sum(walls)


def main() -> None:
    args = parse_args(__doc__, DB_NAME, parents=30, slots=40, rushes=6)
    if not 2 <= args.parents <= 60 or not 1 <= args.rushes <= 20:
        raise SystemExit("keep it small: 2-60 parents, 1-20 rushes (2 shared cores)")
    random.seed(6)
    print(f"setting up {args.db} ...", flush=True)
    recreate_database(args.db)
    setup_django(args.db)
    round_pk, round_id, slot_ids, families = seed(args.parents, args.slots)

    port = free_port()
    # OCS with, on the same server, a bare view behind the parent access check (session,
    # user, parent: what every portal request pays before its own work).
    app = start_server('bench.common:ocs_app("parent_required")', port, args.db)
    try:
        lat_b, walls_b, booked, refused, double, child_twice, errors = run_booking(
            args.db, port, round_pk, round_id, slot_ids, families, args.rushes
        )
        sessions = [session for session, _pupil in families]
        lat_pv, walls_pv, pv_errors = run_bare(
            port, args.parents, args.rushes, path=BARE_PATH, sessions=sessions
        )
    finally:
        stop_server(app)
    port = free_port()
    bare_app = start_server("bench.common:minimal_app()", port, args.db, probe="/")
    try:
        lat_bare, walls_bare, bare_errors = run_bare(port, args.parents, args.rushes)
    finally:
        stop_server(bare_app)
    lat_raw, walls_raw, raw_errors = run_raw(args.db, args.parents, args.slots, args.rushes)

    print(
        f"\n{args.parents} parents at once, {args.slots} slots, {args.rushes} rushes; "
        "gunicorn 2 sync workers on 127.0.0.1, PostgreSQL"
    )
    booking_rate = line("booking POST (OCS, full transaction + mail)", lat_b, walls_b)
    print(f"{'  of which bookings made':<44} {booked:>5}      {booked / sum(walls_b):>8.0f}/s")
    print(f"{'  of which told the time was just taken':<44} {refused:>5}   (409, friendly)")
    parent_rate = line("bare OCS parent view (same server)", lat_pv, walls_pv)
    bare_rate = line("bare Django view (same gunicorn setup)", lat_bare, walls_bare)
    raw_rate = line("raw claim transaction (psycopg)", lat_raw, walls_raw)
    print(f"\ndouble bookings: {double}   children with two slots: {child_twice}")
    report(
        {
            "booking_vs_bare_parent_view": booking_rate / parent_rate,
            "booking_vs_bare_view": booking_rate / bare_rate,
            "booking_vs_raw_claim": booking_rate / raw_rate,
        },
        errors + pv_errors + bare_errors + raw_errors + double + child_twice,
    )
    if double or child_twice:
        raise SystemExit("DOUBLE BOOKING")


if __name__ == "__main__":
    main()
