"""Query budgets: every page and POST costs a fixed number of queries, the same for a school
of 30 families as for one of 600 (and whatever the other schools on the database hold).

The budgets are the counts measured when they were set; a change that adds a query per
family, per group or per school fails here, and so does one that raises a page's cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.schoolgen import school_generate

SIZES = (30, 600)

STAFF_PAGES = {
    "leerkrachtendashboard": lambda s: reverse("schools:dashboard"),
    "ouderoverzicht": lambda s: reverse("parents:group_list"),
    "groep": lambda s: reverse("parents:group_detail", args=[s.groups[0].public_id]),
    "ouder": lambda s: reverse("parents:parent_detail", args=[s.parents[0].public_id]),
    "speciale groepen": lambda s: reverse("specialgroups:list"),
    "speciale groep": lambda s: reverse("specialgroups:detail", args=[s.special_group.public_id]),
    "oudermailing": lambda s: reverse("mailings:compose") + f"?group={s.groups[0].public_id}",
    "verzonden berichten": lambda s: reverse("mailings:sent"),
    "verzonden bericht": lambda s: reverse("mailings:detail", args=[s.mailing.public_id]),
    "bericht aan de hele school": lambda s: reverse(
        "mailings:detail", args=[s.school_mailing.public_id]
    ),
    "concepten": lambda s: reverse("mailings:drafts"),
    "oudergesprekken": lambda s: reverse("conferences:round_list"),
    "gesprekkenronde": lambda s: reverse("conferences:round_detail", args=[s.rounds[0].public_id]),
    "herinnering gesprekken": lambda s: reverse(
        "conferences:round_remind", args=[s.rounds[0].public_id]
    ),
}
PORTAL_PAGES = {
    "portaal": lambda s: reverse("portal:dashboard"),
    "portaal oudergesprekken": lambda s: reverse("conferences:portal"),
    "portaal speciale groepen": lambda s: reverse("specialgroups:portal_list"),
    "portaal berichten": lambda s: reverse("mailings:portal_list"),
    "portaal berichtlink": lambda s: reverse(
        "mailings:portal_mailing", args=[s.school_mailing.public_id]
    ),
}
# Queries per request (as Django sends them; BEGIN/COMMIT not counted), measured when set.
BUDGETS = {
    "leerkrachtendashboard": 4,
    "ouderoverzicht": 4,
    "groep": 9,
    "ouder": 9,  # one of them: whether mail to the address came back undeliverable
    "speciale groepen": 5,
    "speciale groep": 10,
    "oudermailing": 8,
    "verzonden berichten": 4,
    "verzonden bericht": 11,
    "bericht aan de hele school": 11,
    "concepten": 4,
    "oudergesprekken": 4,
    "gesprekkenronde": 9,  # the period wishes; who was informed of each talk
    "herinnering gesprekken": 5,
    "portaal": 11,
    "portaal oudergesprekken": 7,
    "portaal speciale groepen": 5,
    "portaal berichten": 7,
    "portaal berichtlink": 5,
    "boeken (POST)": 14,
    "inschrijven (POST)": 13,
}


def school_with_mailing(*, slug: str, families: int):
    """A generated school, plus a mailing to every family of it (as the reach bench sends
    it): the pages of STAFF_PAGES and PORTAL_PAGES need both."""
    from mailings.services import mailing_send

    s = school_generate(slug=slug, families=families)
    s.school_mailing = mailing_send(
        staff=s.manager,
        groups=s.groups,
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Beste ouders",
        files=[],
    )
    return s


@pytest.fixture
def schools(db):
    return {n: school_with_mailing(slug=f"school-{n}", families=n) for n in SIZES}


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.EmailBackend")
    client.get("/privacy/")  # the session is renewed here, not in a measured request
    return client


def _count(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(ctx.captured_queries)


def _measure(schools) -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = {}
    for n, s in schools.items():
        staff = _client(s.manager.user)
        for name, url in STAFF_PAGES.items():
            counts.setdefault(name, {})[n] = _count(staff, "get", url(s))
        parent = _client(s.parents[1].user)
        for name, url in PORTAL_PAGES.items():
            counts.setdefault(name, {})[n] = _count(parent, "get", url(s))
        free = s.rounds[0].slots.filter(pupil__isnull=True).first()
        counts.setdefault("boeken (POST)", {})[n] = _count(
            parent,
            "post",
            reverse("conferences:portal_book", args=[s.rounds[0].public_id]),
            {"pupil": str(s.pupils[1].public_id), "slot": free.pk},
        )
        counts.setdefault("inschrijven (POST)", {})[n] = _count(
            parent,
            "post",
            reverse("specialgroups:portal_signup", args=[s.special_group.public_id]),
        )
    return counts


def test_every_page_and_post_keeps_its_query_budget_from_30_to_600_families(schools):
    counts = _measure(schools)
    report = "\n".join(f"{name:<28} {by_size}" for name, by_size in counts.items())
    print(report)
    grows = {name: c for name, c in counts.items() if len(set(c.values())) > 1}
    assert grows == {}, "queries grow with the school:\n" + report
    over = {name: c for name, c in counts.items() if max(c.values()) > BUDGETS[name]}
    assert over == {}, "over budget:\n" + report


def bare(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def _bare_urls():
    from django.urls import path

    from schools.access import parent_required, staff_required

    return [
        path("bare/staff/", staff_required(bare)),
        path("bare/parent/", parent_required(bare)),
    ]


urlpatterns = _bare_urls()


def test_session_user_and_access_check_cost_three_queries(world, settings):
    """Session, user and the role at the current school: three, for parents and staff alike.
    The staff query also answers whether the login has a second factor and whether this
    session passed it (schools/access.py, accounts.middleware.LazyOTPMiddleware)."""
    settings.ROOT_URLCONF = __name__
    for person, url, budget in (
        (world.petra, "/bare/parent/", 3),
        (world.anna, "/bare/staff/", 3),
    ):
        client = Client()
        client.force_login(person.user, backend="accounts.backends.EmailBackend")
        client.get(url)  # the session's renewal is behind it
        assert _count(client, "get", url) <= budget
