"""The admin console through the real app: token login to a signed session cookie, CSRF on
every form, registration with validation errors shown beside their fields, and escaping."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from web.views import json_ld_script


def csrf_of(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def logged_in(client: TestClient, token: str) -> str:
    r = client.post("/admin/login", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303 and "hg_session" in r.cookies
    return csrf_of(client.get("/admin").text)


@pytest.fixture
def c(client):
    """The module's client (one open store per data dir) with a fresh cookie jar per test."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


def test_login_rejects_unknown_tokens(client):
    r = client.post("/admin/login", data={"token": "not-a-token"}, follow_redirects=False)
    assert r.status_code == 403 and "hg_session" not in r.cookies
    assert 'id="login-form"' in r.text


def test_forms_without_a_session_are_forbidden(c, curator_token):
    r = c.post("/admin/works", data={"csrf": "x", "id": "w-nosession", "title_en": "T"})
    assert r.status_code == 403
    logged_in(c, curator_token)
    wrong = c.post("/admin/works", data={"csrf": "forged", "id": "w-nosession", "title_en": "T"})
    assert wrong.status_code == 403
    c.cookies.set("hg_session", c.cookies.get("hg_session")[:-2] + "xx")  # tampered signature
    assert c.post("/admin/works", data={"csrf": "x", "id": "w-2", "title_en": "T"}).status_code == 403
    assert not c.app.state.ctx.records.exists("w-nosession")


def test_register_a_work(c, curator_token):
    csrf = logged_in(c, curator_token)
    form = {
        "csrf": csrf,
        "id": "w-admin-1",
        "title_en": "Celadon bowl",
        "title_ko": "청자 대접",
        "material": "celadon",
        "era": "Goryeo",
        "begin_year": "1150",
        "end_year": "1200",
    }
    r = c.post("/admin/works", data=form)
    assert r.status_code == 200 and "/page/work/w-admin-1" in r.text
    page = c.get("/page/work/w-admin-1", params={"lang": "ko"})
    assert "<h1>청자 대접</h1>" in page.text and "고려" in page.text


def test_validation_errors_sit_next_to_their_field(c, curator_token):
    csrf = logged_in(c, curator_token)
    missing_title = c.post("/admin/works", data={"csrf": csrf, "id": "w-admin-2"})
    assert missing_title.status_code == 422
    assert re.search(r'class="error" data-field="title">[^<]*title is required', missing_title.text)
    assert 'value="w-admin-2"' in missing_title.text  # what was typed is kept
    bad_id = c.post("/admin/works", data={"csrf": csrf, "id": "bad id!", "title_en": "T"})
    assert re.search(r'id="err-id" data-field="id">', bad_id.text)
    bad_year = c.post(
        "/admin/works", data={"csrf": csrf, "id": "w-admin-3", "title_en": "T", "begin_year": "c."}
    )
    assert bad_year.status_code == 422 and 'data-field="begin_year"' in bad_year.text
    dup = c.post("/admin/works", data={"csrf": csrf, "id": "nt-097", "title_en": "T"})
    assert dup.status_code == 422 and 'data-field="id"' in dup.text and "already exists" in dup.text


def test_hostile_text_is_escaped_in_html_and_json_ld(c, curator_token):
    evil = '</script><script>alert(1)</script><b onmouseover="x">'
    csrf = logged_in(c, curator_token)
    r = c.post("/admin/works", data={"csrf": csrf, "id": "w-evil", "title_en": evil, "description_en": evil})
    assert r.status_code == 200
    page = c.get("/page/work/w-evil", params={"lang": "en"}).text
    assert "<script>alert(1)" not in page and "<b onmouseover" not in page
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["name"][0]["@value"] == evil


def test_json_ld_script_cannot_close_its_element():
    text = json_ld_script({"name": "</script><!-- x"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"name": "</script><!-- x"}


def test_logout_needs_csrf_and_clears_the_session(c, curator_token):
    csrf = logged_in(c, curator_token)
    assert c.post("/admin/logout", data={"csrf": "nope"}).status_code == 403
    r = c.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    c.cookies.clear()
    assert 'id="login-form"' in c.get("/admin").text
