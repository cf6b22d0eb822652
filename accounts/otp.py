"""Staff second factor: TOTP (an authenticator app), through django-otp."""

import secrets
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mail import email_enqueue
from accounts.models import RecoveryCodeDevice
from audit.services import audit_identity, audit_record, schools_of_user
from schools.access import administrator_required, staff_required
from schools.models import StaffMember

RECOVERY_CODES = 10


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code uit uw authenticator-app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class VerifyForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code uit uw authenticator-app, of een herstelcode"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def new_recovery_codes() -> list[str]:
    """Ten codes like 'K7QF-2M9X' (40 bits each), readable over the phone."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]


def _has_confirmed_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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
    """Set up (or replace) the authenticator app: show the QR code, confirm with a code.
    Replacing a confirmed one needs a session that passed it (or a recovery code): the
    password alone never swaps the second factor."""
    if _has_confirmed_factor(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.path})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="OCS", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _verify(device, form.cleaned_data["token"]):
            codes = new_recovery_codes()
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                RecoveryCodeDevice.objects.filter(user=request.user).delete()
                RecoveryCodeDevice.objects.create(
                    user=request.user,
                    name=_("Herstelcodes"),
                    code_digests=[RecoveryCodeDevice.digest(code) for code in codes],
                )
                audit_identity(request=request, user=request.user, action="2fa_on")
            otp_login(request, device)
            # Shown this once, in this response; only their digests are stored.
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/otp_recovery_codes.html", context)
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
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if token.isdigit() and _verify(device, token):
            otp_login(request, device)
            return redirect(_next_url(request))
        recovery = RecoveryCodeDevice.objects.filter(user=request.user).first()
        if not token.isdigit() and recovery is not None and recovery.verify_token(token):
            otp_login(request, recovery)
            audit_identity(
                request=request,
                user=request.user,
                action="recovery_used",
                left=len(recovery.code_digests),
            )
            messages.warning(
                request,
                _(
                    "U bent binnen met een herstelcode. Stel uw authenticator-app opnieuw in "
                    "als u uw telefoon kwijt bent; u krijgt dan nieuwe herstelcodes."
                ),
            )
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Probeer de volgende code."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@staff_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    if request.staff.school.require_staff_2fa:
        messages.error(request, _("Uw school verplicht tweestapsverificatie."))
        return redirect("accounts:security")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        RecoveryCodeDevice.objects.filter(user=request.user).delete()
        audit_identity(request=request, user=request.user, action="2fa_off")
    update_session_auth_hash(request, request.user)
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


def second_factor_reset(*, user, request: HttpRequest | None, by: str, school=None) -> list | None:
    """Remove the login's authenticator and recovery codes, end its sessions, tell the person
    by mail and write it in the Logboek of every school where they have a role. `by` and
    `school`: the beheerder who did it and their school; empty for the operator's command
    (manage.py reset_second_factor). Returns those schools, or None when the login had no
    second factor (nothing changed). The caller holds the transaction."""
    had = TOTPDevice.objects.filter(user=user).delete()[0]
    had += RecoveryCodeDevice.objects.filter(user=user).delete()[0]
    if not had:
        return None
    user.end_all_sessions()
    email_enqueue(
        to=user.email,
        template="otp_reset_notice",
        context={"school": school, "by": by},
        school=school,
    )
    names = ", ".join(m.full_name for m in StaffMember.objects.filter(user=user)[:1])
    return audit_identity(
        request=request,
        user=user,
        action="2fa_reset",
        staff=names,
        by=by or "OCS (manage.py reset_second_factor)",
    )


@administrator_required
@require_POST
def staff_otp_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The beheerder resets the second factor of a staff member who lost their phone. Only
    for a login whose every role is at this school: another school's staff are not theirs to
    weaken. The staff member is told by mail and logged out everywhere."""
    member = (
        StaffMember.objects.filter(school=request.staff.school, pk=staff_id)
        .exclude(user__isnull=True)
        .select_related("user")
        .first()
    )
    if member is None:
        raise Http404
    user = member.user
    elsewhere = schools_of_user(user)
    if member.pk == request.staff.pk:
        messages.error(request, _("Uw eigen tweestapsverificatie zet u uit onder uw account."))
    elif any(school.pk != member.school_id for school in elsewhere):
        messages.error(
            request,
            _(
                "%(name)s heeft ook een rol op een andere school. Alleen de beheerder van OCS "
                "(manage.py) kan de tweestapsverificatie van dit account resetten."
            )
            % {"name": member.full_name},
        )
    else:
        with transaction.atomic():
            second_factor_reset(
                user=user, request=request, by=request.staff.full_name, school=member.school
            )
        messages.success(
            request,
            _("De tweestapsverificatie van %(name)s is gereset.") % {"name": member.full_name},
        )
    return redirect("accounts:security")
