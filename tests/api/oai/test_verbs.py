"""The six OAI-PMH verbs over a small collection: XSD-valid responses, formats, sets, dates,
paging, deleted records."""

from __future__ import annotations

import time

from tests.api.oai.conftest import NS, error_code, put, valid, work


def get(api, **params) -> bytes:
    resp = api.client.get("/oai", params=params)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/xml")
    return resp.content


def harvest(api, schemas, verb: str = "ListIdentifiers", prefix: str = "oai_dc", **params):
    """Follow resumption tokens to the end; (headers, pages, token elements)."""
    doc = valid(schemas, get(api, verb=verb, metadataPrefix=prefix, **params), prefix)
    headers, tokens, pages = [], [], 0
    while True:
        pages += 1
        assert error_code(doc) is None, etree_text(doc)
        headers += doc.findall(f".//oai:{verb}//oai:header", NS)
        token = doc.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None:
            return headers, pages, tokens
        tokens.append(token)
        if not token.text:
            return headers, pages, tokens
        doc = valid(schemas, get(api, verb=verb, resumptionToken=token.text), prefix)


def etree_text(doc) -> str:
    from lxml import etree

    return etree.tostring(doc).decode()


def ids(headers) -> list[str]:
    return [h.findtext("oai:identifier", namespaces=NS).rsplit(":", 1)[-1] for h in headers]


def test_identify(small, schemas) -> None:
    doc = valid(schemas, get(small, verb="Identify"))
    ident = doc.find("oai:Identify", NS)
    assert ident.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert ident.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = ident.findtext("oai:earliestDatestamp", namespaces=NS)
    first = min(c.datestamp for c in small.ctx.records.changes(kind="work"))
    assert earliest == first.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc.find("oai:request", NS).get("verb") == "Identify"


def test_list_metadata_formats(small, schemas) -> None:
    for params in ({}, {"identifier": "oai:127.0.0.1:w-03"}):
        doc = valid(schemas, get(small, verb="ListMetadataFormats", **params))
        prefixes = doc.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc", "edm"]


def test_list_sets_by_museum_type_and_project(small, schemas) -> None:
    doc = valid(schemas, get(small, verb="ListSets"))
    specs = doc.xpath("//oai:setSpec/text()", namespaces=NS)
    assert {"museum", "type", "project"} <= set(specs)
    assert "museum:national-museum-of-korea" in specs
    assert "museum:gyeongju-national-museum" in specs
    assert {"type:ceramics", "type:crown", "type:bell"} <= set(specs)
    assert "project:scan-2024" in specs
    names = doc.xpath("//oai:set[oai:setSpec='project:scan-2024']/oai:setName/text()", namespaces=NS)
    assert names == ["project: 3D scan campaign 2024"]


def test_list_identifiers_pages_every_work_once_with_size_and_cursor(small, schemas) -> None:
    headers, pages, tokens = harvest(small, schemas)
    assert sorted(ids(headers)) == [f"w-{n:02d}" for n in range(12)]
    assert pages == 3  # page size 5
    assert [t.get("cursor") for t in tokens] == ["0", "5", "10"]
    assert {t.get("completeListSize") for t in tokens} == {"12"}
    assert tokens[-1].text is None  # an empty token closes the list
    by_id = dict(zip(ids(headers), headers, strict=True))
    assert by_id["w-02"].find("oai:datestamp", NS).text.endswith("Z")
    assert by_id["w-02"].xpath("oai:setSpec/text()", namespaces=NS) == [
        "museum:national-museum-of-korea",
        "type:bell",
    ]
    # w-00's Instance was written after it: the Work's datestamp is the later one, so it comes last
    assert ids(headers)[-1] == "w-00"


def test_list_records_oai_dc_and_edm_validate(small, schemas) -> None:
    for prefix in ("oai_dc", "edm"):
        headers, _pages, _tokens = harvest(small, schemas, "ListRecords", prefix)
        assert len(headers) == 12
    doc = valid(schemas, get(small, verb="ListRecords", metadataPrefix="edm"), "edm")
    chos = doc.xpath("//oai:metadata/rdf:RDF/edm:ProvidedCHO/@rdf:about", namespaces=NS)
    assert len(chos) == 5 and all("/id/work/w-" in c for c in chos)
    doc = valid(schemas, get(small, verb="ListRecords", metadataPrefix="oai_dc"), "oai_dc")
    titles = doc.xpath("//oai_dc:dc/dc:title[@xml:lang='ko']/text()", namespaces=NS)
    assert len(titles) == 5 and all(t.startswith("시험 유물") for t in titles)


def test_get_record_in_both_formats(small, schemas) -> None:
    doc = valid(
        schemas, get(small, verb="GetRecord", identifier="oai:127.0.0.1:w-00", metadataPrefix="edm"), "edm"
    )
    assert doc.xpath("//edm:ProvidedCHO/@rdf:about", namespaces=NS) == ["http://127.0.0.1:8000/id/work/w-00"]
    specs = doc.xpath("//oai:header/oai:setSpec/text()", namespaces=NS)
    assert specs == ["museum:national-museum-of-korea", "project:scan-2024", "type:ceramics"]
    assert doc.xpath("//edm:ProvidedCHO/edm:type/text()", namespaces=NS) == ["3D"]  # from the Instance
    doc = valid(
        schemas, get(small, verb="GetRecord", identifier="oai:127.0.0.1:w-01", metadataPrefix="oai_dc")
    )
    assert doc.xpath("//dc:title[@xml:lang='en']/text()", namespaces=NS) == ["Test work 1"]


