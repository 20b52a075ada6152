from django.urls import path

from . import views

app_name = "actions"

P = "o/<slug:slug>/acties/"
G = "o/<slug:slug>/gesprekken/"

urlpatterns = [
    path(P, views.action_list, name="list"),
    path(P + "mijn/", views.my_actions, name="mine"),
    path(P + "nieuw/", views.action_create, name="create"),
    path(P + "voortgang/", views.share_done, name="share"),
    path(P + "instellingen/", views.my_settings, name="settings"),
    path(P + "export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path(P + "export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path(
        P + "scan/<uuid:campaign_id>/<str:question_key>/",
        views.scan_question,
        name="scan_question",
    ),
    path(P + "<uuid:action_id>/", views.action_detail, name="detail"),
    path(P + "<uuid:action_id>/bewerken/", views.action_edit, name="edit"),
    path(G, views.conversation_list, name="conversations"),
    path(G + "nieuw/", views.conversation_plan, name="conversation_plan"),
    path(G + "<uuid:conversation_id>/", views.conversation_detail, name="conversation"),
    path("a/<str:token>/", views.my_action_link, name="link"),
    path("a/<str:token>/portfolio/", views.claim, name="claim"),
    path("g/<str:token>/", views.conversation_link, name="conversation_link"),
    path("acties/uitschrijven/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("acties/agenda/<str:token>.ics", views.feed, name="feed"),
]
