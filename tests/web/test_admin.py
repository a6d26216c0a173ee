"""The admin console through the real app: token login to a signed session cookie, CSRF on
every form, registration and editing of all four layers with validation errors shown beside their
fields, the upload history, and escaping."""

from __future__ import annotations

import io
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
    assert re.search(
        r'class="error" id="err-title_en" data-field="title">[^<]*title is required', missing_title.text
    )
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


def errors_of(text: str) -> dict[str, str]:
    """field → error message as rendered beside each input."""
    return dict(re.findall(r'<span class="error" id="err-[^"]+" data-field="([^"]+)">([^<]*)</span>', text))


def test_register_a_project_an_instance_and_an_item(c, curator_token):
    csrf = logged_in(c, curator_token)
    records = c.app.state.ctx.records
    project = {"csrf": csrf, "id": "p-admin-1", "title_en": "Survey 2026", "start_date": "2026-01-05"}
    r = c.post("/admin/projects", data=project)
    assert r.status_code == 200, errors_of(r.text)
    assert records.get("p-admin-1", "project")["start_date"] == "2026-01-05"
    instance = {
        "csrf": csrf,
        "id": "i-admin-1",
        "title_en": "Photograph",
        "represents": "nt-097",
        "produced_by": "p-admin-1",
    }
    r = c.post("/admin/instances", data=instance)
    assert r.status_code == 200, errors_of(r.text)
    stored = records.get("i-admin-1", "instance")
    assert stored["represents"] == "nt-097" and stored["produced_by"] == "p-admin-1"
    item = {
        "csrf": csrf,
        "id": "it-admin-1",
        "part_of": "i-admin-1",
        "file_name": "front.tif",
        "media_type": "image/tiff",
        "file_format": "TIFF",
        "byte_size": "2048",
    }
    r = c.post("/admin/items", data=item)
    assert r.status_code == 200, errors_of(r.text)
    got = records.get("it-admin-1", "item")
    assert (got["part_of"], got["file_name"], got["byte_size"]) == ("i-admin-1", "front.tif", 2048)
    assert 'href="/admin/edit/item/it-admin-1"' in r.text  # in the recent-records list


def test_invalid_layers_are_refused_beside_the_field_and_not_stored(c, curator_token):
    csrf = logged_in(c, curator_token)
    records = c.app.state.ctx.records
    r = c.post("/admin/projects", data={"csrf": csrf, "id": "p-bad"})
    assert r.status_code == 422 and "title is required" in errors_of(r.text)["title"]
    r = c.post(
        "/admin/instances", data={"csrf": csrf, "id": "i-bad", "title_en": "x", "represents": "no-such-work"}
    )
    assert r.status_code == 422 and "must be a Work" in errors_of(r.text)["represents"]
    r = c.post("/admin/instances", data={"csrf": csrf, "id": "i-bad", "title_en": "x"})
    assert r.status_code == 422 and "represents" in errors_of(r.text)
    r = c.post(
        "/admin/items",
        data={"csrf": csrf, "id": "it-bad", "part_of": "inst-nt-097-image", "media_type": "png"},
    )
    assert r.status_code == 422 and set(errors_of(r.text)) == {"media_type"}
    assert 'value="png"' in r.text  # what was typed is kept
    r = c.post(
        "/admin/items", data={"csrf": csrf, "id": "it-bad", "part_of": "inst-nt-097-image", "byte_size": "1k"}
    )
    assert r.status_code == 422 and "byte_size" in errors_of(r.text)
    assert not any(records.exists(i) for i in ("p-bad", "i-bad", "it-bad"))


