"""A small read-only index over record quads, shared by the export crosswalks.

Why: every exporter asks the same questions ("the Work in these quads", "its titles by language",
"the labels of this concept"), and answering them from one dict index keeps the crosswalks pure
functions of their input quads, with no store access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

HG = "https://w3id.org/heritage-graph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
HGS = "https://w3id.org/heritage-graph/scheme/"


class GraphView:
    """subject → predicate → objects, over record quads plus reference quads (schemes)."""

    def __init__(
        self, quads: Iterable[ox.Quad | ox.Triple], reference: Iterable[ox.Quad | ox.Triple] = ()
    ) -> None:
        self.index: dict[str, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        for q in [*quads, *reference]:
            bucket = self.index[q.subject.value][q.predicate.value]
            if q.object not in bucket:
                bucket.append(q.object)

    def objects(self, subject: str, prop: str) -> list[ox.Term]:
        """Objects of ``subject``; ``prop`` is a full IRI or an hg: local name."""
        return list(self.index.get(subject, {}).get(prop if ":" in prop else HG + prop, []))

    def value(self, subject: str, prop: str) -> str | None:
        found = self.objects(subject, prop)
        return found[0].value if found else None

    def of_type(self, local: str) -> list[str]:
        """Subjects typed ``hg:{local}``, sorted for stable output."""
        return sorted(
            s
            for s, props in self.index.items()
            if any(o.value == HG + local for o in props.get(RDF_TYPE, []))
        )

    def subjects_with(self, prop: str, obj: str) -> list[str]:
        full = prop if ":" in prop else HG + prop
        return sorted(
            s for s, props in self.index.items() if any(o.value == obj for o in props.get(full, []))
        )

    def langs(self, subject: str, prop: str) -> list[tuple[str, str | None]]:
        """(text, language) pairs of a literal-valued property."""
        return [(o.value, o.language) for o in self.objects(subject, prop) if isinstance(o, ox.Literal)]

    def labels(self, iri: str) -> list[tuple[str, str | None]]:
        """prefLabels (concepts) or rdfs:labels (agents), else the IRI's last segment."""
        found = self.langs(iri, SKOS + "prefLabel") or self.langs(iri, RDFS_LABEL)
        return found or [(iri.rstrip("/").rsplit("/", 1)[-1], None)]

    def label(self, iri: str, lang: str = "en") -> str:
        pairs = self.labels(iri)
        return next((t for t, lg in pairs if lg == lang), pairs[0][0])


def scheme_of(iri: str) -> str | None:
    """The scheme a concept IRI belongs to: ``hgs:{scheme}/{slug}`` or local ``.../id/concept/{scheme}-{slug}``."""
    if iri.startswith(HGS):
        return iri[len(HGS) :].split("/", 1)[0]
    if "/id/concept/" in iri:
        local = iri.rsplit("/id/concept/", 1)[1]
        for scheme in ("project-type", "instance-type", "era", "material", "use", "type", "culture", "place"):
            if local.startswith(scheme + "-"):
                return scheme
    return None


def dimension_texts(view: GraphView, work: str) -> list[str]:
    """Structured dimensions as texts (``height: 93.5 cm``): EDM's ``dcterms:extent`` (parsed back by
    ``edm_in``) and BIBFRAME's ``bf:dimensions`` have no structured form."""
    out = []
    for node in view.objects(work, "dimension"):
        dtype, value = view.value(node.value, "dimensionType"), view.value(node.value, "value")
        if dtype and value:
            out.append(f"{dtype}: {value} {view.value(node.value, 'unit') or 'cm'}")
    return sorted(out)
