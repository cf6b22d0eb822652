from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import reminders, services
from accounts.forms import (
    InvitationLoginForm,
    LoginForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PasswordSetForm,
)
from accounts.tokens import email_change_for, invitation_record
from audit.services import audit_identity, audit_record, schools_of_user
from lib.net import client_ip
from mailings.reminder_feedback import reminder_feedback
from schools.access import (
    CURRENT_SCHOOL_KEY,
    account_required,
    administrator_required,
    groups_for_staff,
    parent_of,
    public,
    staff_of,
)
from schools.models import Parent, StaffMember
from throttle.limits import INVITE_ACCEPT_PER_LOGIN, INVITE_PER_SCHOOL, TOO_MANY, rate_hit


def landing_url(request: HttpRequest, prefer: str) -> str:
    """Where a user goes after login: their preferred side if they have it, else the other."""
    is_staff = staff_of(request) is not None
    is_parent = parent_of(request) is not None
    if prefer == "staff" and is_staff or not is_parent:
        return "schools:dashboard"
    return "portal:dashboard"


class _Login(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    side = "staff"
    extra_context = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["side"] = self.side
        return context

    def get_default_redirect_url(self):
        return reverse(landing_url(self.request, self.side))

    def form_valid(self, form):
        response = super().form_valid(form)
        # A parent landing in the portal gets the language they chose in "Mijn gegevens".
        if self.side == "parent" and staff_of(self.request) is None:
            parent = parent_of(self.request)
            if parent is not None:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    parent.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite="Lax",
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                )
        return response


staff_login = public(_Login.as_view(side="staff"))
parent_login = public(_Login.as_view(side="parent"))


def login_locked_out(request, response=None, credentials=None) -> HttpResponse:
    form = LoginForm(request)
    side = "parent" if "ouders" in request.path else "staff"
    return render(
        request,
        "accounts/login.html",
        {"form": form, "side": side, "locked_out": True},
        status=429,
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("U bent uitgelogd."))
    return redirect("schools:home")


@public
def password_forgot(request: HttpRequest) -> HttpResponse:
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.password_forgot(
            email=form.cleaned_data["email"], client=client_ip(request)
        ):
            form.add_error(None, TOO_MANY)
            return render(request, "accounts/password_forgot.html", {"form": form}, status=429)
        return render(request, "accounts/password_forgot_sent.html")
    return render(request, "accounts/password_forgot.html", {"form": form})


@public
def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_link_invalid.html", status=400)
    form = PasswordSetForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user.set_password(form.cleaned_data["password1"])
            user.save(update_fields=["password"])
            # Changing the password ends every other session of this user.
            user.end_all_sessions()
            audit_identity(request=request, user=user, action="reset_used")
        login(request, user, backend="accounts.backends.EmailBackend")
        messages.success(request, _("Uw wachtwoord is opgeslagen. U bent nu ingelogd."))
        return redirect(landing_url(request, "parent"))
    return render(request, "accounts/password_set.html", {"form": form})


@public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation at the address it was sent to: with the password of that
    address's existing login, or by choosing one for a new login of that address."""
    record = invitation_record(token)
    if record is None:
        return render(request, "accounts/password_link_invalid.html", status=400)
    User = get_user_model()
    existing = User.objects.filter(email__iexact=record.email).first()
    current = request.user if request.user.is_authenticated else None
    context = {"record": record, "school": record.school, "existing": existing}
    if current is not None and current.email.lower() != record.email.lower():
        context["other_login"] = current
        return render(request, "accounts/invitation_accept.html", context)
    if existing is None:
        form = PasswordSetForm(User(email=record.email), request.POST or None)
    elif current is not None:
        form = None
    else:
        form = InvitationLoginForm(existing, request.POST or None)
    context["form"] = form
    if request.method != "POST":
        return render(request, "accounts/invitation_accept.html", context)
    # Guessing the password of an existing login here is throttled like the login page.
    if isinstance(form, InvitationLoginForm) and not rate_hit(INVITE_ACCEPT_PER_LOGIN, existing.pk):
        form.add_error(None, TOO_MANY)
        return render(request, "accounts/invitation_accept.html", context, status=429)
    if form is not None and not form.is_valid():
        return render(request, "accounts/invitation_accept.html", context)
    try:
        with transaction.atomic():
            if existing is None:
                user = User.objects.create_user(record.email, form.cleaned_data["password1"])
            else:
                user = existing
            services.invitation_accept(record=record, user=user)
            audit_identity(request=request, user=user, action="invite_accepted")
    except services.AccountError as error:
        messages.error(request, str(error))
        return render(request, "accounts/invitation_accept.html", context, status=409)
    if current is None:
        login(request, user, backend="accounts.backends.EmailBackend")
    request.session[CURRENT_SCHOOL_KEY] = record.school_id
    messages.success(
        request,
        _("Welkom! Uw account is gekoppeld aan %(school)s.") % {"school": record.school.name},
    )
    return redirect(landing_url(request, "parent" if isinstance(record, Parent) else "staff"))


