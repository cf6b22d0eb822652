"""Every route says who may use it, and the generic rules hold for all of them.

The access decorators in schools/access.py mark each view (public, staff, manager,
administrator, parent). A new view without a mark fails here, so nothing can be added
without deciding its access. Each feature's own tests then check the per-object rules
(teacher of another group, other school, ...).
"""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes of Django itself that are public by design.
BUILTIN_PUBLIC = {"set_language"}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def routes():
    return list(walk(get_resolver().url_patterns))


def example_url(route: str, pattern: URLPattern) -> str:
    """A concrete URL for the route, with made-up arguments of the right type."""
    path = "/" + route
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        value = {"UUIDConverter": str(uuid.uuid4()), "IntConverter": "987654"}.get(kind, "x")
        path = path.replace(f"<{name}>", value)
        for prefix in ("uuid", "int", "str", "slug", "path"):
            path = path.replace(f"<{prefix}:{name}>", value)
    return path


def access_of(pattern: URLPattern) -> str | None:
    return getattr(pattern.callback, "ocs_access", None)


def test_every_route_is_classified():
    unclassified = [
        name
        for name, _route, pattern in routes()
        if name not in BUILTIN_PUBLIC and access_of(pattern) is None
    ]
    assert unclassified == [], f"routes without an access decision: {unclassified}"


PROTECTED = [
    (name, route, pattern)
    for name, route, pattern in routes()
    if access_of(pattern) not in (None, "public")
]


@pytest.mark.parametrize(("name", "route", "pattern"), PROTECTED, ids=[r[0] for r in PROTECTED])
def test_protected_routes_send_strangers_to_a_login(client, db, name, route, pattern):
    response = client.get(example_url(route, pattern))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "route", "pattern"), PROTECTED, ids=[r[0] for r in PROTECTED])
def test_staff_routes_refuse_parents_and_parent_routes_refuse_staff(
    client, world, login, name, route, pattern
):
    if access_of(pattern) == "account":
        pytest.skip("open to every logged-in user")
    wrong = world.petra if access_of(pattern) != "parent" else world.anna
    login(wrong)
    assert client.get(example_url(route, pattern)).status_code in (403, 404, 405)


ALL = [(n, r, p) for n, r, p in routes()]


@pytest.mark.parametrize(("name", "route", "pattern"), ALL, ids=[r[0] for r in ALL])
def test_every_post_without_a_csrf_token_is_refused(world, name, route, pattern):
    client = Client(enforce_csrf_checks=True)
    if access_of(pattern) == "parent":
        client.force_login(world.petra.user, backend="accounts.backends.EmailBackend")
    elif access_of(pattern) not in (None, "public"):
        client.force_login(world.bea.user, backend="accounts.backends.EmailBackend")
    response = client.post(example_url(route, pattern), {"x": "1"})
    assert response.status_code == 403
