"""Deleting the whole account takes everything with it, at once, table by table."""

from __future__ import annotations

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client

from accounts.models import ApiToken, User
from portfolio import services
from portfolio.models import Share

from .conftest import add_entry, pdf_bytes, upload


def rows_pointing_at(user) -> dict[str, int]:
    """Every row of every table with a foreign key (or many-to-many) to this user."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is User
            ):
                count = model._default_manager.filter(**{field.name: user.pk}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def test_erasing_the_account_leaves_no_row_and_no_file_behind(
    client, owner, manager, private_root, django_capture_on_commit_callbacks
):
    activity = add_entry(owner, kind="activity", title="EHBO")
    services.attach_certificate(activity, upload=upload("a.pdf", pdf_bytes()), actor=owner)
    entry = add_entry(owner)
    services.create_share(owner=owner, target="entry", entry=entry, recipient="Coach", actor=owner)
    conversation = services.create_conversation(
        owner=owner, title="Gesprek", questions="Wat?", actor=owner
    )
    services.answer_conversation(conversation, answers=["Dit"], entries=[entry], actor=owner)
    ApiToken.issue(owner, "script")
    # Another person's portfolio stays.
    theirs = add_entry(manager, title="Van iemand anders")
    assert rows_pointing_at(owner)
    assert list(private_root.rglob("*.pdf"))

    phone = Client()
    phone.force_login(owner)  # signed in on another device too
    laptop = Client()
    laptop.force_login(manager)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mijn-leren/account/verwijderen/", {"email": owner.email.upper()})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=owner.pk).exists()
    assert rows_pointing_at(owner) == {}
    for model in apps.get_app_config("portfolio").get_models(include_auto_created=True):
        remaining = model._default_manager.all()
        if model._meta.label == "portfolio.Entry":
            assert list(remaining) == [theirs]
        else:
            assert remaining.count() == 0, model._meta.label
    assert Share.objects.count() == 0
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(owner.pk) not in sessions
    assert str(manager.pk) in sessions  # somebody else stays signed in
    assert not list(private_root.rglob("*.pdf"))


def test_erasing_needs_the_own_address_typed(client, owner):
    add_entry(owner)
    client.force_login(owner)
    response = client.post("/mijn-leren/account/verwijderen/", {"email": "iemand@anders.test"})
    assert response.status_code == 400
    assert User.objects.filter(pk=owner.pk).exists()
