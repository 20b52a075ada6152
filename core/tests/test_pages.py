from django.urls import reverse


def test_landing_page_for_visitors(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "lerend" in response.content.decode()


def test_member_of_one_organisation_goes_to_it(client, member_user, org):
    client.force_login(member_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("org_dashboard", args=[org.slug])


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_landing_page_lets_a_participant_type_a_code(client, db):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("workshop_join_lookup")}"' in html
    assert 'name="code"' in html


def test_a_member_of_several_organisations_can_also_type_a_code(
    client, member_user, org, other_org
):
    from orgs.models import Membership, Role

    Membership.objects.create(user=member_user, organisation=other_org, role=Role.MEMBER)
    client.force_login(member_user)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("workshop_join_lookup")}"' in html
