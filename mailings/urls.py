from django.urls import path

from mailings import draft_views, portal_views, question_views, settings_views, views

app_name = "mailings"
urlpatterns = [
    path("oudermailing/", views.compose, name="compose"),
    path("beheer/e-mailinstellingen/", settings_views.email_settings, name="email_settings"),
    path("oudermailing/versturen/", views.send, name="send"),
    path("oudermailing/verzonden/", views.sent, name="sent"),
    path("oudermailing/concepten/", draft_views.drafts, name="drafts"),
    path("oudermailing/concepten/nieuw/", draft_views.draft_new, name="draft_new"),
    path("oudermailing/concepten/<uuid:draft_id>/", draft_views.draft_edit, name="draft_edit"),
    path(
        "oudermailing/concepten/<uuid:draft_id>/annuleren/",
        draft_views.draft_unschedule,
        name="draft_unschedule",
    ),
    path(
        "oudermailing/concepten/<uuid:draft_id>/verwijderen/",
        draft_views.draft_remove,
        name="draft_remove",
    ),
    path("oudermailing/verzonden/<uuid:mailing_id>/", views.detail, name="detail"),
    path("oudermailing/verzonden/<uuid:mailing_id>/herinnering/", views.remind, name="remind"),
    path(
        "oudermailing/verzonden/<uuid:mailing_id>/bijlage/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "oudermailing/verzonden/<uuid:mailing_id>/antwoorden.pdf",
        question_views.answers_pdf,
        name="question_pdf",
    ),
    path(
        "oudermailing/verzonden/<uuid:mailing_id>/vraag/herinnering/",
        question_views.remind,
        name="question_remind",
    ),
    path(
        "portaal/berichten/<uuid:message_id>/antwoord/",
        question_views.portal_answer,
        name="portal_answer",
    ),
    path("portaal/berichten/", portal_views.portal_list, name="portal_list"),
    path("portaal/berichten/<uuid:message_id>/", portal_views.portal_detail, name="portal_detail"),
    path(
        "portaal/berichten/<uuid:message_id>/bijlage/<uuid:attachment_id>/",
        portal_views.portal_attachment,
        name="portal_attachment",
    ),
    path(
        "portaal/berichten/oudermailing/<uuid:mailing_id>/",
        portal_views.portal_mailing,
        name="portal_mailing",
    ),
]
