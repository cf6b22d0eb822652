from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.school_home, name="school_home"),
    path("leerkracht/", views.dashboard, name="dashboard"),
    path("beheer/import/", views.import_upload, name="import_upload"),
    path("beheer/import/<int:batch_id>/", views.import_preview, name="import_preview"),
    path(
        "beheer/import/<int:batch_id>/ongedaan-maken/",
        views.import_undo_view,
        name="import_undo",
    ),
]
