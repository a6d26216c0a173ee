"""Crosswalk in: ``oai_dc`` (from a harvest or a file) → a work record dict.

Simple DC is flat text, so values go to the record's text-or-label fields and the concept resolver
matches labels (e.g. ``dc:type`` "Ceramics" → ``hgs:type/ceramics``). Untrusted input goes through
``xml_safety``.
"""

from __future__ import annotations

import re

from lxml import etree

from kg.errors import ParseError
from mappings.dc import DC, OAI_DC
from mappings.xml_safety import parse_xml

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def dc_to_record(data: bytes | etree._Element, record_id: str | None = None, name: str = "oai_dc") -> dict:
    """A work record dict from an ``oai_dc:dc`` document or element."""
    root = data if isinstance(data, etree._Element) else parse_xml(data, name)
    if root.tag != f"{{{OAI_DC}}}dc":
        found = root.find(f".//{{{OAI_DC}}}dc")
        if found is None:
            raise ParseError(f"{name}: no oai_dc:dc element")
        root = found
    values: dict[str, list[tuple[str, str | None]]] = {}
    for el in root:
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace != DC:
            raise ParseError(
                f"{name}: unknown namespace {qname.namespace!r} in oai_dc (line {el.sourceline})"
            )
        if el.text and el.text.strip():
            values.setdefault(qname.localname, []).append((el.text.strip(), el.get(XML_LANG)))
    idents = [t for t, _ in values.get("identifier", [])]
    urls = [t for t in idents if t.startswith(("http://", "https://"))]
    plain = [t for t in idents if t not in urls]
    source = next((t for t, _ in values.get("source", [])), None)
    ident = (
        record_id
        or (source.rstrip("/").rsplit("/", 1)[-1] if source else None)
        or (plain[0] if plain else None)
    )
    if not ident:
        raise ParseError(f"{name}: no identifier to name the record")
    rec: dict = {"kind": "work", "id": _ID_SAFE.sub("-", ident).strip("-")}
    if plain:
        rec["identifier"] = plain[0]
    if len(plain) > 1:
        rec["collection_number"] = plain[1]
    if urls:
        rec["source_url"] = urls[0]
    for field, element in (("title", "title"), ("description", "description")):
        if values.get(element):
            rec[field] = {lang or "en": text for text, lang in values[element]}
    simple = {"creator": "creators", "subject": "theme", "type": "object_type"}
    for element, field in simple.items():
        if values.get(element):
            rec[field] = [t for t, lang in values[element] if lang in (None, "en")] or [values[element][0][0]]
    if values.get("coverage"):  # our export writes the era first; places follow and are not recoverable
        rec["era"] = [values["coverage"][0][0]]
    if values.get("publisher"):
        rec["museum"] = values["publisher"][0][0]
    if values.get("date"):
        rec["date_statement"] = values["date"][0][0]
    if values.get("format"):
        rec["material_statement"] = values["format"][0][0]
    for text, _ in values.get("rights", []):
        if text.startswith(("http://", "https://")):
            rec["rights"] = text
        else:
            rec["rights_statement"] = text
    return rec
