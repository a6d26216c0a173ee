"""The OAI-PMH response envelope (lxml), in the element order the OAI-PMH XSD requires."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from lxml import etree

from api.oai_protocol import utc_seconds

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
# metadataPrefix → (schema, namespace)
FORMATS = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
    ),
    "edm": ("http://www.europeana.eu/schemas/edm/EDM.xsd", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
}


def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{OAI}}}{name}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def envelope(base_url: str, echo: dict[str, str] | None, now: datetime | None = None) -> etree._Element:
    """``OAI-PMH`` root with responseDate and request (``echo`` None: bare base URL, as the
    protocol asks after badVerb / badArgument)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    sub(root, "responseDate", utc_seconds(now or datetime.now(UTC)))
    sub(root, "request", base_url, **(echo or {}))
    return root


def error(root: etree._Element, code: str, message: str) -> None:
    sub(root, "error", message, code=code)


def header(
    parent: etree._Element, identifier: str, datestamp: datetime, specs: list[str], deleted: bool
) -> etree._Element:
    el = sub(parent, "header", status="deleted" if deleted else None)
    sub(el, "identifier", identifier)
    sub(el, "datestamp", utc_seconds(datestamp))
    for spec in specs:
        sub(el, "setSpec", spec)
    return el


def resumption(parent: etree._Element, token: str, total: int, cursor: int) -> None:
    """A token element; an empty one closes a list that took more than one page."""
    sub(parent, "resumptionToken", token, completeListSize=str(total), cursor=str(cursor))


class Payloads:
    """Metadata fragments spliced into the serialized envelope at per-response random markers
    (so no record text can imitate one)."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.parts: list[bytes] = []

    def add(self, parent: etree._Element, payload: bytes) -> None:
        sub(parent, "metadata", f"hg-oai-{self.nonce}-{len(self.parts)}")
        self.parts.append(payload)

    def splice(self, xml: bytes) -> bytes:
        pieces = re.split(rb"hg-oai-" + self.nonce.encode() + rb"-(\d+)", xml)
        for i in range(1, len(pieces), 2):
            pieces[i] = self.parts[int(pieces[i])]
        return b"".join(pieces)


def serialize(root: etree._Element, payloads: Payloads | None = None) -> bytes:
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return payloads.splice(xml) if payloads and payloads.parts else xml
