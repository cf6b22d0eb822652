"""Django's SQLite backend, turning the database file to WAL without failing a request.

`PRAGMA journal_mode=WAL` needs the whole file for a moment. When a database still in
rollback mode (a restored backup, a copied file) gets its first connections all at once,
their switches deadlock and all but one fail with "database is locked" at once, whatever the
busy timeout: in the engine's `init_command` that became a 500 for the request. Here the
switch is made only when needed and a lost race is let go: WAL is a property of the file,
so the connection that won has switched it for everyone."""

import contextlib
import sqlite3

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        if mode.lower() != "wal":
            # A lost race: another connection is switching the file at this moment.
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute("PRAGMA journal_mode=WAL")
        return conn
