"""Beheer → E-mailinstellingen: the beheerder sees what OCS can check offline about signed
mail and bounces for the school, and the DNS records to publish."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mailings.mail_checks import mail_checks
from schools.access import administrator_required


@administrator_required
@require_GET
def email_settings(request: HttpRequest) -> HttpResponse:
    checks = mail_checks(school=request.staff.school)
    return render(request, "mailings/email_settings.html", {"checks": checks})
