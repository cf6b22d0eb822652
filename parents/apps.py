from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "parents"
    default_auto_field = "django.db.models.BigAutoField"
