"""The seed paper's descriptive Work attributes as ``hg:`` property names, in one place: a full
crosswalk (EDM, Linked Art) must carry them through a round trip, and the ontology must define
them. Tests add the few properties a crosswalk or the contract has beyond these."""

from __future__ import annotations

HG = "https://w3id.org/heritage-graph/ontology#"

DESCRIPTIVE = (
    "identifier",
    "title",
    "description",
    "objectType",
    "era",
    "material",
    "use",
    "culture",
    "placeOfOrigin",
    "findSpot",
    "materialStatement",
    "dateStatement",
    "beginYear",
    "endYear",
    "heldBy",
    "collectionNumber",
    "creator",
    "dimensionStatement",
    "rights",
    "rightsStatement",
    "sourceUrl",
)


def hg_iris(*names: str) -> set[str]:
    """Full IRIs of ``hg:`` property names."""
    return {HG + name for name in names}
