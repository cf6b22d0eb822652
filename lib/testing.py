"""Helpers for browser tests."""

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
