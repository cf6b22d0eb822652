from django.urls import path

from conferences import period_views

urlpatterns = [
    path("oudergesprekken/perioden/", period_views.period_list, name="period_list"),
    path("oudergesprekken/perioden/nieuw/", period_views.period_create, name="period_create"),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/",
        period_views.period_detail,
        name="period_detail",
    ),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/openzetten/",
        period_views.period_open,
        name="period_open",
    ),
    path(
        "portaal/oudergesprekken/periode/<uuid:period_id>/",
        period_views.period_family,
        name="period_family",
    ),
    path(
        "portaal/oudergesprekken/periode/<uuid:period_id>/boeken/",
        period_views.period_book,
        name="period_book",
    ),
]
