from django.urls import path

from . import answer_views, print_views, reminder_views, views

P = "o/<slug:slug>/scans/"
C = P + "<uuid:campaign_id>/"

urlpatterns = [
    path("s/<str:code>/", answer_views.answer_team, name="scan_answer"),
    path("s/i/<str:token>/", answer_views.answer_invitation, name="scan_answer_invitation"),
    path("s/p/<str:token>/", answer_views.answer_slip, name="scan_answer_slip"),
    path(P, views.scans_home, name="scans_home"),
    path(P + "new/", views.campaign_create, name="scan_campaign_new"),
    path(
        P + "questionnaires/<uuid:questionnaire_id>/",
        views.questionnaire_edit,
        name="scan_questionnaire",
    ),
    path(
        P + "questionnaires/<uuid:questionnaire_id>/copy/",
        views.questionnaire_copy,
        name="scan_questionnaire_copy",
    ),
    path(C, views.campaign_detail, name="scan_campaign"),
    path(C + "open/", views.campaign_state, {"action": "open"}, name="scan_campaign_open"),
    path(C + "close/", views.campaign_state, {"action": "close"}, name="scan_campaign_close"),
    path(C + "invite/", views.campaign_invite, name="scan_campaign_invite"),
    path(C + "remind/", views.campaign_remind, name="scan_campaign_remind"),
    path(C + "teams/<uuid:node_id>/link/", views.campaign_team_link, name="scan_team_link"),
    path(C + "teams/<uuid:node_id>/slips.pdf", views.campaign_slips, name="scan_team_slips"),
    path(
        C + "reminders/",
        reminder_views.campaign_reminder_days,
        name="scan_campaign_reminder_days",
    ),
    path(C + "report/", views.report_page, name="scan_report"),
    path(C + "preview/", print_views.campaign_preview, name="scan_campaign_preview"),
    path(
        C + "teams/<uuid:node_id>/poster.pdf",
        print_views.team_poster,
        name="scan_team_poster",
    ),
    path(C + "discuss/", views.discuss, name="scan_discuss"),
    path(C + "report.csv", views.export_csv, name="scan_export_csv"),
    path(
        C + "report-excel.csv",
        views.export_csv,
        {"flavour": "excel-nl"},
        name="scan_export_csv_excel",
    ),
    path(C + "report.xlsx", views.export_xlsx, name="scan_export_xlsx"),
    path(C + "report.pdf", views.export_pdf, name="scan_export_pdf"),
    path(C + "responses.csv", views.export_responses, name="scan_export_responses"),
    path(
        C + "responses-excel.csv",
        views.export_responses,
        {"flavour": "excel-nl"},
        name="scan_export_responses_excel",
    ),
]
