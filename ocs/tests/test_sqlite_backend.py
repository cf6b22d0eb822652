"""OCS's SQLite backend turns the file to WAL, and a connection that cannot switch it at
that moment (another connection holds the file) still opens instead of failing the request."""

import sqlite3

from django.db import connections

from ocs.sqlite.base import DatabaseWrapper


def _wrapper(path) -> DatabaseWrapper:
    settings = {**connections["default"].settings_dict, "NAME": str(path)}
    settings["OPTIONS"] = {"timeout": 0.2}
    return DatabaseWrapper(settings, alias="wal-test")


def _journal_mode(path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_busy_file_does_not_fail_the_connection_and_the_next_one_switches_it(
    tmp_path, django_db_blocker
):
    with django_db_blocker.unblock():
        _busy_then_calm(tmp_path)


def _busy_then_calm(tmp_path):
    path = tmp_path / "ocs.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (x integer)")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # holds the file: no switch now
    busy = _wrapper(path)
    busy.connect()
    with busy.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (0,)
    busy.close()
    assert _journal_mode(path) == "delete"
    reader.execute("COMMIT")
    reader.close()
    calm = _wrapper(path)
    calm.connect()
    calm.close()
    assert _journal_mode(path) == "wal"