@account_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The person confirms, from the new mailbox and logged in, that their login moves to
    the address their school now has for them."""
    change = email_change_for(token)
    if change is None or change.user.pk != request.user.pk:
        return render(request, "accounts/password_link_invalid.html", status=400)
    if request.method == "POST":
        try:
            services.email_confirm(user=request.user, new_email=change.new_email, request=request)
        except services.AccountError as error:
            messages.error(request, str(error))
            return redirect("accounts:security")
        messages.success(request, _("Uw inlognaam is nu %(email)s.") % {"email": change.new_email})
        return redirect("accounts:security")
    return render(request, "accounts/email_confirm.html", {"new_email": change.new_email})


@account_required
@require_POST
def school_switch(request: HttpRequest) -> HttpResponse:
    """A person with roles at several schools chooses which school's pages they see."""
    school = next(
        (s for s in schools_of_user(request.user) if s.slug == request.POST.get("school")), None
    )
    if school is None:
        raise Http404
    request.session[CURRENT_SCHOOL_KEY] = school.pk
    side = "parent" if request.POST.get("side") == "parent" else "staff"
    return redirect(landing_url(request, side))


@account_required
def security(request: HttpRequest) -> HttpResponse:
    """The user's own security page: change password, second factor (staff)."""
    from django_otp import user_has_device

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            request.user.set_password(form.cleaned_data["password1"])
            request.user.save(update_fields=["password"])
            # Every other session of this user ends; this one continues.
            request.user.end_all_sessions()
        update_session_auth_hash(request, request.user)
        audit_identity(request=request, user=request.user, action="password_changed")
        messages.success(request, _("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd."))
        return redirect("accounts:security")
    staff = getattr(request, "staff", None)
    context = {"form": form, "has_2fa": user_has_device(request.user), "staff": staff}
    if staff is not None and staff.is_administrator:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        members = list(StaffMember.objects.filter(school=staff.school, is_active=True))
        users = TOTPDevice.objects.filter(
            user__in=[m.user_id for m in members if m.user_id], confirmed=True
        ).values_list("user_id", flat=True)
        with_2fa = set(users)
        context["staff_members"] = members
        context["staff_with_2fa"] = {m.pk for m in members if m.user_id in with_2fa}
    return render(request, "accounts/security.html", context)


@administrator_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The beheerder invites the parents of a group, everyone who has not linked a login yet,
    or staff without a login. Each invitation goes to the address the school has."""
    school = request.staff.school
    groups = groups_for_staff(request.staff).order_by("name")
    pending_parents = Parent.objects.filter(
        school=school, is_blocked=False, user__isnull=True
    ).exclude(email="")
    pending_staff = StaffMember.objects.filter(school=school, is_active=True, user__isnull=True)
    if request.method == "POST" and request.POST.get("target") == "reminder":
        return _account_reminder(request, school)
    if request.method == "POST":
        target = request.POST.get("target", "")
        if target == "pending":
            records = list(pending_parents.select_related("school"))
        elif target == "staff":
            records = list(pending_staff.select_related("school"))
        else:
            group = groups.filter(public_id=target).first()
            if group is None:
                messages.error(request, _("Kies een groep."))
                return redirect("accounts:invitations")
            records = list(pending_parents.filter(pupils__group=group).distinct())
        count = 0
        with transaction.atomic():  # all invitations or none, and one delivery run
            if not rate_hit(INVITE_PER_SCHOOL, school.pk):
                messages.error(request, str(TOO_MANY))
                return redirect("accounts:invitations")
            for record in records:
                count += services.invitation_send(record=record)
            audit_record(request=request, action="invite", object_type=target, count=count)
        messages.success(request, _("%(count)d uitnodiging(en) verstuurd.") % {"count": count})
        return redirect("accounts:invitations")
    context = {
        "groups": groups,
        "pending": pending_parents.count(),
        "pending_staff": pending_staff.count(),
        "reminder_note": reminders.default_account_reminder(),
    }
    return render(request, "accounts/invitations.html", context)


def _account_reminder(request: HttpRequest, school) -> HttpResponse:
    """ "Herinnering sturen" to parents not yet activated, with the (edited) text."""
    note = "\n".join(line.rstrip() for line in request.POST.get("note", "").strip().splitlines())
    if len(note) > reminders.MAX_NOTE:
        messages.error(
            request,
            _("De tekst is te lang (maximaal %(max)d tekens).") % {"max": reminders.MAX_NOTE},
        )
        return redirect("accounts:invitations")
    with transaction.atomic():
        if not rate_hit(INVITE_PER_SCHOOL, school.pk):
            messages.error(request, str(TOO_MANY))
            return redirect("accounts:invitations")
        result = reminders.account_remind(school=school, note=note)
        if result.invited:
            audit_record(
                request=request, action="invite", object_type="reminder", count=result.invited
            )
    reminder_feedback(
        request,
        families=result.families,
        already_today=result.already_today,
        nothing_to_do=_("Alle ouders hebben hun account geactiveerd."),
    )
    return redirect("accounts:invitations")
