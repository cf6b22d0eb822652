"""The rushes on the default database: SQLite, served as `make run` serves it.

Run by hand (not by pytest); needs no PostgreSQL:

    .venv/bin/python bench/sqlite_rush.py [--parents 30] [--rushes 10] [--plain]

It migrates a fresh SQLite file under var/bench/, seeds one school (a group of `--parents`
families, each logged in; a published conference round with a third as many times; see
ocs/tests/sqlite_rush_seed.py) and starts gunicorn as `make run` does (2 processes of 4
threads; OCS's settings with OCS_DEBUG on) with the bare view of bench/common.py behind the
portal's parent_required on the same server. Each of `--rushes` rounds releases at once:

- every parent's booking POST for a random time (so parents collide and change times);
- every parent's sign-up POST for a new special group with 3 places;
- every parent's GET of the bare view (the ceiling of a request through this stack).

It prints per kind the requests per second, p50/p99 latency and unexpected answers (a POST
must answer booked, signed up or a friendly refusal (a redirect, or 409 for a time just
taken); anything else, a 500 "database is
locked" or a dropped connection, is an error), whether each special group got exactly 3
members, then `RATIO sqlite_<kind>_vs_bare value` and `ERRORS n`.
With `--plain` the SQLite options (WAL, busy timeout, IMMEDIATE) are left out, to show what
they prevent.
"""

import http.client
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BARE_PATH, free_port, parse_args, percentile, rush  # noqa: E402

WEB_ARGS = ["--workers", "2", "--threads", "4", "--no-control-socket"]  # as `make run`


def env(db: Path, plain: bool) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocs.tests.sqlite_server_settings",
        "OCS_RUSH_DB": str(db),
        "OCS_RUSH_PLAIN": "true" if plain else "false",
        "OCS_DEBUG": "true",
        "OCS_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }


def request(port: int, method: str, path: str, session: str, fields: dict | None = None) -> int:
    csrf = secrets.token_hex(16)
    body = "&".join(f"{k}={v}" for k, v in {"csrfmiddlewaretoken": csrf, **(fields or {})}.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            method,
            path,
            body=body if method == "POST" else None,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def main() -> None:
    args = parse_args(__doc__, None, parents=30, rushes=10, plain=False)
    if not 3 <= args.parents <= 60 or not 1 <= args.rushes <= 30:
        raise SystemExit("keep it small: 3-60 parents, 1-30 rushes (2 shared cores)")
    random.seed(11)
    folder = ROOT / "var" / "bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "rush.sqlite3"
    environment = env(db, args.plain)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    seeded = subprocess.run(
        [python, "-m", "ocs.tests.sqlite_rush_seed", str(args.parents)],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    seed = json.loads(seeded.stdout)
    os.environ.update(environment)
    import django

    django.setup()
    from django.utils import timezone

    from schools.models import Group, School
    from specialgroups.models import Signup
    from specialgroups.services import special_group_create

    school = School.objects.get(slug="rush")
    group = Group.objects.get(school=school)

    port = free_port()
    server = subprocess.Popen(
        [str(Path(python).with_name("gunicorn")), 'bench.common:ocs_app("parent_required")']
        + [*WEB_ARGS, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    parents = seed["parents"]
    book = f"/portaal/oudergesprekken/{seed['round']}/boeken/"
    kinds = ("booking", "signup", "bare")
    latencies = {k: [] for k in kinds}
    walls = {k: [] for k in kinds}
    errors = {k: 0 for k in kinds}
    members = []
    try:
        deadline = time.monotonic() + 30
        while request(port, "GET", BARE_PATH, parents[0]["session"]) != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        for number in range(args.rushes + 1):  # the first round warms up, unmeasured
            special = special_group_create(
                school=school,
                created_by=None,
                name=f"Rush {number}",
                has_activity=True,
                max_participants=3,
                signup_deadline=timezone.localdate(),
                eligible_groups=[group],
            )
            signup = f"/portaal/speciale-groepen/{special.public_id}/inschrijven/"
            jobs = {
                "booking": [
                    ("POST", book, p["session"], {"pupil": p["pupil"], "slot": s})
                    for p, s in ((p, random.choice(seed["slots"])) for p in parents)
                ],
                "signup": [("POST", signup, p["session"]) for p in parents],
                "bare": [("GET", BARE_PATH, p["session"]) for p in parents],
            }
            for kind in kinds:
                done = rush(jobs[kind], lambda job: request(port, *job))
                if number == 0:
                    continue
                expected = (200,) if kind == "bare" else (302, 409)  # 409: a taken time
                latencies[kind] += done.latencies
                walls[kind].append(done.wall)
                errors[kind] += len(done.errors)
                errors[kind] += sum(status not in expected for status in done.results)
            if number:
                members.append(Signup.objects.filter(special_group=special).count())
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)

    options = "without the SQLite options" if args.plain else "WAL, busy timeout, IMMEDIATE"
    print(
        f"{args.parents} parents at once, {args.rushes} rushes; gunicorn as `make run` "
        f"(2 processes x 4 threads), SQLite ({options})"
    )
    rates = {}
    for kind in kinds:
        rates[kind] = len(latencies[kind]) / sum(walls[kind])
        p50 = 1000 * statistics.median(latencies[kind])
        p99 = 1000 * percentile(latencies[kind], 99)
        print(
            f"  {kind:<8} {rates[kind]:>7.0f}/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
            f"  errors {errors[kind]}"
        )
    print(f"  members per special group: {members} (maximum 3)")
    bad_max = sum(count != 3 for count in members)
    print(f"RATIO sqlite_booking_vs_bare {rates['booking'] / rates['bare']:.3f}")
    print(f"RATIO sqlite_signup_vs_bare {rates['signup'] / rates['bare']:.3f}")
    print(f"ERRORS {sum(errors.values()) + bad_max}")


if __name__ == "__main__":
    main()
