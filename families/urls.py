from django.urls import path

from families import consent_views, restriction_views, views

app_name = "families"
urlpatterns = [
    path("portaal/mijn-gegevens/", views.my_details, name="my_details"),
    path("portaal/taal/", views.language, name="language"),
    path("beheer/wijzigingen/", views.changes, name="changes"),
    path("beheer/wijzigingen/<uuid:change_id>/", views.change_decide, name="change_decide"),
    path("portaal/toestemming/", consent_views.consent, name="consent"),
    path("beheer/toestemming/", consent_views.consent_admin, name="consent_admin"),
    path("toestemming/", consent_views.consent_groups, name="consent_groups"),
    path("toestemming/groep/<uuid:group_id>/", consent_views.consent_group, name="consent_group"),
    path(
        "toestemming/groep/<uuid:group_id>/pdf/",
        consent_views.consent_group_pdf,
        name="consent_group_pdf",
    ),
    path("beheer/gezag/", restriction_views.restrictions, name="restrictions"),
    path(
        "beheer/gezag/<uuid:restriction_id>/opheffen/",
        restriction_views.restriction_lift_view,
        name="restriction_lift",
    ),
]
