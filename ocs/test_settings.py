"""Settings for the test suite: production settings with test-friendly transport."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("OCS_SECURE", "false")

from ocs.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["*"]
# The demo app's own tests run too (it is installed in development only).
if "demo" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run at once in tests. The mail delivery tests also run on Redis (see .ci/run):
# OCS_TEST_TASKS_BACKEND=django_tasks_rq.backend.RQBackend, queues in Redis database 15
# (OCS_TEST_REDIS_URL) so a test run never touches the demo's queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "OCS_TEST_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default", "mail"],
    }
}
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
    if "django_rq" not in INSTALLED_APPS:  # noqa: F405
        INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # noqa: F405
    RQ_QUEUES = {
        name: {"URL": os.environ.get("OCS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")}
        for name in TASKS["default"]["QUEUES"]
    }
    # `manage.py rqworker` must run jobs with django-tasks-rq's Job class, which calls the
    # task's function; RQ's plain Job would try to call the Task object itself.
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

PRIVATE_ROOT = Path(tempfile.mkdtemp(prefix="ocs-test-private-"))
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_ROOT},
}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="ocs-test-static-"))
WHITENOISE_USE_FINDERS = True
# Argon2 as in production, with cheap parameters: the parameters are stored in each hash, so
# the production hasher verifies these too.
PASSWORD_HASHERS = ["ocs.test_settings.FastArgon2PasswordHasher"]

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
