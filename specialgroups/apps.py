from django.apps import AppConfig


class SpecialgroupsConfig(AppConfig):
    name = "specialgroups"
    default_auto_field = "django.db.models.BigAutoField"
