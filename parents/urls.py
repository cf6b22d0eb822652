from django.urls import path

from parents import views

app_name = "parents"
urlpatterns = [
    path("ouderoverzicht/", views.group_list, name="group_list"),
    path("ouderoverzicht/groep/<uuid:group_id>/", views.group_detail, name="group_detail"),
    path("ouderoverzicht/pdf/", views.school_pdf, name="school_pdf"),
    path("ouderoverzicht/groep/<uuid:group_id>/pdf/", views.group_pdf, name="group_pdf"),
    path(
        "ouderoverzicht/groep/<uuid:group_id>/verplaatsen/",
        views.group_move_view,
        name="group_move",
    ),
    path("ouderoverzicht/ouder/<uuid:parent_id>/", views.parent_detail, name="parent_detail"),
    path("ouderoverzicht/ouder/<uuid:parent_id>/bewerken/", views.parent_edit, name="parent_edit"),
    path(
        "ouderoverzicht/ouder/<uuid:parent_id>/blokkeren/",
        views.parent_block,
        name="parent_block",
    ),
    path(
        "ouderoverzicht/ouder/<uuid:parent_id>/verwijderen/",
        views.parent_delete_view,
        name="parent_delete",
    ),
    path("ouderoverzicht/schooljaar/", views.year_end, name="year_end"),
]
