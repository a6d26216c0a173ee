"""Every OAI-PMH error code, each response valid against the XSD, and the server still answering
afterwards."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.conftest import _api
from tests.api.oai.conftest import NS, error_code, put, valid, work

ID = "oai:127.0.0.1:w-01"


def ask(api, schemas, query: str):
    resp = api.client.get(f"/oai?{query}")
    assert resp.status_code == 200
    return valid(schemas, resp.content)


def check(api, schemas, query: str, code: str, bare: bool = False) -> None:
    doc = ask(api, schemas, query)
    assert error_code(doc) == code, query
    request = doc.find("oai:request", NS)
    assert request.text == "http://testserver/oai"
    if bare:  # after badVerb / badArgument only the base URL is echoed
        assert dict(request.attrib) == {}
    # the server stays up
    assert error_code(ask(api, schemas, "verb=Identify")) is None


@pytest.mark.parametrize(
    "query",
    ["", "verb=Explode", "verb=Identify&verb=Identify", "verb=identify", "verb="],
    ids=["missing", "unknown", "repeated", "wrong-case", "empty"],
)
def test_bad_verb(small, schemas, query) -> None:
    check(small, schemas, query, "badVerb", bare=True)


@pytest.mark.parametrize(
    "query",
    [
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",  # repeated argument
        "verb=ListRecords&metadataPrefix=oai_dc&set=type:crown&set=type:bell",
        "verb=ListRecords",  # missing metadataPrefix
        "verb=GetRecord&metadataPrefix=oai_dc",  # missing identifier
        "verb=Identify&identifier=x",  # argument the verb does not take
        "verb=ListRecords&metadataPrefix=oai_dc&colour=red",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-45",
        "verb=ListRecords&metadataPrefix=oai_dc&from=yesterday",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00",  # no Z
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01",
        "verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc",  # the token is exclusive
        "verb=ListRecords&metadataPrefix=oai_dc&set=not%20a%20set",
        "verb=ListRecords&metadataPrefix=oai%20dc",  # not even a metadataPrefix
    ],
)
def test_bad_argument(small, schemas, query) -> None:
    check(small, schemas, query, "badArgument", bare=True)


def _first_token(api, schemas, verb: str = "ListIdentifiers") -> str:
    doc = ask(api, schemas, f"verb={verb}&metadataPrefix=oai_dc")
    return doc.find(f"oai:{verb}/oai:resumptionToken", NS).text


def test_bad_resumption_token(small, schemas) -> None:
    check(small, schemas, "verb=ListIdentifiers&resumptionToken=forged", "badResumptionToken")
    token = _first_token(small, schemas)
    body, _dot, sig = token.partition(".")
    # tampered: a valid-looking payload with a different cursor keeps the old signature
    state = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    state["sent"] = 0
    state["after_id"] = "w-00"
    forged = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=") + "." + sig
    check(small, schemas, f"verb=ListIdentifiers&resumptionToken={forged}", "badResumptionToken")
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
    check(small, schemas, f"verb=ListIdentifiers&resumptionToken={flipped}", "badResumptionToken")
    # a ListIdentifiers token is not a ListRecords token
    check(small, schemas, f"verb=ListRecords&resumptionToken={token}", "badResumptionToken")
    check(small, schemas, "verb=ListSets&resumptionToken=anything", "badResumptionToken")
    # the genuine token still works
    doc = ask(small, schemas, f"verb=ListIdentifiers&resumptionToken={token}")
    assert error_code(doc) is None


def test_cannot_disseminate_format(small, schemas) -> None:
    check(small, schemas, f"verb=GetRecord&identifier={ID}&metadataPrefix=marc21", "cannotDisseminateFormat")
    check(small, schemas, "verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat")
    check(small, schemas, "verb=ListIdentifiers&metadataPrefix=mods", "cannotDisseminateFormat")


def test_id_does_not_exist(small, schemas) -> None:
    check(
        small, schemas, "verb=GetRecord&identifier=oai:127.0.0.1:nope&metadataPrefix=oai_dc", "idDoesNotExist"
    )
    check(
        small,
        schemas,
        "verb=GetRecord&identifier=oai:elsewhere.org:w-01&metadataPrefix=oai_dc",
        "idDoesNotExist",
    )
    check(small, schemas, "verb=ListMetadataFormats&identifier=oai:127.0.0.1:nope", "idDoesNotExist")
    check(
        small, schemas, "verb=GetRecord&identifier=not%20a%20uri%3C%3E&metadataPrefix=edm", "idDoesNotExist"
    )
    # a Project is a record but not an OAI item
    check(
        small,
        schemas,
        "verb=GetRecord&identifier=oai:127.0.0.1:scan-2024&metadataPrefix=oai_dc",
        "idDoesNotExist",
    )


def test_no_records_match(small, schemas) -> None:
    check(small, schemas, "verb=ListRecords&metadataPrefix=oai_dc&until=1999-12-31", "noRecordsMatch")
    check(small, schemas, "verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch")
    check(small, schemas, "verb=ListIdentifiers&metadataPrefix=edm&set=museum:louvre", "noRecordsMatch")


def test_no_metadata_formats_for_a_deleted_item(small, schemas) -> None:
    small.ctx.records.delete("w-01", "work")
    check(small, schemas, f"verb=ListMetadataFormats&identifier={ID}", "noMetadataFormats")


def test_no_set_hierarchy_when_sets_are_switched_off(tmp_path, schemas) -> None:
    for api in _api(tmp_path, oai_sets=False):
        put(api, [work("w-01", 1)])
        check(api, schemas, "verb=ListSets", "noSetHierarchy")
        check(api, schemas, "verb=ListRecords&metadataPrefix=oai_dc&set=type:crown", "noSetHierarchy")
        doc = ask(api, schemas, "verb=ListIdentifiers&metadataPrefix=oai_dc")
        assert doc.find(".//oai:header/oai:setSpec", NS) is None  # headers carry no sets either
