"""Which standard a file to ingest is written in, and its records (EDM, oai_dc, Linked Art).

Why sniff the content instead of trusting the suffix: ``.xml`` is EDM, oai_dc or plain RDF/XML, and
``.jsonld`` is Linked Art or any JSON-LD. Files in one of the three standards go through their
crosswalk (so EDM contextual classes, WebResources and foreign concepts become our records and
concepts); anything else stays plain RDF for ``kg.ingest``. Parse errors name the file and raise
before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import ParseError
from mappings.dc import OAI_DC
from mappings.dc_in import dc_to_record
from mappings.edm import NS
from mappings.edm_in import edm_to_records
from mappings.linked_art_in import linked_art_to_record
from mappings.xml_safety import parse_xml

_XML = (".xml", ".rdf")
_JSON = (".json", ".jsonld")


def sniff_standard(path: Path) -> str | None:
    """``edm``, ``oai_dc``, ``linkedart`` or None (plain RDF or tabular), from the file's head."""
    suffix = path.suffix.lower()
    if suffix not in _XML + _JSON:
        return None
    with path.open("rb") as fh:
        head = fh.read(65536)
    if suffix in _XML:
        if NS["edm"].encode() in head and b"ProvidedCHO" in head:
            return "edm"
        if OAI_DC.encode() in head:
            return "oai_dc"
        return None
    if b"HumanMadeObject" in head and b"linked.art" in head:
        return "linkedart"
    return None


def standard_records(path: Path, standard: str, base: str) -> list[dict]:
    """Record dicts of a file in ``standard`` (EDM brings its Instances and Items along)."""
    data = path.read_bytes()
    if standard == "edm":
        return edm_to_records(data, name=path.name, surrogates=True, base=base)
    if standard == "oai_dc":
        root = parse_xml(data, path.name)
        elements = [root] if root.tag == f"{{{OAI_DC}}}dc" else list(root.iter(f"{{{OAI_DC}}}dc"))
        if not elements:
            raise ParseError(f"{path.name}: no oai_dc:dc element")
        return [dc_to_record(el, name=f"{path.name} record {n}") for n, el in enumerate(elements, 1)]
    if standard == "linkedart":
        try:
            doc = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParseError(f"{path.name}: not valid JSON: {exc}") from exc
        docs = doc if isinstance(doc, list) else [doc]
        return [linked_art_to_record(d, name=path.name) for d in docs]
    raise ParseError(f"{path.name}: unknown standard {standard!r}")
