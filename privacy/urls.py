from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("beheer/avg/", views.requests, name="requests"),
    path("beheer/avg/ouder/<uuid:parent_id>/export/", views.export, name="export"),
    path("beheer/avg/ouder/<uuid:parent_id>/wissen/", views.erase, name="erase"),
]
