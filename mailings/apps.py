from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "mailings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.sentences import register_object_names
        from mailings.models import Mailing, MailingAttachment, Question
        from mailings.notices import unread_message_notices
        from portal.notices import register_notice_provider

        register_object_names("mailing", Mailing.objects.all(), lambda m: m.subject)
        # Planning a mailing, its cancellation and the worker's send are about the mailing.
        register_object_names("mailingschedule", Mailing.objects.all(), lambda m: m.subject)
        register_object_names(
            "mailingattachment", MailingAttachment.objects.all(), lambda a: a.filename
        )
        register_notice_provider(unread_message_notices)
        register_object_names(
            "question",
            Question.objects.select_related("mailing"),
            lambda q: q.mailing.subject,
        )
