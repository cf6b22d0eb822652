from django.apps import AppConfig


class SpecialgroupsConfig(AppConfig):
    name = "specialgroups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.notices import register_notice_provider
        from specialgroups.notices import new_special_group_notices

        register_notice_provider(new_special_group_notices)

        from audit.sentences import register_object_names
        from specialgroups.models import SpecialGroup

        register_object_names("specialgroup", SpecialGroup.objects.all(), lambda g: g.name)
