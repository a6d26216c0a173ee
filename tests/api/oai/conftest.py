"""OAI-PMH fixtures: XSD validators (envelope + payload in one pass), a small collection written
through the record layer, and helpers to read responses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.api.conftest import Api, _api
from tests.shared_paths import VOCAB_DIR, require_shared

REPO = Path(__file__).resolve().parents[3]
OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "edm": "http://www.europeana.eu/schemas/edm/",
}
MUSEUMS = ("National Museum of Korea", "Gyeongju National Museum")
TYPES = ("ceramics", "crown", "bell")


def _wrapper(tmp: Path, name: str, payload_ns: str, payload_xsd: Path) -> etree.XMLSchema:
    """One schema = the official OAI-PMH XSD + the payload's XSD, so that the envelope's
    ``processContents="strict"`` metadata is checked too."""
    text = f"""<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hg:test:{name}">
  <import namespace="{OAI}" schemaLocation="{(VOCAB_DIR / "oai-pmh" / "OAI-PMH.xsd").as_uri()}"/>
  <import namespace="{payload_ns}" schemaLocation="{payload_xsd.as_uri()}"/>
</schema>"""
    path = tmp / f"{name}.xsd"
    path.write_text(text)
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def schemas(tmp_path_factory) -> dict[str, etree.XMLSchema]:
    """``oai_dc``: envelope + oai_dc (also used for responses without metadata); ``edm``:
    envelope + the Europeana EDM XSD. Two schemas because both payload XSDs declare ``dc``."""
    require_shared(VOCAB_DIR / "oai-pmh" / "OAI-PMH.xsd")
    require_shared(VOCAB_DIR / "edm" / "xsd" / "EDM.xsd")
    tmp = tmp_path_factory.mktemp("oai-xsd")
    return {
        "oai_dc": _wrapper(tmp, "dc", NS["oai_dc"], REPO / "mappings" / "schemas" / "oai_dc.xsd"),
        "edm": _wrapper(tmp, "edm", NS["rdf"], VOCAB_DIR / "edm" / "xsd" / "EDM.xsd"),
    }


def valid(schemas: dict[str, etree.XMLSchema], body: bytes, prefix: str = "oai_dc") -> etree._Element:
    """Parse a response and assert it is valid against the OAI-PMH XSD (and the payload's)."""
    doc = etree.fromstring(body)
    schema = schemas[prefix]
    assert schema.validate(doc), schema.error_log.last_error
    return doc


def error_code(doc: etree._Element) -> str | None:
    err = doc.find("oai:error", NS)
    return err.get("code") if err is not None else None


def work(ident: str, n: int, **extra) -> dict:
    return {
        "kind": "work",
        "id": ident,
        "title": {"en": f"Test work {n}", "ko": f"시험 유물 {n}"},
        "object_type": [TYPES[n % len(TYPES)]],
        "museum": MUSEUMS[n % len(MUSEUMS)],
        "material": ["gilt bronze"],
        "era": ["Three Kingdoms"],
        "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
        **extra,
    }


def put(api: Api, records: list[dict]) -> None:
    result = api.ctx.records.put(records)
    assert not result.rejected, result.rejected


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Api]:
    """An app over 12 Works (2 museums, 3 types) and one project with an Instance of w-00."""
    for api in _api(tmp_path, oai_page_size=5):
        put(api, [work(f"w-{n:02d}", n) for n in range(12)])
        put(
            api,
            [
                {"kind": "project", "id": "scan-2024", "title": {"en": "3D scan campaign 2024"}},
                {"kind": "instance", "id": "w-00-scan", "title": {"en": "Scan of w-00"},
                 "represents": "w-00", "produced_by": "scan-2024", "instance_type": "3d-model"},
            ],
        )  # fmt: skip
        yield api
