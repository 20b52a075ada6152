"""Campaigns, invitations and the one path for answers: all or nothing, once per key."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.errors import DomainError
from orgs.models import AuditEvent, Team
from scans import services
from scans.models import (
    TOTAL,
    Answer,
    Campaign,
    CampaignNode,
    CampaignState,
    Counter,
    FreeText,
    FreeTextPool,
    NodeAncestor,
    Response,
    ScanInvitation,
    SubmissionReceipt,
)

from .conftest import node, respond, seed_answers


def stored(campaign: Campaign) -> dict[str, int]:
    return {
        "responses": Response.objects.filter(campaign=campaign).count(),
        "answers": Answer.objects.filter(response__campaign=campaign).count(),
        "counters": sum(Counter.objects.filter(campaign=campaign).values_list("n", flat=True)),
        "texts": FreeText.objects.filter(campaign=campaign).count()
        + FreeTextPool.objects.filter(campaign=campaign).count(),
        "receipts": SubmissionReceipt.objects.filter(campaign=campaign).count(),
        "used": ScanInvitation.objects.filter(campaign=campaign, used=True).count(),
    }


def key() -> str:
    return secrets.token_urlsafe(16)


# --- campaigns ----------------------------------------------------------------------------


def test_campaign_snapshots_the_tree_with_closure(campaign, org):
    names = list(CampaignNode.objects.filter(campaign=campaign).values_list("name", "depth"))
    assert names == [
        (org.name, 0),
        ("Administratie", 1),
        ("Boekhouding", 2),
        ("Productie", 1),
        ("Bakkerij", 2),
        ("Levering", 2),
        ("Winkel", 2),
    ]
    targets = CampaignNode.objects.filter(campaign=campaign, is_target=True)
    assert sorted(targets.values_list("name", flat=True)) == [
        "Bakkerij",
        "Boekhouding",
        "Levering",
        "Winkel",
    ]
    assert all(re.fullmatch(r"[a-z2-9]{10}", t.code) for t in targets)
    assert not CampaignNode.objects.filter(
        campaign=campaign, is_target=False, code__isnull=False
    ).exists()
    bakkerij = node(campaign, "Bakkerij")
    ancestors = NodeAncestor.objects.filter(descendant=bakkerij).values_list(
        "ancestor__name", flat=True
    )
    assert sorted(ancestors) == sorted(["Bakkerij", "Productie", org.name])
    assert campaign.anonymity_minimum == org.anonymity_minimum == 5
    assert AuditEvent.objects.filter(action="scan.campaign_created").count() == 1


def test_campaign_copies_the_organisations_minimum(org, builtin, teams, admin_user):
    org.anonymity_minimum = 8
    org.save()
    c = services.create_campaign(
        org, questionnaire=builtin, name="M", actor=admin_user, teams=[teams["winkel"]]
    )
    assert c.anonymity_minimum == 8


@pytest.mark.parametrize("minimum", [2, 0, -1, 4])
def test_a_minimum_below_3_or_the_organisations_is_refused(
    org, builtin, teams, admin_user, minimum
):
    with pytest.raises(DomainError) as error:
        services.create_campaign(
            org,
            questionnaire=builtin,
            name="M",
            actor=admin_user,
            teams=[teams["winkel"]],
            anonymity_minimum=minimum,
        )
    assert error.value.code == "anonymity_below_floor"
    assert not Campaign.objects.exists()


def test_campaign_bad_input(org, other_org, builtin, teams, admin_user):
    theirs = Team.objects.create(organisation=other_org, name="X")
    now = timezone.now()
    cases = [
        {"name": "", "teams": [teams["winkel"]]},
        {"name": "M", "teams": []},
        {"name": "M", "teams": [theirs]},
        {"name": "M", "teams": [teams["winkel"]], "opens_at": now, "closes_at": now},
        {"name": "M", "teams": [teams["winkel"]], "language": "fr"},
        {"name": "M" * 151, "teams": [teams["winkel"]]},
    ]
    for case in cases:
        with pytest.raises(DomainError):
            services.create_campaign(org, questionnaire=builtin, actor=admin_user, **case)
    assert not Campaign.objects.exists()
    assert not CampaignNode.objects.exists()


def test_open_and_close(campaign, admin_user):
    assert campaign.accepts_responses()
    with pytest.raises(DomainError):
        services.open_campaign(campaign, actor=admin_user)
    services.close_campaign(campaign, actor=admin_user)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED and not campaign.accepts_responses()
    with pytest.raises(DomainError):
        services.close_campaign(campaign, actor=admin_user)


# --- answering ----------------------------------------------------------------------------


def test_a_response_stores_answers_counters_and_day(campaign):
    code = node(campaign, "Bakkerij").code
    answers = seed_answers(ontmoeten=["koffie"], **{"nieuwe-kennis": []})
    result = services.submit_response(
        code=code, client_key=key(), answers=answers, other={"ontmoeten": "In de <b>gang</b> =1+1"}
    )
    assert result.submitted_on == timezone.localdate()
    response = Response.objects.get()
    assert response.node.name == "Bakkerij"
    assert sorted(response.answers.values_list("question", "option")) == sorted(
        [
            ("toegang-informatie", "ja"),
            ("deelnemen-overleg", "nee"),
            ("tijd-samenwerking", "ja"),
            ("aandacht-leren", "ja"),
            ("mentorschap", "nee"),
            ("ontmoeten", "koffie"),
            ("ontmoeten", "andere"),
        ]
    )
    counters = dict(
        Counter.objects.filter(node=response.node)
        .values_list("question", "option")
        .values_list("question", "option", "n")
        .values_list("question", "n")
        .filter(option=TOTAL)
    )
    assert counters[TOTAL] == 1 and counters["ontmoeten"] == 1 and "nieuwe-kennis" not in counters
    assert Counter.objects.get(node=response.node, question="ontmoeten", option="andere").n == 1
    # Pooled until released, stored as text.
    assert FreeTextPool.objects.get().text == "In de <b>gang</b> =1+1"


def test_counters_add_up(campaign):
    respond(campaign, "Bakkerij", 3)
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    bakkerij = node(campaign, "Bakkerij")
    get = lambda q, o: Counter.objects.get(node=bakkerij, question=q, option=o).n  # noqa: E731
    assert get(TOTAL, TOTAL) == 5
    assert get("toegang-informatie", TOTAL) == 5
    assert get("toegang-informatie", "ja") == 3
    assert get("toegang-informatie", "nee") == 2


def test_a_replay_returns_the_first_result_and_stores_nothing(campaign):
    code = node(campaign, "Winkel").code
    k = key()
    first = services.submit_response(code=code, client_key=k, answers=seed_answers())
    before = stored(campaign)
    again = services.submit_response(
        code=code, client_key=k, answers=seed_answers(mentorschap="ja")
    )
    assert again.as_dict() == first.as_dict() and again.replayed
    assert stored(campaign) == before


def test_a_replay_after_closing_still_answers_the_first_result(campaign, admin_user):
    code = node(campaign, "Winkel").code
    k = key()
    first = services.submit_response(code=code, client_key=k, answers=seed_answers())
    services.close_campaign(campaign, actor=admin_user)
    assert (
        services.submit_response(code=code, client_key=k, answers=seed_answers()).as_dict()
        == first.as_dict()
    )


BAD = [
    ({"answers": {**seed_answers(), "bestaat-niet": "ja"}}, "unknown_question"),
    ({"answers": seed_answers(mentorschap=None)}, "answer_required"),
    ({"answers": seed_answers(mentorschap="misschien")}, "choice_invalid"),
    ({"answers": seed_answers(ontmoeten=["koffie", "thee"])}, "choice_invalid"),
    ({"answers": seed_answers(ontmoeten=[1, 2])}, "answer_invalid"),
    ({"answers": seed_answers(mentorschap=["ja"])}, "answer_invalid"),
    ({"answers": seed_answers(), "other": {"ontmoeten": "x" * 1001}}, "text_too_long"),
    ({"answers": seed_answers(), "other": {"toegang-informatie": "x"}}, "answer_invalid"),
    ({"answers": seed_answers(), "other": {"niet-bestaand": "x"}}, "unknown_question"),
    ({"answers": "ja"}, "invalid"),
    ({"answers": seed_answers(), "client_key": "short"}, "client_key_invalid"),
    ({"answers": seed_answers(), "client_key": None}, "client_key_invalid"),
    ({"answers": seed_answers(), "code": "onbekend"}, "unknown_link"),
    ({"answers": seed_answers(), "code": None}, "target_required"),
    ({"answers": seed_answers(), "token": "onbekend-token", "code": None}, "unknown_token"),
]


@pytest.mark.parametrize(("change", "code"), BAD)
def test_bad_input_is_refused_and_nothing_is_stored(campaign, change, code):
    respond(campaign, "Bakkerij")
    before = stored(campaign)
    arguments = {"code": node(campaign, "Bakkerij").code, "client_key": key(), **change}
    with pytest.raises(DomainError) as error:
        services.submit_response(**arguments)
    assert error.value.code == code
    assert error.value.message
    assert stored(campaign) == before


def test_andere_text_of_exactly_1000_characters_is_accepted(campaign):
    respond(campaign, "Bakkerij")
    services.submit_response(
        code=node(campaign, "Bakkerij").code,
        client_key=key(),
        answers=seed_answers(),
        other={"ontmoeten": "é" * 1000},
    )
    assert FreeTextPool.objects.get().text == "é" * 1000


def test_closed_and_not_yet_open_campaigns_refuse_answers(campaign, admin_user):
    code = node(campaign, "Bakkerij").code
    campaign.opens_at = timezone.now() + timedelta(days=1)
    campaign.save()
    with pytest.raises(DomainError) as error:
        services.submit_response(code=code, client_key=key(), answers=seed_answers())
    assert error.value.code == "campaign_not_open"
    campaign.opens_at = None
    campaign.closes_at = timezone.now() + timedelta(hours=1)
    campaign.save()
    with (
        time_machine.travel(timezone.now() + timedelta(hours=2)),
        pytest.raises(DomainError) as error,
    ):
        services.submit_response(code=code, client_key=key(), answers=seed_answers())
    assert error.value.code == "campaign_closed"
    services.close_campaign(campaign, actor=admin_user)
    with pytest.raises(DomainError) as error:
        services.submit_response(code=code, client_key=key(), answers=seed_answers())
    assert error.value.code == "campaign_closed"
    assert not Response.objects.exists()


def test_a_draft_campaign_refuses_answers(org, builtin, teams, admin_user):
    c = services.create_campaign(
        org, questionnaire=builtin, name="M", actor=admin_user, teams=[teams["winkel"]]
    )
    with pytest.raises(DomainError) as error:
        services.submit_response(
            code=node(c, "Winkel").code, client_key=key(), answers=seed_answers()
        )
    assert error.value.code == "campaign_not_open"


def test_other_kinds_of_questions(org, admin_user, teams):
    q = services.create_questionnaire(
        org,
        {
            "slug": "eigen",
            "title": "Eigen",
            "sections": [
                {
                    "questions": [
                        {
                            "kind": "single_choice",
                            "key": "rol",
                            "text": "Rol?",
                            "required": True,
                            "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
                            "other_option": {"key": "andere", "label": "Andere"},
                        },
                        {
                            "kind": "scale",
                            "key": "score",
                            "text": "Score?",
                            "high": 6,
                            "low_label": "laag",
                            "high_label": "hoog",
                        },
                        {"kind": "open_text", "key": "idee", "text": "Idee?"},
                    ]
                }
            ],
        },
        actor=admin_user,
    )
    c = services.create_campaign(
        org, questionnaire=q, name="M", actor=admin_user, teams=[teams["winkel"]]
    )
    services.open_campaign(c, actor=admin_user)
    code = node(c, "Winkel").code
    services.submit_response(
        code=code, client_key=key(), answers={"rol": "b", "score": "6", "idee": "  Meer tijd  "}
    )
    services.submit_response(code=code, client_key=key(), answers={}, other={"rol": "Stagiair"})
    # An answered open question leaves a row without option (so that a replacement can
    # take its counter back); its text waits in the pool, apart from the response.
    assert sorted(Answer.objects.values_list("question", "option")) == [
        ("idee", ""),
        ("rol", "andere"),
        ("rol", "b"),
        ("score", "6"),
    ]
    assert sorted(FreeTextPool.objects.values_list("question", "text")) == [
        ("idee", "Meer tijd"),
        ("rol", "Stagiair"),
    ]
    for answers, code_ in [
        ({"rol": "a", "score": 7}, "choice_invalid"),
        ({"rol": "a", "score": True}, "choice_invalid"),
        ({"rol": ["a", "b"]}, "answer_invalid"),
        ({"score": 3}, "answer_required"),
        ({"rol": "a", "idee": "x" * 1001}, "text_too_long"),
        ({"rol": "a", "idee": 5}, "answer_invalid"),
    ]:
        with pytest.raises(DomainError) as error:
            services.submit_response(code=code, client_key=key(), answers=answers)
        assert error.value.code == code_, answers
    with pytest.raises(DomainError):
        services.submit_response(
            code=code, client_key=key(), answers={"rol": "a"}, other={"rol": "Andere rol"}
        )
    assert Response.objects.count() == 2


# --- invitations --------------------------------------------------------------------------


@pytest.fixture
def mailing(django_capture_on_commit_callbacks):
    """Run a service and the e-mail it sends on commit."""

    def run(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run


def tokens_in(outbox) -> list[str]:
    found = [re.search(r"/s/i/([\w-]+)/", m.body) for m in outbox]
    assert all(found)
    return [match.group(1) for match in found if match]


def test_invitations_mail_a_single_use_token(campaign, admin_user, mailing):
    winkel = node(campaign, "Winkel")
    n = mailing(
        services.invite_respondents,
        campaign,
        winkel,
        ["a@x.test", "B@x.test", "a@x.test", ""],
        actor=admin_user,
    )
    assert n == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.test", "b@x.test"]
    assert "anoniem" in mail.outbox[0].body or "anonymous" in mail.outbox[0].body
    token = tokens_in(mail.outbox)[0]
    assert not ScanInvitation.objects.filter(token_hash=token).exists()  # only the hash
    services.submit_response(token=token, client_key=key(), answers=seed_answers())
    response = Response.objects.get()
    assert response.node == winkel
    assert ScanInvitation.objects.filter(used=True).count() == 1
    before = stored(campaign)
    with pytest.raises(DomainError) as error:
        services.submit_response(token=token, client_key=key(), answers=seed_answers())
    assert error.value.code == "token_used"
    assert stored(campaign) == before
    assert (
        mailing(services.invite_respondents, campaign, winkel, ["a@x.test"], actor=admin_user) == 0
    )


def test_a_bad_answer_does_not_use_up_the_token(campaign, admin_user, mailing):
    mailing(
        services.invite_respondents,
        campaign,
        node(campaign, "Winkel"),
        ["a@x.test"],
        actor=admin_user,
    )
    token = tokens_in(mail.outbox)[0]
    with pytest.raises(DomainError):
        services.submit_response(
            token=token, client_key=key(), answers=seed_answers(mentorschap=None)
        )
    assert not ScanInvitation.objects.get().used
    services.submit_response(token=token, client_key=key(), answers=seed_answers())
    assert ScanInvitation.objects.get().used


def test_reminders_go_to_those_who_did_not_answer_with_a_new_token(campaign, admin_user, mailing):
    mailing(
        services.invite_respondents,
        campaign,
        node(campaign, "Winkel"),
        ["a@x.test", "b@x.test"],
        actor=admin_user,
    )
    first = dict(zip([m.to[0] for m in mail.outbox], tokens_in(mail.outbox), strict=True))
    services.submit_response(token=first["a@x.test"], client_key=key(), answers=seed_answers())
    mail.outbox.clear()
    assert mailing(services.send_reminders, campaign, actor=admin_user) == 1
    assert [m.to[0] for m in mail.outbox] == ["b@x.test"]
    new = tokens_in(mail.outbox)[0]
    assert new != first["b@x.test"]
    with pytest.raises(DomainError) as error:
        services.submit_response(token=first["b@x.test"], client_key=key(), answers=seed_answers())
    assert error.value.code == "unknown_token"
    services.submit_response(token=new, client_key=key(), answers=seed_answers())
    assert ScanInvitation.objects.filter(used=True).count() == 2


def test_invitation_bad_input(campaign, admin_user, mailing, other_org):
    productie = node(campaign, "Productie")  # not a target: no link, no invitations
    with pytest.raises(DomainError):
        mailing(services.invite_respondents, campaign, productie, ["a@x.test"], actor=admin_user)
    with pytest.raises(DomainError) as error:
        mailing(
            services.invite_respondents,
            campaign,
            node(campaign, "Winkel"),
            ["geen-adres"],
            actor=admin_user,
        )
    assert error.value.code == "email_invalid"
    with pytest.raises(DomainError):
        mailing(
            services.invite_respondents, campaign, node(campaign, "Winkel"), [" "], actor=admin_user
        )
    assert not ScanInvitation.objects.exists() and not mail.outbox
