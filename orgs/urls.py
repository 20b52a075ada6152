from django.urls import path

from . import views

urlpatterns = [
    path("invitations/<str:key>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/", views.dashboard, name="org_dashboard"),
    path("<slug:slug>/members/", views.members, name="org_members"),
    path("<slug:slug>/members/invite/", views.invite, name="org_invite"),
    path("<slug:slug>/members/<uuid:member_id>/", views.member_detail, name="org_member"),
    path("<slug:slug>/members/<uuid:member_id>/role/", views.member_role, name="org_member_role"),
    path(
        "<slug:slug>/members/<uuid:member_id>/teams/", views.member_teams, name="org_member_teams"
    ),
    path(
        "<slug:slug>/members/<uuid:member_id>/remove/",
        views.member_remove,
        name="org_member_remove",
    ),
    path(
        "<slug:slug>/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="org_invitation_revoke",
    ),
    path("<slug:slug>/teams/", views.teams, name="org_teams"),
    path("<slug:slug>/teams/<uuid:team_id>/", views.team_edit, name="org_team"),
    path("<slug:slug>/teams/<uuid:team_id>/rename/", views.team_rename, name="org_team_rename"),
    path("<slug:slug>/teams/<uuid:team_id>/delete/", views.team_delete, name="org_team_delete"),
    path("<slug:slug>/settings/", views.organisation_settings, name="org_settings"),
    path("<slug:slug>/audit/", views.audit_log, name="org_audit"),
]
