import base64

from django.core.mail import EmailMultiAlternatives
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
    """Account and notification mail: one recipient, sent by the worker. Attachments are
    dicts of filename, base64 content and MIME type (task arguments must be JSON)."""
    message = EmailMultiAlternatives(
        subject, text, from_email, [to], reply_to=[reply_to] if reply_to else None
    )
    message.attach_alternative(html, "text/html")
    for item in attachments or []:
        message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    message.send()
