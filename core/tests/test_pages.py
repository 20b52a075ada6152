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
