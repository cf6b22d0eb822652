from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "conferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from conferences.selectors import conference_notices
        from portal.notices import register_notice_provider

        register_notice_provider(conference_notices)

        from conferences.period_notices import period_notices

        register_notice_provider(period_notices)

        from audit.sentences import register_object_names
        from conferences.models import ConferenceRound, Slot, SwapRequest

        register_object_names("conferenceround", ConferenceRound.objects.all(), lambda r: r.name)
        register_object_names("slot", Slot.objects.select_related("round"), lambda s: s.round.name)
        register_object_names(
            "swaprequest", SwapRequest.objects.select_related("round"), lambda r: r.round.name
        )
