from django.urls import path

from . import views

app_name = "learning"

P = "o/<slug:slug>/learning/"

urlpatterns = [
    path("leren/<slug:slug>/", views.public_offer, name="public_offer"),
    path("leren/<slug:slug>/qr.svg", views.public_qr, name="public_qr"),
    path(P, views.home, name="home"),
    path(P + "offer/", views.offer_list, name="offer"),
    path(P + "offer/new/", views.offer_new, name="offer_new"),
    path(P + "offer/<uuid:item_id>/", views.offer_edit, name="offer_edit"),
    path(P + "offer/<uuid:item_id>/delete/", views.offer_delete, name="offer_delete"),
    path(P + "contacts/", views.contacts, name="contacts"),
    path(P + "contacts/<uuid:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path(P + "route/", views.route, name="route"),
    path(P + "route/<uuid:step_id>/", views.route_edit, name="route_edit"),
    path(P + "route/<uuid:step_id>/move/", views.route_move, name="route_move"),
    path(P + "route/<uuid:step_id>/delete/", views.route_delete, name="route_delete"),
    path(P + "budgets/", views.budgets, name="budgets"),
    path(P + "budgets/<uuid:budget_id>/delete/", views.budget_delete, name="budget_delete"),
    path(P + "settings/", views.learning_settings, name="settings"),
    path(P + "trainings/", views.trainings, name="trainings"),
    path(P + "trainings/import/", views.training_import, name="import"),
    path(P + "trainings/quarter.csv", views.quarter_export, name="quarter_export"),
    path(
        P + "trainings/<uuid:training_id>/delete/",
        views.training_delete,
        name="training_delete",
    ),
    path(P + "figures/", views.figures_page, name="figures"),
    path(P + "no-training/", views.untrained, name="untrained"),
    path(P + "plans/", views.plans, name="plans"),
    path(P + "plans/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path(P + "plans/<uuid:plan_id>/versions/", views.plan_versions, name="plan_versions"),
    path(P + "plans/<uuid:plan_id>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path(P + "plans/<uuid:plan_id>/plan.docx", views.plan_docx, name="plan_docx"),
]
