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
    path("account/beveiliging/", views.security, name="security"),
    path("team/tweestapsverificatie/", otp.otp_setup, name="otp_setup"),
    path("team/tweestapsverificatie/controle/", otp.otp_verify, name="otp_verify"),
    path("team/tweestapsverificatie/uitzetten/", otp.otp_disable, name="otp_disable"),
    path("beheer/tweestapsverificatie/", otp.school_require_2fa, name="school_require_2fa"),
]
