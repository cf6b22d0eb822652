"""Settings for the SQLite rush tests: OCS's own settings on a file database given by
OCS_RUSH_DB. With OCS_RUSH_PLAIN=true the SQLite concurrency options are left out, to show
what they prevent."""

import os

from ocs.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["OCS_RUSH_DB"]  # noqa: F405
if os.environ.get("OCS_RUSH_PLAIN") == "true":
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"  # noqa: F405 (no WAL switch)
    DATABASES["default"]["OPTIONS"] = {}  # noqa: F405
