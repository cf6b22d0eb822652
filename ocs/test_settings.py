"""Settings for the test suite: production settings with test-friendly transport."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("OCS_SECURE", "false")

from ocs.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["*"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail"],
    }
}
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
