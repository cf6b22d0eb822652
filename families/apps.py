from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from families import markers, providers, receivers  # noqa: F401 - registrations
