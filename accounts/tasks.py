from django.tasks import task


@task(queue_name="mail")
def password_reset_deliver(*, email: str, ip: str | None = None) -> bool:
    from accounts.services import password_reset_mail

    return password_reset_mail(email=email, ip=ip)
