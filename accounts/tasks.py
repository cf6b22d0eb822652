from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task(queue_name="mail")
def send_system_email(*, to: str, subject: str, text: str, html: str, from_email: str) -> None:
    """Account mail (invitations, reset links): one recipient, sent by the worker."""
    message = EmailMultiAlternatives(subject, text, from_email, [to])
    message.attach_alternative(html, "text/html")
    message.send()
