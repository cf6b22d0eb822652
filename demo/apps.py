from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo school and the development-only tools: `manage.py load_demo`, the local SMTP
    sink `manage.py mailsink` and the mail viewer at /_dev/mail/. Installed only with
    OCS_DEBUG (and in the test settings); nothing else in OCS imports it."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
