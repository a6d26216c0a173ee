"""The demo collection (Works with image Instances and PNG Items, one project) through the
provider: every page of both formats valid, WebResources included, the project set complete."""

from __future__ import annotations

from tests.api.oai.conftest import NS, error_code, valid


def test_demo_collection_harvests_valid_in_both_formats(demo_api, schemas) -> None:
    works = {c.id for c in demo_api.ctx.records.changes(kind="work") if not c.deleted}
    for prefix in ("edm", "oai_dc"):
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        seen: list[str] = []
        while True:
            doc = valid(schemas, demo_api.client.get("/oai", params=params).content, prefix)
            assert error_code(doc) is None
            seen += [
                i.rsplit(":", 1)[-1] for i in doc.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
            ]
            if prefix == "edm":
                assert doc.xpath("//edm:WebResource", namespaces=NS), "the PNG Items are WebResources"
            token = doc.findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS)
            if not token:
                break
            params = {"verb": "ListRecords", "resumptionToken": token}
        assert sorted(seen) == sorted(works)
    doc = valid(
        schemas,
        demo_api.client.get(
            "/oai",
            params={"verb": "ListIdentifiers", "metadataPrefix": "edm", "set": "project:proj-gigapixel-2023"},
        ).content,
    )
    assert len(doc.findall(".//oai:header", NS)) == len(works)
