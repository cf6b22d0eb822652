"""Staff second factor: TOTP (an authenticator app), through django-otp."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from schools.access import administrator_required, staff_required


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code uit uw authenticator-app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=False):
        return candidate
    return "/leerkracht/"


def _verify(device: TOTPDevice, token: str) -> bool:
    allowed, _details = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(token)


@staff_required(second_factor=False)
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: show the QR code, confirm with a code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="OCS", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _verify(device, form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(request=request, action="edit", obj=request.staff, what="2fa_on")
            messages.success(request, _("Tweestapsverificatie staat aan."))
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Probeer de volgende code."))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    key = device.config_url.split("secret=")[1].split("&")[0]
    context = {"form": form, "qr": qr, "key": key, "next": _next_url(request)}
    return render(request, "accounts/otp_setup.html", context)


@staff_required(second_factor=False)
def otp_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _verify(device, form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Probeer de volgende code."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@staff_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    if request.staff.school.require_staff_2fa:
        messages.error(request, _("Uw school verplicht tweestapsverificatie."))
        return redirect("accounts:security")
    TOTPDevice.objects.filter(user=request.user).delete()
    update_session_auth_hash(request, request.user)
    audit_record(request=request, action="edit", obj=request.staff, what="2fa_off")
    messages.success(request, _("Tweestapsverificatie staat uit."))
    return redirect("accounts:security")


@administrator_required
@require_POST
def school_require_2fa(request: HttpRequest) -> HttpResponse:
    school = request.staff.school
    school.require_staff_2fa = request.POST.get("require") == "1"
    school.save(update_fields=["require_staff_2fa"])
    audit_record(
        request=request,
        action="edit",
        obj=school,
        what="require_2fa",
        value=school.require_staff_2fa,
    )
    messages.success(request, _("De instelling is opgeslagen."))
    return redirect("accounts:security")
