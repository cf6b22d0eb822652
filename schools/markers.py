"""Markers on a child's line in the Ouderoverzicht, registered by apps above `schools` (for
example "geen toestemming beeldmateriaal"), so that the Ouderoverzicht imports none of them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Marker:
    text: str  # Dutch, short; never a reason or other detail only managers may read
    kind: str = "wait"  # a status-* class: ok, bad, wait


# Each provider takes pupil ids and returns {pupil id: [Marker, …]} for those it marks.
_providers: list[Callable[[list[int]], dict[int, list[Marker]]]] = []


def marker_provider(provider: Callable[[list[int]], dict[int, list[Marker]]]):
    _providers.append(provider)
    return provider


def pupil_markers(pupil_ids: Iterable[int]) -> dict[int, list[Marker]]:
    ids = list(set(pupil_ids))
    found: dict[int, list[Marker]] = {}
    if not ids:
        return found
    for provider in _providers:
        for pk, markers in provider(ids).items():
            found.setdefault(pk, []).extend(markers)
    return found
