"""Readers for settings from the environment; they fail loudly on bad values.

DATABASE_URL is parsed by dj-database-url. The small typed readers below stay our own:
django-environ's `bool()` reads any unknown word (a typo such as "ture") as false, and OCS
would rather not start than start with a setting the operator did not mean."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# The engines OCS is built and tested for; any other scheme is refused at start-up.
_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def database_from_url(url: str, base_dir: Path) -> dict:
    """The DATABASES entry for DATABASE_URL, parsed by dj-database-url.

    Empty: SQLite in `var/ocs.sqlite3`. `sqlite:///relative/path`, `sqlite:////absolute/path`,
    `postgres://user:password@host:port/name`. Anything else fails loudly at start-up.
    Per-engine settings (connection reuse, SQLite options) are set here and nowhere else."""
    url = url or f"sqlite:///{base_dir / 'var' / 'ocs.sqlite3'}"
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL OCS can use: {exc}"
        ) from exc
    if config["ENGINE"] not in _ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be sqlite:///path or postgres://user@host/name, not {url!r}"
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        if not config["NAME"]:
            raise ImproperlyConfigured("DATABASE_URL names no database")
        config.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    return config
