"""Revoking a token ends the admin-console sessions made with it at once, through the CLI; other
people's sessions go on. Before, a session outlived its token by up to its 8-hour lifetime."""

from __future__ import annotations

from typer.testing import CliRunner

from heritage.cli import app as cli
from kg.tokens import create_token
from tests.web.test_admin import csrf_of, logged_in


def _can_register(client, csrf: str, ident: str) -> int:
    r = client.post(
        "/admin/works", data={"csrf": csrf, "id": ident, "title_en": "A test work"}, follow_redirects=False
    )
    return r.status_code


def test_revoked_token_ends_its_session_and_only_its_own(client, data_dir):
    runner = CliRunner()
    leaving = create_token(data_dir, "curator", "leaving-registrar")
    staying = create_token(data_dir, "curator", "staying-registrar")
    client.cookies.clear()
    csrf_leaving = logged_in(client, leaving)
    cookie_leaving = dict(client.cookies)
    client.cookies.clear()
    csrf_staying = logged_in(client, staying)
    cookie_staying = dict(client.cookies)

    listed = runner.invoke(cli, ["token", "list", "--data", str(data_dir)])
    assert listed.exit_code == 0 and "leaving-registrar\tcurator" in listed.output
    assert "hg_" not in listed.output and "sha256" not in listed.output  # nothing secret is printed

    out = runner.invoke(cli, ["token", "revoke", "--name", "leaving-registrar", "--data", str(data_dir)])
    assert out.exit_code == 0 and "1 token(s)" in out.output

    client.cookies.clear()
    client.cookies.update(cookie_leaving)
    assert 'id="login-form"' in client.get("/admin").text  # logged out
    assert _can_register(client, csrf_leaving, "w-after-revoke") == 403
    assert client.get("/api/works/w-after-revoke", headers={"accept": "application/json"}).status_code == 404
    assert client.post("/admin/login", data={"token": leaving}, follow_redirects=False).status_code == 403

    client.cookies.clear()
    client.cookies.update(cookie_staying)
    assert csrf_of(client.get("/admin").text) == csrf_staying
    assert _can_register(client, csrf_staying, "w-still-allowed") in (200, 303)
    client.cookies.clear()

    missing = runner.invoke(cli, ["token", "revoke", "--name", "nobody", "--data", str(data_dir)])
    assert missing.exit_code != 0 and "nobody" in missing.output
