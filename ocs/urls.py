from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("schools.urls")),
    path("", include("accounts.urls")),
    path("", include("portal.urls")),
    path("", include("audit.urls")),
    path("", include("parents.urls")),
    path("", include("specialgroups.urls")),
    path("", include("mailings.urls")),
    path("", include("conferences.urls")),
    path("", include("privacy.urls")),
    path("taal/", set_language, name="set_language"),
]

if settings.DEBUG:
    from ocs import devmail

    urlpatterns += [
        path("_dev/mail/", devmail.mail_list, name="devmail_list"),
        path("_dev/mail/<str:name>/", devmail.mail_detail, name="devmail_detail"),
    ]
