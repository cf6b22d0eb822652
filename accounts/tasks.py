from django.tasks import task

from accounts.mail import password_reset_mail


@task(queue_name="mail")
def password_reset_deliver(*, email: str, ip: str | None = None) -> bool:
    return password_reset_mail(email=email, ip=ip)
