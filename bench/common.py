"""What the benchmarks under bench/ share: the bench database, Django set-up, gunicorn, the
bare Django views they compare against, and percentiles.

The scripts are run by hand as `.venv/bin/python bench/<name>.py` from the project root; each
puts the project root on sys.path and imports this module as `bench.common`. gunicorn loads
the bare applications from here too (`bench.common:minimal_app()`,
`bench.common:ocs_app("staff_required")`), with the project root as its working directory.
Importing this module configures nothing: Django is set up by the functions below.
"""

from __future__ import annotations

import http.client
import math
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
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

    from accounts.middleware import SESSION_STARTED_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_STARTED_KEY] = int(time.time())
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


# ---------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of `values`, interpolated linearly between the two nearest
    ranks (numpy's default; p=50 is statistics.median)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
