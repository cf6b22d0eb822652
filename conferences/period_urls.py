from django.urls import path

from conferences import period_views, planner_views, swap_views

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
        "oudergesprekken/perioden/<uuid:period_id>/plannen/",
        planner_views.period_plan,
        name="period_plan",
    ),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/verplaatsen/",
        planner_views.period_move,
        name="period_move",
    ),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/planning-versturen/",
        planner_views.period_publish,
        name="period_publish",
    ),
    path(
        "portaal/oudergesprekken/periode/<uuid:period_id>/voorkeuren/",
        planner_views.wishes_save,
        name="period_wishes",
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
    path(
        "portaal/oudergesprekken/periode/<uuid:period_id>/ruilen/",
        swap_views.swap_ask,
        name="period_swap_ask",
    ),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/ruilverzoeken/<uuid:swap_id>/goedkeuren/",
        swap_views.swap_approve,
        name="swap_approve",
    ),
    path(
        "oudergesprekken/perioden/<uuid:period_id>/ruilverzoeken/<uuid:swap_id>/weigeren/",
        swap_views.swap_refuse,
        name="swap_refuse",
    ),
]
