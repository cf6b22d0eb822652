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
