from django.urls import path

from . import signin, views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", signin.sign_in, name="start"),
    path("vandaag/", views.quick_add, name="quick_add"),
    path("soort/<slug:kind>/", views.kind_list, name="kind"),
    path("nieuw/<slug:kind>/", views.entry_create, name="entry_create"),
    path("item/<uuid:public_id>/", views.entry_detail, name="entry"),
    path("item/<uuid:public_id>/bewerken/", views.entry_edit, name="entry_edit"),
    path("item/<uuid:public_id>/verwijderen/", views.entry_delete, name="entry_delete"),
    path("item/<uuid:public_id>/certificaat/", views.certificate, name="certificate"),
    path("delen/", views.share_list, name="shares"),
    path("delen/nieuw/", views.share_create, name="share_create"),
    path("delen/<uuid:public_id>/", views.share_detail, name="share"),
    path("delen/<uuid:public_id>/intrekken/", views.share_revoke, name="share_revoke"),
    path("gedeeld/<str:token>/", views.shared, name="shared"),
    path("gesprekken/", views.conversation_list, name="conversations"),
    path("gesprekken/<uuid:public_id>/", views.conversation_detail, name="conversation"),
    path("gesprekken/<uuid:public_id>/delen/", views.conversation_share, name="conversation_share"),
    path(
        "gesprekken/<uuid:public_id>/verwijderen/",
        views.conversation_delete,
        name="conversation_delete",
    ),
    path("vragenlijst/<slug:slug>/", views.questionnaire_send, name="questionnaire"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("export.json", views.export_json, name="export_json"),
    path("export.zip", views.export_zip, name="export_zip"),
    path("account/", views.account, name="account"),
    path("account/verwijderen/", views.erase, name="erase"),
    path("acties/claim/<str:token>/", views.action_claim, name="action_claim"),
    path("acties/<uuid:public_id>/", views.action_progress, name="action_progress"),
]
