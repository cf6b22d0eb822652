from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    """Rate limits shared by every web process: counters in the database (see limits.py)."""

    name = "throttle"
    default_auto_field = "django.db.models.BigAutoField"
