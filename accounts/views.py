from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import LoginForm, PasswordChangeForm, PasswordForgotForm, PasswordSetForm
from audit.services import audit_record
from schools.access import (
    account_required,
    administrator_required,
    groups_for_staff,
    parent_of,
    public,
    staff_of,
)
from schools.models import Parent


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
        services.password_forgot(email=form.cleaned_data["email"])
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
        login(request, user, backend="accounts.backends.EmailBackend")
        messages.success(request, _("Uw wachtwoord is opgeslagen. U bent nu ingelogd."))
        return redirect(landing_url(request, "parent"))
    return render(request, "accounts/password_set.html", {"form": form})


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
        audit_record(request=request, action="edit", obj=request.user, what="password")
        messages.success(request, _("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd."))
        return redirect("accounts:security")
    context = {
        "form": form,
        "has_2fa": user_has_device(request.user),
        "staff": getattr(request, "staff", None),
    }
    return render(request, "accounts/security.html", context)


@administrator_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The beheerder invites the parents of a group, or everyone who has not activated yet."""
    groups = groups_for_staff(request.staff).order_by("name")
    if request.method == "POST":
        parents = Parent.objects.filter(school=request.staff.school, is_blocked=False)
        parents = parents.exclude(email="")
        target = request.POST.get("target", "")
        if target == "pending":
            parents = parents.filter(user__isnull=True) | parents.filter(
                user__password__startswith=UNUSABLE_PASSWORD_PREFIX
            )
        else:
            group = groups.filter(public_id=target).first()
            if group is None:
                messages.error(request, _("Kies een groep."))
                return redirect("accounts:invitations")
            parents = parents.filter(pupils__group=group)
        count = 0
        with transaction.atomic():  # all invitations or none, and one delivery run
            for parent in parents.distinct().select_related("user", "school"):
                count += services.invitation_send(parent=parent)
        audit_record(request=request, action="invite", object_type="parent", count=count)
        messages.success(request, _("%(count)d uitnodiging(en) verstuurd.") % {"count": count})
        return redirect("accounts:invitations")
    school_parents = Parent.objects.filter(school=request.staff.school)
    context = {
        "groups": groups,
        "pending": school_parents.filter(user__isnull=True).count()
        + school_parents.filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX).count(),
    }
    return render(request, "accounts/invitations.html", context)
