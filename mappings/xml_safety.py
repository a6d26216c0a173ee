"""Parse untrusted XML safely: no DTDs, no entities, no network, no huge trees.

Why refuse DTDs outright instead of just not resolving entities: a harvested EDM or oai_dc record
never needs one, and refusing gives one clear error for both XXE (external entities) and
entity-expansion bombs ("billion laughs"), before any expansion happens.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from lxml import etree

from kg.errors import ParseError

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
# characters XML 1.0 cannot carry: C0 controls but tab and newlines, lone surrogates, U+FFFE/FFFF
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
REPLACEMENT = "\ufffd"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )


def refuse_dtd(data: bytes, name: str = "input") -> None:
    """Raise ``ParseError`` when the document declares a DTD or entities."""
    if _DOCTYPE.search(data):
        raise ParseError(f"{name}: XML DTD/entity declarations are refused (XXE and entity-bomb protection)")


def refuse_dtd_in_file(path: Path, name: str | None = None) -> None:
    """``refuse_dtd`` over a whole file, streamed: a DTD may follow any amount of comment, so
    checking only the head would let an entity bomb through to a parser that expands entities."""
    overlap = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            refuse_dtd(overlap + chunk, name or path.name)
            overlap = chunk[-16:]


def parse_xml(data: bytes | str, name: str = "input") -> etree._Element:
    """The root element of an untrusted XML document, or ``ParseError`` naming the problem and line."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    refuse_dtd(raw, name)
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{name}: not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None:  # belt and braces
        raise ParseError(f"{name}: XML DTDs are refused")
    return root


def xml_safe_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with every literal XML 1.0 cannot carry made safe (each such character becomes
    U+FFFD). Writes through the record layer refuse these characters, but a SPARQL Update or an
    RDF file can still store one, and one such literal must not break a whole OAI-PMH page."""
    return [
        _safe_quad(q) if isinstance(q.object, ox.Literal) and NOT_XML.search(q.object.value) else q
        for q in quads
    ]


def _safe_quad(quad: ox.Quad) -> ox.Quad:
    literal = quad.object
    value = NOT_XML.sub(REPLACEMENT, literal.value)
    if literal.language:
        safe = ox.Literal(value, language=literal.language)
    else:
        safe = ox.Literal(value, datatype=literal.datatype)
    return ox.Quad(quad.subject, quad.predicate, safe, quad.graph_name)


def xml_safe_bytes(data: bytes) -> bytes:
    """UTF-8 XML output with the characters XML 1.0 cannot carry replaced by U+FFFD (safe on
    bytes: these code units never occur inside a multi-byte UTF-8 sequence)."""
    return _NOT_XML_UTF8.sub(REPLACEMENT.encode(), data)
