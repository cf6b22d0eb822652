from django.urls import path

from conferences import views

app_name = "conferences"
urlpatterns = [
    path("oudergesprekken/", views.round_list, name="round_list"),
    path("oudergesprekken/nieuw/", views.round_create, name="round_create"),
    path("oudergesprekken/<uuid:round_id>/", views.round_detail, name="round_detail"),
    path("oudergesprekken/<uuid:round_id>/wijzigen/", views.round_edit, name="round_edit"),
    path("oudergesprekken/<uuid:round_id>/verwijderen/", views.round_delete, name="round_delete"),
    path("oudergesprekken/<uuid:round_id>/tijden/toevoegen/", views.slot_add, name="slot_add"),
    path(
        "oudergesprekken/<uuid:round_id>/tijden/<int:slot_id>/verwijderen/",
        views.slot_delete,
        name="slot_delete",
    ),
    path("oudergesprekken/<uuid:round_id>/publiceren/", views.round_publish, name="round_publish"),
    path("oudergesprekken/<uuid:round_id>/melding/", views.round_notify, name="round_notify"),
    path("oudergesprekken/<uuid:round_id>/herinnering/", views.round_remind, name="round_remind"),
    path("oudergesprekken/<uuid:round_id>/pdf/", views.round_pdf, name="round_pdf"),
    path("portaal/oudergesprekken/", views.portal, name="portal"),
    path("portaal/oudergesprekken/<uuid:round_id>/boeken/", views.portal_book, name="portal_book"),
    path(
        "portaal/oudergesprekken/<uuid:round_id>/annuleren/",
        views.portal_cancel,
        name="portal_cancel",
    ),
]

from conferences.period_urls import urlpatterns as period_urlpatterns  # noqa: E402

urlpatterns += period_urlpatterns
