from django.urls import path

from accounts import otp, views

app_name = "accounts"
urlpatterns = [
    path("team/login/", views.staff_login, name="staff_login"),
    path("ouders/login/", views.parent_login, name="parent_login"),
    path("uitloggen/", views.logout_view, name="logout"),
    path("wachtwoord-vergeten/", views.password_forgot, name="password_forgot"),
    path("wachtwoord-instellen/<uidb64>/<token>/", views.password_set, name="password_set"),
    path("beheer/uitnodigingen/", views.invitations, name="invitations"),
    path("uitnodiging/<token>/", views.invitation_accept, name="invitation_accept"),
    path("account/e-mailadres-bevestigen/<token>/", views.email_confirm, name="email_confirm"),
    path("account/school/", views.school_switch, name="school_switch"),
    path("account/beveiliging/", views.security, name="security"),
    path("team/tweestapsverificatie/", otp.otp_setup, name="otp_setup"),
    path("team/tweestapsverificatie/controle/", otp.otp_verify, name="otp_verify"),
    path("team/tweestapsverificatie/uitzetten/", otp.otp_disable, name="otp_disable"),
    path("beheer/tweestapsverificatie/", otp.school_require_2fa, name="school_require_2fa"),
    path(
        "beheer/tweestapsverificatie/<int:staff_id>/reset/",
        otp.staff_otp_reset,
        name="staff_otp_reset",
    ),
]
