from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "mailings"
    default_auto_field = "django.db.models.BigAutoField"
