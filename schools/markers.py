"""Markers on a child's line in the Ouderoverzicht, registered by apps above `schools` (for
example "geen toestemming beeldmateriaal"), so that the Ouderoverzicht imports none of them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from schools.models import Pupil, School


@dataclass(frozen=True)
class Marker:
    text: str  # Dutch, short; never a reason or other detail only managers may read
    kind: str = "wait"  # a status-* class: ok, bad, wait


# Each provider takes the school and pupils (of that school) and returns
# {pupil id: [Marker, …]} for those it marks, in a fixed number of queries.
Provider = Callable[[School, list[Pupil]], dict[int, list[Marker]]]
_providers: list[Provider] = []


def marker_provider(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def pupil_markers(*, school: School, pupils: Iterable[Pupil]) -> dict[int, list[Marker]]:
    unique = list({p.pk: p for p in pupils}.values())
    found: dict[int, list[Marker]] = {}
    if not unique:
        return found
    for provider in _providers:
        for pk, markers in provider(school, unique).items():
            found.setdefault(pk, []).extend(markers)
    return found
