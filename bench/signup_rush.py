"""Sign-up rush: N parents sign up at once for one special group with a maximum.

Run by hand (not by pytest), with PostgreSQL on 127.0.0.1:

    .venv/bin/python bench/signup_rush.py [--parents 100] [--places 30] [--clients 8] [--db NAME]

It (re)creates the database ocs_bench_signup (or --db), migrates it, seeds one school with N
parents (each with a ready session), starts gunicorn with 2 sync workers on a free port on
127.0.0.1, and in the same run measures, interleaved over a few rounds (medians are
printed):

- the rush: N POSTs to the portal's "Inschrijven" for one group, from `--clients` concurrent
  client threads; sign-ups/s, p50/p99 latency, and how many got in (must equal the maximum);
- a bare Django view served the same way (same server, middleware, session and CSRF token):
  the ceiling of a request through this stack;
- a raw single-row insert transaction with psycopg (BEGIN; INSERT; COMMIT) from the same
  number of client threads: the ceiling of the database write itself.

Everything is bounded: a fixed number of requests per round, 3 rounds, timeouts on every
request and on the server; the server is stopped at the end.
"""

import statistics
import sys
import threading
import time
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

DB_NAME = "ocs_bench_signup"  # the default of --db
ROUNDS = 3
# The server: OCS plus the bare view behind the portal's parent_required, so both are measured
# through the same process, middleware and session.
APP = 'bench.common:ocs_app("parent_required")'


def seed(parents: int) -> tuple[list[str], object, object]:
    """One school, one group, N parents with sessions. Returns their session keys."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from schools.models import Group, Guardianship, Parent, Pupil, School

    school = School.objects.create(name="Bench", slug="bench", from_email="info@bench.test")
    group = Group.objects.create(school=school, name="Groep 5")
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"ouder{i}@bench.test", password=unusable) for i in range(parents)
    )
    family = Parent.objects.bulk_create(
        Parent(school=school, user=u, first_name=f"Ouder{i}", last_name="Bench", email=u.email)
        for i, u in enumerate(users)
    )
    pupils = Pupil.objects.bulk_create(
        Pupil(school=school, number=str(i), first_name=f"Kind{i}", last_name="Bench", group=group)
        for i in range(parents)
    )
    Guardianship.objects.bulk_create(
        Guardianship(parent=p, pupil=k) for p, k in zip(family, pupils, strict=True)
    )
    keys = [make_session(user) for user in users]
    return keys, school, group


def new_special_group(school, group, places: int, round_no: int):
    from django.utils import timezone

    from specialgroups.services import special_group_create

    return special_group_create(
        school=school,
        created_by=None,
        name=f"Rush {round_no}",
        has_activity=True,
        max_participants=places,
        signup_deadline=timezone.localdate(),
        eligible_groups=[group],
    )


def fire(port: int, paths_and_sessions: list[tuple[str, str]], clients: int):
    """POST each (path, session) once from `clients` threads released at once; returns
    (seconds, latencies, statuses), status 0 for a request that got no answer."""

    def post(job):
        path, session = job
        try:
            return post_as(port, path, session=session)[0]
        except OSError:
            return 0

    done = rush(paths_and_sessions, post, clients=clients)
    return done.wall, done.latencies, done.results + [0] * len(done.errors)


def raw_inserts(db_name: str, count: int, clients: int) -> float:
    """`count` single-row insert transactions from `clients` threads; returns tx/s."""
    import psycopg

    with psycopg.connect(database_url(db_name), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw (id bigserial primary key, g int, p int)"
        )
    remaining = [count]
    lock = threading.Lock()
    start = threading.Event()

    def worker():
        with psycopg.connect(database_url(db_name)) as conn:
            start.wait()
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                    n = remaining[0]
                conn.execute("INSERT INTO bench_raw (g, p) VALUES (%s, %s)", (1, n))
                conn.commit()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.2)  # connections open before the clock starts
    t0 = time.perf_counter()
    start.set()
    for t in threads:
        t.join(timeout=60)
    return count / (time.perf_counter() - t0)


def main() -> None:
    args = parse_args(__doc__, DB_NAME, parents=100, places=30, clients=8)
    if not 1 <= args.places <= args.parents <= 1000 or not 1 <= args.clients <= 64:
        raise SystemExit("need 1 <= places <= parents <= 1000 and 1 <= clients <= 64")

    recreate_database(args.db)
    setup_django(args.db)
    keys, school, group = seed(args.parents)
    from django.db import connections

    from specialgroups.models import Signup

    port = free_port()
    server = start_server(APP, port, args.db)
    rush_rates, rush_lat, bare_rates, bare_lat, raw_rates, got_in = [], [], [], [], [], []
    errors = 0
    try:
        fire(port, [(BARE_PATH, k) for k in keys[:20]], args.clients)  # warm up
        for round_no in range(ROUNDS):
            seconds, lat, statuses = fire(port, [(BARE_PATH, k) for k in keys], args.clients)
            errors += sum(s != 200 for s in statuses)
            bare_rates.append(len(keys) / seconds)
            bare_lat += lat

            special = new_special_group(school, group, args.places, round_no)
            path = f"/portaal/speciale-groepen/{special.public_id}/inschrijven/"
            seconds, lat, statuses = fire(port, [(path, k) for k in keys], args.clients)
            errors += sum(s != 302 for s in statuses)  # signed up and "vol" both redirect
            rush_rates.append(len(keys) / seconds)
            rush_lat += lat
            got_in.append(Signup.objects.filter(special_group=special).count())

            raw_rates.append(raw_inserts(args.db, len(keys) * 10, args.clients))
    finally:
        stop_server(server)
        connections.close_all()

    rush_rate = statistics.median(rush_rates)
    bare = statistics.median(bare_rates)
    raw = statistics.median(raw_rates)
    print(
        f"sign-up rush: {args.parents} parents, {args.places} places, {args.clients} clients, "
        f"gunicorn 2 sync workers, PostgreSQL, {ROUNDS} rounds (medians)"
    )
    print(
        f"  sign-ups/s (POSTs) {rush_rate:7.0f}   p50 {percentile(rush_lat, 50) * 1000:6.1f} ms   "
        f"p99 {percentile(rush_lat, 99) * 1000:6.1f} ms"
    )
    print(
        f"  bare Django view  {bare:8.0f}/s p50 {percentile(bare_lat, 50) * 1000:6.1f} ms   "
        f"p99 {percentile(bare_lat, 99) * 1000:6.1f} ms"
    )
    print(f"  raw insert tx/s   {raw:8.0f}   (psycopg, BEGIN; INSERT; COMMIT)")
    print(f"  got in per round  {got_in} (maximum {args.places})")
    print(f"  ratio to the bare view       {rush_rate / bare:.2f}")
    print(f"  ratio to a raw insert tx     {rush_rate / raw:.3f}")
    print(f"  errors (unexpected status)   {errors}")
    report(
        {"signup_vs_bare_view": rush_rate / bare, "signup_vs_raw_insert": rush_rate / raw}, errors
    )
    ok = all(n == args.places for n in got_in) and errors == 0
    print("  OK: the maximum held exactly" if ok else "  FAILED: see above")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
