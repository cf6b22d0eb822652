"""Settings from the environment: DATABASE_URL and the typed readers fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocs.env import database_from_url, env_bool, env_int

BASE = Path("/srv/ocs")
ROOT = Path(__file__).resolve().parents[2]


def test_without_database_url_ocs_uses_sqlite_in_var():
    config = database_from_url("", BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/ocs/var/ocs.sqlite3"


def test_an_absolute_sqlite_path_stays_absolute():
    config = database_from_url("sqlite:////var/lib/ocs/ocs.sqlite3", BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/var/lib/ocs/ocs.sqlite3"


def test_a_relative_sqlite_path_stays_relative():
    assert database_from_url("sqlite:///var/ocs.sqlite3", BASE)["NAME"] == "var/ocs.sqlite3"


def test_ocs_started_with_an_absolute_sqlite_url_writes_that_file(tmp_path):
    """The whole path: environment, settings, Django's connection, a file on disk."""
    target = tmp_path / "elsewhere" / "ocs.sqlite3"
    target.parent.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocs.settings",
        "DATABASE_URL": f"sqlite:///{target}",
        "SECRET_KEY": "x" * 50,
        "OCS_DEBUG": "false",
    }
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "connection.cursor().execute('CREATE TABLE t (x integer)')\n"
        "print(connection.settings_dict['NAME'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)
    assert target.is_file()


def test_postgres_url_gives_user_password_host_port_and_connection_reuse():
    config = database_from_url("postgres://ocs:p%40ss@db.example.nl:5433/ocs", BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"]) == ("ocs", "p@ss", "db.example.nl")
    assert (int(config["PORT"]), config["NAME"]) == (5433, "ocs")
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "url",
    [
        "mysql://ocs@db/ocs",  # an engine OCS is not built for
        "ocs.sqlite3",  # a path, not a URL
        "postgres://ocs@db:notaport/ocs",  # a port that is no number
        "postgres://ocs@db",  # no database name
    ],
)
def test_a_bad_database_url_stops_ocs_with_a_clear_error(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, BASE)


def test_bad_booleans_and_numbers_stop_ocs(monkeypatch):
    monkeypatch.setenv("OCS_DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="OCS_DEBUG must be true or false"):
        env_bool("OCS_DEBUG")
    monkeypatch.setenv("SMTP_PORT", "25a")
    with pytest.raises(ImproperlyConfigured, match="SMTP_PORT must be a whole number"):
        env_int("SMTP_PORT", 1025)
    monkeypatch.setenv("OCS_DEBUG", "yes")
    monkeypatch.setenv("SMTP_PORT", "2525")
    assert env_bool("OCS_DEBUG") is True and env_int("SMTP_PORT", 1025) == 2525


@pytest.mark.parametrize("debug", ["false", "true"])
def test_the_demo_and_its_mail_viewer_exist_only_with_ocs_debug(debug, tmp_path):
    """Outside development there is no demo loader, mail sink or /_dev/mail/ (it would show
    every mail OCS sent, reset links included, to anyone)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocs.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ocs.sqlite3'}",
        "SECRET_KEY": "x" * 50,
        "OCS_DEBUG": debug,
        "ALLOWED_HOSTS": "testserver",
        "OCS_SECURE": "false",
    }
    script = (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from django.core.management import get_commands\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n"
        "    resolve('/_dev/mail/'); viewer = True\n"
        "except Resolver404:\n"
        "    viewer = False\n"
        "found = get_commands()\n"
        "print(apps.is_installed('demo'), viewer, 'load_demo' in found, 'mailsink' in found)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    expected = "True True True True" if debug == "true" else "False False False False"
    assert done.stdout.strip() == expected
