"""What each part of OCS holds about a parent, for AVG (GDPR) access and erasure requests.

Each app's data is described once, by a Section: how to export it for one parent, how to
erase it, and how to clean it up after the retention period. The export, the erasure and the
retention command walk all sections, so a new kind of personal data is covered by adding its
section in privacy/providers.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from schools.models import Parent, School


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Parent], object]
    # Remove what CASCADE does not: e.g. copies of the e-mail address in the mail outbox.
    erase: Callable[[Parent], int] | None = None
    # Remove data older than `before` (mail bodies, attachments); returns how many rows.
    expire: Callable[[School | None, datetime], int] | None = None


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.name] = section


def sections() -> list[Section]:
    return list(_sections.values())
