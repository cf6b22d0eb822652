from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from families import providers  # noqa: F401 - registers the AVG sections
