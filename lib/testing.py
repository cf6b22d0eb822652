"""Helpers for tests: screenshots of browser tests, markers, counting statements."""

import os
from pathlib import Path


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under OCS_SCREENSHOTS (default var/screenshots) so a
    person can look at what the test saw."""
    folder = Path(os.environ.get("OCS_SCREENSHOTS", "var/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def postgresql_only():
    """Mark for tests that prove behaviour under concurrency: SQLite ignores row locks."""
    import pytest
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency needs PostgreSQL (set DATABASE_URL=postgres://...)",
    )


# axe-core rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python) on the page as it is now and return
    its WCAG 2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG21_AA}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def assert_accessible(page) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 AA violation."""
    violations = axe_violations(page)
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(lines)


class StatementCount:
    """Counts what a block costs the database: statements as the server sees them (BEGIN and
    COMMIT included) and durable commits (an explicit COMMIT, or a write run in autocommit).
    Use it with pytest-django's `transactional_db`, so commits are real."""

    WRITES = ("INSERT", "UPDATE", "DELETE")

    def __init__(self, connection=None):
        from django.db import connection as default

        self.connection = connection or default
        self.queries: list[tuple[str, bool]] = []  # (sql, inside a transaction)
        self.commits = 0

    @property
    def autocommit_writes(self) -> list[str]:
        return [sql for sql, inside in self.queries if not inside and sql.startswith(self.WRITES)]

    @property
    def durable_commits(self) -> int:
        return self.commits + len(self.autocommit_writes)

    @property
    def statements(self) -> int:
        # SQLite's BEGIN passes through the cursor and is in `queries`; psycopg sends BEGIN
        # itself. COMMIT never passes through the cursor.
        begins = sum(sql.startswith("BEGIN") for sql, _inside in self.queries)
        return len(self.queries) + self.commits + max(0, self.commits - begins)

    def _record(self, execute, sql, params, many, context):
        self.queries.append((sql.lstrip(), self.connection.in_atomic_block))
        return execute(sql, params, many, context)

    def __enter__(self):
        original = self.connection.commit

        def commit():
            self.commits += 1
            return original()

        self._original_commit = original
        self.connection.commit = commit
        self._wrapper = self.connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        self.connection.commit = self._original_commit

    def report(self) -> str:
        return "\n".join(
            f"{'tx ' if inside else 'auto'} {sql[:150]}" for sql, inside in self.queries
        )
