from django.urls import path

from . import pdf, views

FORMAT = "o/<slug:slug>/formats/<str:ref>/"

urlpatterns = [
    path("o/<slug:slug>/formats/", views.format_library, name="format_library"),
    path("o/<slug:slug>/formats/import/", views.format_import, name="format_import"),
    path(FORMAT, views.format_detail, name="format_detail"),
    path(FORMAT + "copy/", views.format_copy, name="format_copy"),
    path(FORMAT + "edit/", views.format_edit, name="format_edit"),
    path(FORMAT + "edit/check/", views.format_edit_check, name="format_edit_check"),
    path(FORMAT + "edit/yaml/", views.format_yaml, name="format_yaml"),
    path(FORMAT + "history/", views.format_history, name="format_history"),
    path(FORMAT + "history/<int:number>/revert/", views.format_revert, name="format_revert"),
    path(FORMAT + "export.yaml", views.format_export, name="format_export"),
    path(FORMAT + "script.pdf", pdf.script_pdf, name="format_script_pdf"),
    path(FORMAT + "worksheet.pdf", pdf.worksheet_pdf, name="format_worksheet_pdf"),
    path(FORMAT + "cards.pdf", pdf.cards_pdf, name="format_cards_pdf"),
    path(FORMAT + "flipcharts.pdf", pdf.flipcharts_pdf, name="format_flipcharts_pdf"),
]
