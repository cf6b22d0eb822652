from django.urls import path

from mailings import views

app_name = "mailings"
urlpatterns = [
    path("oudermailing/", views.compose, name="compose"),
    path("oudermailing/versturen/", views.send, name="send"),
    path("oudermailing/verzonden/", views.sent, name="sent"),
    path("oudermailing/verzonden/<uuid:mailing_id>/", views.detail, name="detail"),
    path(
        "oudermailing/verzonden/<uuid:mailing_id>/bijlage/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
