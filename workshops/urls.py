from django.urls import path

from . import summary_views, views

urlpatterns = [
    path("o/<slug:slug>/workshops/", views.session_list, name="workshop_list"),
    path("o/<slug:slug>/workshops/start/", views.start, name="workshop_start"),
    path("o/<slug:slug>/workshops/<uuid:public_id>/", views.console, name="workshop_console"),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/present/",
        views.present,
        name="workshop_present",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/control/",
        views.control,
        name="workshop_control",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/delete/",
        views.delete,
        name="workshop_delete",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/summary/",
        summary_views.summary_page,
        name="workshop_summary",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/summary.pdf",
        summary_views.summary_pdf,
        name="workshop_summary_pdf",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/summary.md",
        summary_views.summary_md,
        name="workshop_summary_md",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/photos/<uuid:photo_id>",
        views.facilitator_photo,
        name="workshop_photo",
    ),
    path("j/", views.join_lookup, name="workshop_join_lookup"),
    path("j/<str:code>/", views.join, name="workshop_join"),
    path("j/<str:code>/do/", views.participant_do, name="workshop_participant_do"),
    path(
        "j/<str:code>/photos/<uuid:photo_id>",
        views.participant_photo,
        name="workshop_participant_photo",
    ),
    path("s/<uuid:public_id>/", summary_views.shared_summary, name="workshop_shared_summary"),
    path(
        "s/<uuid:public_id>/summary.pdf",
        summary_views.shared_summary_pdf,
        name="workshop_shared_summary_pdf",
    ),
    path(
        "s/<uuid:public_id>/photos/<uuid:photo_id>",
        views.shared_photo,
        name="workshop_shared_photo",
    ),
    # The facilitator's summary (recap) at the top of the session's summary.
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/summary/recap/",
        summary_views.summary_recap,
        name="workshop_summary_recap",
    ),
    path(
        "o/<slug:slug>/workshops/<uuid:public_id>/summary/recap/preview/",
        summary_views.summary_recap_preview,
        name="workshop_summary_recap_preview",
    ),
]
