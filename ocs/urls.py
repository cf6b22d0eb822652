from django.apps import apps
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
    path("", include("families.urls")),
    path("taal/", set_language, name="set_language"),
]

if apps.is_installed("demo"):  # OCS_DEBUG only: the mail the demo's SMTP sink caught
    urlpatterns.append(path("", include("demo.urls")))
