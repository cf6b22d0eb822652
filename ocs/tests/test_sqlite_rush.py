"""The default database (SQLite, as `make run` serves it) under a rush of parents.

Parents booking conference times and signing up for the last places of a special group at
the same moment, over HTTP against the demo's web server on a file database: with
OCS's SQLite options every request ends in success or a friendly refusal, never an error
page. The same rush without the options shows what they prevent ("database is locked")."""

import http.client
import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = 30
# The web server as `make run` starts it (WEB_ARGS in the Makefile), without the reloader.
WEB_ARGS = ["--workers", "2", "--threads", "4", "--no-control-socket"]


def _env(db: Path, plain: bool) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocs.tests.sqlite_server_settings",
        "OCS_RUSH_DB": str(db),
        # The server is the SQLite default `make run` starts, also when the suite itself
        # runs on PostgreSQL (CI's second run sets DATABASE_URL).
        "DATABASE_URL": f"sqlite:///{db}",
        "OCS_RUSH_PLAIN": "true" if plain else "false",
        "OCS_DEBUG": "true",  # as `make run` serves it
        "OCS_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A migrated, seeded database file (made once) and what the seed returned."""
    db = tmp_path_factory.mktemp("rush") / "template.sqlite3"
    env = _env(db, plain=False)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-m", "ocs.tests.sqlite_rush_seed", str(FAMILIES)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    # One file again (WAL checkpointed), so it can be copied.
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return db, json.loads(out.stdout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The demo's web server (gunicorn, as `make run` starts it) on a copy of the database."""

    def __init__(self, template: Path, plain: bool):
        self.db = template.with_name(f"{'plain' if plain else 'ocs'}-{secrets.token_hex(4)}.db")
        shutil.copy(template, self.db)
        self.port = _free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "ocs.wsgi", *WEB_ARGS]
            + ["--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=_env(self.db, plain),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the development server did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _post(port: int, path: str, session: str, fields: dict[str, str]) -> int:
    csrf = secrets.token_hex(16)
    body = "&".join(f"{k}={v}" for k, v in {"csrfmiddlewaretoken": csrf, **fields}.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _rush(port: int, requests: list[tuple[str, str, dict]]) -> list[int]:
    """Send every request at the same moment (one thread each); return the statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(request):
        barrier.wait(timeout=30)
        try:
            status = _post(port, *request)
        except OSError as error:
            print("rush request failed:", repr(error))
            status = 0
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return statuses


def _rushes(server: Server, seed: dict, rounds: int, stop_at_error: bool) -> list[int]:
    parents = seed["parents"]
    book = f"/portaal/oudergesprekken/{seed['round']}/boeken/"
    signup = f"/portaal/speciale-groepen/{seed['special']}/inschrijven/"
    statuses: list[int] = []
    for _ in range(rounds):
        statuses += _rush(
            server.port,
            [
                (book, p["session"], {"pupil": p["pupil"], "slot": random.choice(seed["slots"])})
                for p in parents
            ],
        )
        statuses += _rush(server.port, [(signup, p["session"], {}) for p in parents])
        if stop_at_error and any(s >= 500 or s == 0 for s in statuses):
            break
    return statuses


def _check_outcome(db: Path, seed: dict) -> None:
    with sqlite3.connect(db) as conn:
        (members,) = conn.execute("SELECT count(*) FROM specialgroups_signup").fetchone()
        (booked,) = conn.execute(
            "SELECT count(*) FROM conferences_slot WHERE pupil_id IS NOT NULL"
        ).fetchone()
        (children,) = conn.execute(
            "SELECT count(DISTINCT pupil_id) FROM conferences_slot WHERE pupil_id IS NOT NULL"
        ).fetchone()
    assert members == 3  # the maximum, exactly: the others were told "vol"
    assert booked == children == len(seed["slots"])  # every time taken, each child once


def test_a_rush_of_parents_on_sqlite_gets_no_error_page(seeded):
    template, seed = seeded
    random.seed(11)
    server = Server(template, plain=False)
    try:
        statuses = _rushes(server, seed, rounds=3, stop_at_error=False)
    finally:
        server.stop()
    assert len(statuses) == 3 * 2 * FAMILIES
    # Booked or signed up (a redirect), or a friendly refusal ("vol"; a taken time: 409 with
    # the portal and the message): never an error page or a dropped connection.
    assert [s for s in statuses if s not in (302, 409)] == []
    _check_outcome(server.db, seed)


def test_without_the_sqlite_options_the_same_rush_gets_error_pages(seeded):
    template, seed = seeded
    random.seed(11)
    server = Server(template, plain=True)
    try:
        statuses = _rushes(server, seed, rounds=5, stop_at_error=True)
    finally:
        server.stop()
    assert any(s >= 500 for s in statuses)  # "database is locked"
