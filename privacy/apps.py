from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from privacy import providers  # noqa: F401 - registers each app's AVG sections
