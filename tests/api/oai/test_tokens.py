"""Resumption tokens: they survive a server restart (stateless, signed with a key in the data
directory) and a harvest stays consistent while records change underneath it."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kg.context import HeritageContext
from kg.settings import load_settings
from tests.api.oai.conftest import NS, error_code, put, valid, work


def _page(client: TestClient, schemas, **params):
    doc = valid(schemas, client.get("/oai", params=params).content)
    assert error_code(doc) is None
    headers = doc.findall(".//oai:header", NS)
    token = doc.find(".//oai:resumptionToken", NS)
    return doc, [h.findtext("oai:identifier", namespaces=NS).rsplit(":", 1)[-1] for h in headers], token


def _rest(client: TestClient, schemas, verb: str, token) -> list[str]:
    out: list[str] = []
    while token is not None and token.text:
        _doc, got, token = _page(client, schemas, verb=verb, resumptionToken=token.text)
        out += got
    return out


def test_a_token_survives_a_server_restart(tmp_path: Path, schemas) -> None:
    settings = load_settings(tmp_path, oai_page_size=4)  # on-disk store
    ctx = HeritageContext.open(settings)
    assert not ctx.records.put([work(f"w-{n:02d}", n) for n in range(10)]).rejected
    with TestClient(create_app(settings, ctx=ctx)) as client:
        _doc, first, token = _page(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    ctx.close()

    ctx = HeritageContext.open(settings)  # a new process would see exactly this: the data dir
    with TestClient(create_app(settings, ctx=ctx)) as client:
        rest = _rest(client, schemas, "ListIdentifiers", token)
    ctx.close()
    assert sorted(first + rest) == [f"w-{n:02d}" for n in range(10)]
    assert len(first + rest) == 10


def test_records_changing_mid_harvest_are_neither_duplicated_nor_lost(small, schemas) -> None:
    client = small.client
    doc, sent, token = _page(client, schemas, verb="ListRecords", metadataPrefix="oai_dc")
    started = doc.findtext("oai:responseDate", namespaces=NS)
    assert len(sent) == 5
    time.sleep(1.1)  # changes land in a later second than the snapshot
    already, pending = sent[0], "w-11"
    assert pending not in sent
    put(small, [work(already, 0, description={"en": "edited after it was harvested"})])
    put(small, [work(pending, 11, description={"en": "edited before it was harvested"})])
    put(small, [work("w-new", 50)])
    small.ctx.records.delete("w-10", "work")
    rest = _rest(client, schemas, "ListRecords", token)
    harvested = sent + rest
    assert len(harvested) == len(set(harvested)), "a record came twice"
    unchanged = {f"w-{n:02d}" for n in range(12)} - {already, pending, "w-10"}
    assert unchanged <= set(harvested), "an unchanged record was lost"
    # what changed after the snapshot comes in the next incremental harvest, from its responseDate
    _doc, nxt, token = _page(
        client, schemas, verb="ListRecords", metadataPrefix="oai_dc", **{"from": started}
    )
    nxt += _rest(client, schemas, "ListRecords", token)
    assert {already, pending, "w-new", "w-10"} <= set(nxt)
    assert set(harvested) | set(nxt) >= {f"w-{n:02d}" for n in range(12)} | {"w-new"}


def test_complete_list_size_is_fixed_at_the_first_page(small, schemas) -> None:
    client = small.client
    _doc, _sent, token = _page(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert token.get("completeListSize") == "12"
    put(small, [work("w-extra", 70)])  # after the snapshot: not part of this list
    _doc, _sent, token = _page(client, schemas, verb="ListIdentifiers", resumptionToken=token.text)
    assert token.get("completeListSize") == "12" and token.get("cursor") == "5"
