from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
]