def test_edit_a_work_keeps_what_the_form_does_not_show(c, curator_token):
    csrf = logged_in(c, curator_token)
    records = c.app.state.ctx.records
    before = records.get("nt-097", "work")
    page = c.get("/admin/edit/work/nt-097")
    assert page.status_code == 200 and 'action="/admin/edit/work/nt-097"' in page.text
    form = dict(re.findall(r'<input type="[a-z]+" name="([a-z_]+)" value="([^"]*)"', page.text))
    assert form["title_en"] == before["title"]["en"]
    assert form["era"] == "Goryeo" and form["id"] == "nt-097"  # concepts shown by their label
    form.update(csrf=csrf, title_en="Renamed by the admin test")
    r = c.post("/admin/edit/work/nt-097", data=form)
    assert r.status_code == 200, errors_of(r.text)
    after = records.get("nt-097", "work")
    assert after["title"]["en"] == "Renamed by the admin test"
    assert after["title"].get("ko") == before["title"].get("ko")
    assert before.get("dimensions") and before.get("collection_number")  # not on the form
    for kept in ("era", "material", "museum", "begin_year", "dimensions", "collection_number"):
        assert after.get(kept) == before.get(kept), kept
    broken = dict(form, title_en="", title_ko="")
    r = c.post("/admin/edit/work/nt-097", data=broken)
    assert r.status_code == 422 and "title is required" in errors_of(r.text)["title"]
    assert records.get("nt-097", "work")["title"]["en"] == "Renamed by the admin test"


def test_edit_of_a_missing_record_is_404(c, curator_token):
    csrf = logged_in(c, curator_token)
    assert c.get("/admin/edit/work/no-such-work").status_code == 404
    assert c.post("/admin/edit/work/no-such-work", data={"csrf": csrf, "title_en": "x"}).status_code == 404
    assert not c.app.state.ctx.records.exists("no-such-work")


@pytest.mark.parametrize(
    "path",
    ["/admin/projects", "/admin/instances", "/admin/items", "/admin/edit/work/nt-083", "/admin/edit/item/x"],
)
def test_new_forms_refuse_without_a_session_or_with_a_forged_token(c, curator_token, path):
    records = c.app.state.ctx.records
    before = records.get("nt-083", "work")["title"]
    data = {
        "id": "csrf-probe",
        "title_en": "Hijacked",
        "represents": "nt-083",
        "part_of": "inst-nt-097-image",
    }
    assert c.post(path, data=dict(data, csrf="x")).status_code == 403
    logged_in(c, curator_token)
    assert c.post(path, data=dict(data, csrf="forged")).status_code == 403
    assert c.post(path, data=data).status_code == 403
    assert not records.exists("csrf-probe") and records.get("nt-083", "work")["title"] == before


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_history_lists_an_uploaded_item(c, curator_token):
    logged_in(c, curator_token)
    r = c.post(
        "/api/instances/inst-nt-097-image/files",
        params={"name": "history-probe.png"},
        content=png_bytes(),
        headers={"Authorization": f"Bearer {curator_token}", "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 201, r.text
    item = r.json()["item"]["id"]
    page = c.get("/admin").text
    table = page.split('<table id="upload-history">', 1)[1].split("</table>", 1)[0]
    first = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]  # newest first
    assert f'data-item="{item}"' in first and "history-probe.png" in first
    assert "inst-nt-097-image" in first and 'href="/page/work/nt-097"' in first


def test_hostile_text_is_escaped_in_history_and_forms(c, curator_token):
    evil = '"><script>alert(1)</script>'
    csrf = logged_in(c, curator_token)
    r = c.post(
        "/admin/items",
        data={
            "csrf": csrf,
            "id": "it-evil",
            "part_of": "inst-nt-097-image",
            "file_name": evil,
            "file_format": evil,
        },
    )
    assert r.status_code == 200, errors_of(r.text)
    page = c.get("/admin").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    r = c.post("/admin/works", data={"csrf": csrf, "id": "w-evil-2", "title_en": evil})
    assert r.status_code == 200
    form = c.get("/admin/edit/work/w-evil-2").text
    assert "<script>alert(1)" not in form and 'value="&#34;&gt;&lt;script&gt;' in form


def test_work_page_links_to_the_editor_only_with_a_session(c, curator_token):
    assert "/admin/edit/work/nt-083" not in c.get("/page/work/nt-083").text
    logged_in(c, curator_token)
    assert 'href="/admin/edit/work/nt-083"' in c.get("/page/work/nt-083").text


def test_kind_selector_shows_each_layer_form(c, curator_token):
    logged_in(c, curator_token)
    item = c.get("/admin", params={"kind": "item"}).text
    assert 'id="item-form"' in item and 'action="/admin/items"' in item and 'name="part_of"' in item
    assert 'name="represents"' not in item
    instance = c.get("/admin", params={"kind": "instance"}).text
    assert 'action="/admin/instances"' in instance and 'name="represents"' in instance
    assert 'id="work-form"' in c.get("/admin", params={"kind": "bogus"}).text
