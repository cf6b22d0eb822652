"""What the benchmarks under bench/ share: the command line, the bench database, Django
set-up, gunicorn, the bare Django views they compare against, the rush (many clients at the
same moment), the POST a logged-in parent makes, percentiles and the result lines.

The scripts are run by hand as `.venv/bin/python bench/<name>.py` from the project root; each
puts the project root on sys.path and imports this module as `bench.common`. gunicorn loads
the bare applications from here too (`bench.common:minimal_app()`,
`bench.common:ocs_app("staff_required")`), with the project root as its working directory.
Importing this module configures nothing: Django is set up by the functions below.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.http import HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest
    from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
GUNICORN = ROOT / ".venv/bin/gunicorn"
BARE_PATH = "/_bench/bare/"

# The root URLconf of the applications below (filled in by them; Django reads it by name).
urlpatterns: list[URLPattern | URLResolver] = []


# ---------------------------------------------------------------------------- command line


def parse_args(
    doc: str, db: str | None, *, internal: Sequence[str] = (), **sizes: int | float | bool
) -> argparse.Namespace:
    """The command line of a bench: its sizes as `--name value` (the default's type is the
    option's type; `size_mb` becomes `--size-mb`; a boolean default is a flag), for benches
    on PostgreSQL `--db NAME` (the bench database, dropped and created again, default `db`),
    and `internal` options (a string each, not shown in --help) by which a bench calls
    itself in a subprocess."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    for name, default in sizes.items():
        option = f"--{name.replace('_', '-')}"
        if isinstance(default, bool):
            parser.add_argument(option, action="store_true", default=default)
        else:
            parser.add_argument(option, type=type(default), default=default)
    if db is not None:
        parser.add_argument("--db", default=db, help=f"bench database, recreated (default {db})")
    for name in internal:
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    return parser.parse_args()


# ---------------------------------------------------------------------------- database, Django


def database_url(db: str) -> str:
    """The URL of bench database `db` on the local PostgreSQL (user postgres, trust auth)."""
    return f"{PG}/{db}"


def bench_env(db: str) -> dict[str, str]:
    """Environment that runs OCS on bench database `db`, without debug or HTTPS."""
    return {
        "DATABASE_URL": database_url(db),
        "DJANGO_SETTINGS_MODULE": "ocs.settings",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "OCS_SECURE": "false",
        "OCS_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",  # testserver: in-process django.test.Client
        "PYTHONWARNINGS": "ignore::UserWarning",  # WhiteNoise: no collected static dir here
    }


def recreate_database(db: str) -> None:
    """Drop bench database `db` (ending its connections) and create it empty."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")


def setup_django(db: str) -> None:
    """Set up OCS's Django in this process on bench database `db` and migrate it."""
    os.environ.update(bench_env(db))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_session(user: AbstractBaseUser) -> str:
    """A logged-in session for `user` in the session store, as OCS's login leaves it; returns
    its key (the sessionid cookie)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = int(time.time())
    session.create()
    return session.session_key


# ---------------------------------------------------------------------------- the bare views


def bare_view(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the ceiling the benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


def minimal_app() -> WSGIHandler:
    """WSGI app: Django with no apps and no middleware, serving only `bare_view` at /."""
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )
    django.setup()
    urlpatterns[:] = [path("", bare_view)]
    return get_wsgi_application()


def install_urls(access: str) -> None:
    """Make OCS's own URLs plus `bare_view` at BARE_PATH, behind the decorator named `access`
    from schools.access (e.g. "staff_required"), the root URLconf of this process."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    from schools import access as decorators

    decorator = getattr(decorators, access)
    urlpatterns[:] = [
        path(BARE_PATH.lstrip("/"), decorator(bare_view)),
        path("", include("ocs.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()


def ocs_app(access: str) -> WSGIHandler:
    """WSGI app: OCS (settings from the environment) plus `bare_view` behind `access`, so both
    go through the same process, middleware and session."""
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    install_urls(access)
    return get_wsgi_application()


# ---------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    app: str, port: int, db: str, *, probe: str = "/privacy/", timeout: int = 30
) -> subprocess.Popen:
    """Start gunicorn (2 sync workers, 127.0.0.1:`port`, OCS's bench environment for `db`) on
    `app`, in its own process group; return once `probe` answers 200 (20 s at most)."""
    cmd = [
        str(GUNICORN),
        app,
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--timeout",
        str(timeout),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **bench_env(db)},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.poll() is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", probe)
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass  # not listening yet
        finally:
            conn.close()
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn {app}: no 200 at {probe} within 20 s (exit {server.returncode})")


def stop_server(server: subprocess.Popen) -> None:
    """Stop a server from start_server: its whole process group, killed after 10 s."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:  # already gone
        return
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# ---------------------------------------------------------------------------- the rush


@dataclass
class Rush:
    """What a rush measured: the latency and the result of every job that returned, the
    errors of those that raised, and the wall time from the release to the last job."""

    latencies: list[float] = field(default_factory=list)
    results: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0


def rush(jobs: Iterable, work: Callable, *, clients: int | None = None) -> Rush:
    """Run `work(job)` for every job from `clients` threads (default: one per job), all
    released at the same moment; a thread takes the next job until none is left. Bounded:
    20 s to get the threads ready, 120 s for them to finish."""
    todo = deque(jobs)
    count = len(todo) if clients is None else max(1, min(clients, len(todo)))
    barrier = threading.Barrier(count + 1)
    lock = threading.Lock()
    done = Rush()

    def client():
        barrier.wait(timeout=20)
        while True:
            with lock:
                if not todo:
                    return
                job = todo.popleft()
            t0 = time.perf_counter()
            try:
                result = work(job)
            except Exception as error:  # noqa: BLE001 - counted by the caller
                with lock:
                    done.errors.append(repr(error))
                continue
            with lock:
                done.latencies.append(time.perf_counter() - t0)
                done.results.append(result)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=20)
    t0 = time.perf_counter()
    deadline = t0 + 120
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    done.wall = time.perf_counter() - t0
    if any(thread.is_alive() for thread in threads):
        done.errors.append("threads still running after 120 s")
    return done


def post_as(port: int, path: str, *, session: str, body: str = "") -> tuple[int, str]:
    """POST `body` (form-encoded) to OCS on 127.0.0.1:`port` with the sessionid `session` and
    a CSRF token in cookie and header, as a logged-in browser does; returns the status and
    the Location header."""
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


# ---------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of `values`, interpolated linearly between the two nearest
    ranks (numpy's default; p=50 is statistics.median)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def report(ratios: dict[str, float], errors: int) -> None:
    """The lines that tools read from every bench: `RATIO name value` and `ERRORS n`."""
    for name, value in ratios.items():
        print(f"RATIO {name} {value:.4f}")
    print(f"ERRORS {errors}")
