"""Every query of the hot pages and POSTs can use an index: none reads a whole table (all
schools) to find one school's rows. PostgreSQL only (its planner, EXPLAIN).

With sequential scans switched off (`enable_seqscan = off`) the planner still picks one
when no index can serve the query; such a "Seq Scan" is what would read every school's rows
once the database holds hundreds of schools. (On these small tables the planner may still
walk a whole index for a join; bench/growth_bench.py looks at the plans on 500 schools.)"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lib.testing import postgresql_only
from ocs.tests.test_query_budgets import PORTAL_PAGES, STAFF_PAGES, school_with_mailing

pytestmark = postgresql_only()


def _seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan":
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child)
    return found


def _plans_without_index(queries: list[str]) -> dict[str, list[str]]:
    bad = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            scans = _seq_scans(plan[0]["Plan"])
            if scans:
                bad[sql[:300]] = scans
    return bad


def _capture(client, method, url, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), url
    return [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def schools(db):
    return [school_with_mailing(slug=f"s{i}", families=60) for i in range(2)]


def test_no_hot_query_reads_every_school(schools):
    s = schools[1]
    queries = []
    staff = Client()
    staff.force_login(s.manager.user, backend="accounts.backends.EmailBackend")
    parent = Client()
    parent.force_login(s.parents[1].user, backend="accounts.backends.EmailBackend")
    for url in STAFF_PAGES.values():
        queries += _capture(staff, "get", url(s))
    for url in PORTAL_PAGES.values():
        queries += _capture(parent, "get", url(s))
    free = s.rounds[0].slots.filter(pupil__isnull=True).first()
    queries += _capture(
        parent,
        "post",
        reverse("conferences:portal_book", args=[s.rounds[0].public_id]),
        {"pupil": str(s.pupils[1].public_id), "slot": free.pk},
    )
    queries += _capture(
        parent, "post", reverse("specialgroups:portal_signup", args=[s.special_group.public_id])
    )
    bad = _plans_without_index(queries)
    assert bad == {}, "\n\n".join(f"{tables}: {sql}" for sql, tables in bad.items())


def test_the_check_sees_a_query_without_an_index(schools):
    """The check itself: a filter on a column without an index is reported."""
    bad = _plans_without_index(["SELECT id FROM schools_parent WHERE city = 'Zwolle'"])
    assert list(bad.values()) == [["schools_parent"]]
