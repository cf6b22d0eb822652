from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("portaal/", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy, name="privacy"),
]
