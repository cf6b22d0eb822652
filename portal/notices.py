"""Notices at the top of the parent portal. Each feature registers a provider: a function
that takes a Parent and returns a list of Notice. Providers must cost a fixed number of
queries per parent."""

from collections.abc import Callable
from dataclasses import dataclass

from schools.models import Parent


@dataclass(frozen=True)
class Notice:
    text: str
    url: str = ""
    link_text: str = ""


_providers: list[Callable[[Parent], list[Notice]]] = []


def register_notice_provider(provider: Callable[[Parent], list[Notice]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def notices_for_parent(parent: Parent) -> list[Notice]:
    notices: list[Notice] = []
    for provider in _providers:
        notices.extend(provider(parent))
    return notices
