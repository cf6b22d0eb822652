from django.urls import path

from specialgroups import views, waitlist_views

app_name = "specialgroups"
urlpatterns = [
    path("speciale-groepen/", views.special_group_list, name="list"),
    path("speciale-groepen/nieuw/", views.special_group_create, name="create"),
    path(
        "speciale-groepen/nieuw-met-activiteit/",
        views.activity_group_create,
        name="create_activity",
    ),
    path("speciale-groepen/<uuid:group_id>/", views.special_group_detail, name="detail"),
    path("speciale-groepen/<uuid:group_id>/wijzigen/", views.special_group_edit, name="edit"),
    path(
        "speciale-groepen/<uuid:group_id>/verwijderen/",
        views.special_group_delete,
        name="delete",
    ),
    path("speciale-groepen/<uuid:group_id>/pdf/", views.member_pdf, name="pdf"),
    path(
        "speciale-groepen/<uuid:group_id>/leden/toevoegen/",
        views.member_add,
        name="member_add",
    ),
    path(
        "speciale-groepen/<uuid:group_id>/leden/<uuid:parent_id>/verwijderen/",
        views.member_remove,
        name="member_remove",
    ),
    path("portaal/speciale-groepen/", views.portal_list, name="portal_list"),
    path(
        "portaal/speciale-groepen/<uuid:group_id>/inschrijven/",
        views.portal_signup,
        name="portal_signup",
    ),
    path(
        "portaal/speciale-groepen/<uuid:group_id>/uitschrijven/",
        views.portal_withdraw,
        name="portal_withdraw",
    ),
    path(
        "portaal/speciale-groepen/<uuid:group_id>/wachtlijst/",
        waitlist_views.portal_wait,
        name="portal_wait",
    ),
    path(
        "portaal/speciale-groepen/<uuid:group_id>/wachtlijst/verlaten/",
        waitlist_views.portal_unwait,
        name="portal_unwait",
    ),
    path(
        "speciale-groepen/<uuid:group_id>/loting/",
        waitlist_views.lottery_switch,
        name="lottery_switch",
    ),
    path(
        "speciale-groepen/<uuid:group_id>/loten/",
        waitlist_views.lottery_draw,
        name="lottery_draw",
    ),
]
