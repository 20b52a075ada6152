from django.test import Client


def test_every_page_renders_through_the_mini_vorming(live, facilitator_user, client):
    client.force_login(facilitator_user)
    base = f"/o/{live.organisation.slug}/workshops/{live.public_id}/"
    for url in [base, base + "present/", f"/o/{live.organisation.slug}/workshops/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:3000])
    p = Client()
    r = p.post(f"/j/{live.code}/", {"name": "Ann"})
    assert r.status_code == 302
    r = p.get(f"/j/{live.code}/")
    assert r.status_code == 200, r.content
    for ref in live.steps():
        r = client.post(base + "control/", {"action": "goto", "step": ref.id})
        assert r.status_code == 302
        if ref.kind in ("groups", "rotation"):
            r = client.post(base + "control/", {"action": "groups"})
            assert r.status_code == 302
        for url in [base, base + "present/", base + "?fragment=1"]:
            r = client.get(url)
            assert r.status_code == 200, (ref.kind, r.content[:3000])
            assert b"messages" not in r.content or b"message-error" not in r.content, (
                ref.kind,
                r.content.decode()[:5000],
            )
        r = p.get(f"/j/{live.code}/")
        assert r.status_code == 200, (ref.kind, r.content)
        r = p.get(f"/j/{live.code}/?fragment=1")
        assert r.status_code == 200
    r = client.post(base + "control/", {"action": "end"})
    assert r.status_code == 302
    r = client.get(base + "summary/")
    assert r.status_code == 200
    r = client.get(base + "summary.pdf")
    assert r.status_code == 200
    r = client.get(base + "summary.md")
    assert r.status_code == 200
    r = p.get(f"/j/{live.code}/")
    assert r.status_code == 200
