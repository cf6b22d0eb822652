import base64

from django.tasks import task


@task(queue_name="mail")
def send_system_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    from_email: str,
    reply_to: str = "",
    attachments: list[dict] | None = None,
) -> None:
    """Kept for jobs enqueued before the outbox existed: such a job now puts its message in
    the outbox (mailings.OutgoingMessage), which delivers it with retries. New code calls
    accounts.services.email_enqueue."""
    from mailings.services import outbox_system_message

    outbox_system_message(
        to=to,
        subject=subject,
        text=text,
        html=html,
        from_email=from_email,
        reply_to=reply_to,
        attachments=[
            (item["filename"], base64.b64decode(item["content"]), item["mimetype"])
            for item in attachments or []
        ],
    )