def test_selective_harvest_by_set(small, schemas) -> None:
    headers, _p, _t = harvest(small, schemas, set="museum:gyeongju-national-museum")
    assert sorted(ids(headers)) == [f"w-{n:02d}" for n in range(1, 12, 2)]
    headers, _p, _t = harvest(small, schemas, set="type:crown")
    assert sorted(ids(headers)) == [f"w-{n:02d}" for n in range(1, 12, 3)]
    headers, _p, _t = harvest(small, schemas, set="project:scan-2024")
    assert ids(headers) == ["w-00"]
    headers, _p, _t = harvest(small, schemas, set="museum")  # the top-level set: all with a museum
    assert len(headers) == 12


def test_from_until_at_second_and_day_granularity(small, schemas) -> None:
    time.sleep(1.1)
    put(small, [work("late", 99)])
    late = next(c for c in small.ctx.records.changes(kind="work") if c.id == "late").datestamp
    second = late.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers, _p, _t = harvest(small, schemas, **{"from": second})
    assert ids(headers) == ["late"]
    headers, _p, _t = harvest(small, schemas, until=second)
    assert "late" in ids(headers) and len(headers) == 13  # until is inclusive of its second
    older = [c for c in small.ctx.records.changes(kind="work") if c.id == "w-00"][0].datestamp
    headers, _p, _t = harvest(small, schemas, until=older.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert "late" not in ids(headers) and "w-00" in ids(headers)
    day = late.strftime("%Y-%m-%d")
    headers, _p, _t = harvest(small, schemas, **{"from": day, "until": day})
    assert len(headers) == 13
    doc = valid(schemas, get(small, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01"))
    assert error_code(doc) == "noRecordsMatch"


def test_deleted_records_persist_with_status(small, schemas) -> None:
    small.ctx.records.delete("w-04", "work")
    headers, _p, _t = harvest(small, schemas, "ListRecords", "edm")
    deleted = [h for h in headers if h.get("status") == "deleted"]
    assert ids(deleted) == ["w-04"]
    assert deleted[0].find("oai:setSpec", NS) is None
    assert deleted[0].getparent().find("oai:metadata", NS) is None
    assert len(headers) == 12
    doc = valid(
        schemas, get(small, verb="GetRecord", identifier="oai:127.0.0.1:w-04", metadataPrefix="oai_dc")
    )
    assert doc.find(".//oai:header", NS).get("status") == "deleted"
    assert doc.find(".//oai:metadata", NS) is None
    # a deleted Work's sets are unknown: selective harvests report its deletion in every set
    for spec in ("museum", "type:crown", "project:scan-2024"):
        headers, _p, _t = harvest(small, schemas, set=spec)
        assert [h.get("status") for h in headers if ids([h]) == ["w-04"]] == ["deleted"]


def test_post_is_accepted(small, schemas) -> None:
    resp = small.client.post(
        "/oai",
        content="verb=GetRecord&identifier=oai%3A127.0.0.1%3Aw-02&metadataPrefix=oai_dc",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    doc = valid(schemas, resp.content)
    assert doc.xpath("//dc:title[@xml:lang='en']/text()", namespaces=NS) == ["Test work 2"]


def test_awkward_text_and_hangul_museums_stay_valid(small, schemas) -> None:
    put(small, [work("odd", 3, title={"en": 'A <b>&"bold"</b> hg-oai-0-0 title'}, museum="국립경주박물관")])
    doc = valid(
        schemas, get(small, verb="GetRecord", identifier="oai:127.0.0.1:odd", metadataPrefix="edm"), "edm"
    )
    assert doc.xpath("//edm:ProvidedCHO/dc:title/text()", namespaces=NS) == [
        'A <b>&"bold"</b> hg-oai-0-0 title'
    ]
    sets = valid(schemas, get(small, verb="ListSets"))
    spec = sets.xpath("//oai:set[oai:setName='museum: 국립경주박물관']/oai:setSpec/text()", namespaces=NS)
    assert len(spec) == 1 and spec[0].startswith("museum:")
    headers, _p, _t = harvest(small, schemas, set=spec[0])
    assert ids(headers) == ["odd"]


def test_rendered_metadata_follows_changes_to_the_work_and_its_instances(small, schemas) -> None:
    def edm_type() -> list[str]:
        doc = valid(
            schemas,
            get(small, verb="GetRecord", identifier="oai:127.0.0.1:w-00", metadataPrefix="edm"),
            "edm",
        )
        return doc.xpath("//edm:ProvidedCHO/edm:type/text()", namespaces=NS)

    assert edm_type() == ["3D"]
    assert edm_type() == ["3D"]  # second time from the cache
    instance = small.ctx.records.get("w-00-scan")
    time.sleep(1.1)
    put(small, [{**instance, "instance_type": "image"}])  # only the Instance changes
    assert edm_type() == ["IMAGE"]
    # ... and the Work's datestamp moves with it, so incremental harvests see the change
    changed = next(c for c in small.ctx.records.changes(kind="instance") if c.id == "w-00-scan").datestamp
    headers, _p, _t = harvest(small, schemas, **{"from": changed.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert ids(headers) == ["w-00"]
    put(small, [work("w-00", 0, title={"en": "Renamed"})])
    doc = valid(
        schemas, get(small, verb="GetRecord", identifier="oai:127.0.0.1:w-00", metadataPrefix="oai_dc")
    )
    assert doc.xpath("//dc:title/text()", namespaces=NS) == ["Renamed"]
