"""Resolve free-text values (a CSV cell, a form field) to SKOS concepts of the shipped schemes.

Matching is on normalised ``ko``/``en`` preferred and alternative labels and on the concept's
slug; a value no label matches becomes a locally minted concept that keeps the original text as
its label, so nothing a curator typed is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import HGS, SKOS

SCHEMES_DIR = Path(__file__).resolve().parents[1] / "ontology" / "schemes"
SCHEME_NAMES = ("era", "material", "use", "type", "culture", "place", "project-type", "instance-type")

_SKOS_PREF = ox.NamedNode(str(SKOS.prefLabel))
_SKOS_ALT = ox.NamedNode(str(SKOS.altLabel))
_SKOS_IN = ox.NamedNode(str(SKOS.inScheme))


def normalise(text: str) -> str:
    """Case-, width- and whitespace-insensitive key (NFKC folds full-width Hangul/Latin forms)."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return re.sub(r"\s+", " ", text)


def slugify(text: str) -> str:
    """An IRI-safe slug; non-Latin text (Hangul) is kept as is, since IRIs allow it."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"[^\w]+", "-", text).strip("-")
    return text[:80] or "x"


def scheme_iri(scheme: str) -> str:
    return str(HGS[scheme])


def load_scheme_quads(directory: Path = SCHEMES_DIR, graph: str | None = None) -> list[ox.Quad]:
    """All quads of the shipped SKOS schemes (Turtle files), in ``graph`` or the default graph."""
    graph_name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    quads: list[ox.Quad] = []
    for path in sorted(directory.glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph_name))
    return quads


@dataclass
class ConceptResolver:
    """Label → concept IRI per scheme, built once from the scheme quads."""

    base: str
    _index: dict[str, dict[str, str]] = field(default_factory=dict)
    _scheme_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_quads(cls, base: str, quads: Iterable[ox.Quad]) -> ConceptResolver:
        resolver = cls(base=base.rstrip("/"))
        labels: list[tuple[str, str, int]] = []
        for quad in quads:
            subject = quad.subject.value
            if quad.predicate == _SKOS_IN:
                resolver._scheme_of[subject] = quad.object.value
            elif quad.predicate == _SKOS_PREF:
                labels.append((subject, quad.object.value, 0))
            elif quad.predicate == _SKOS_ALT:
                labels.append((subject, quad.object.value, 1))
        # preferred labels win over alternative ones when two concepts share a string
        for subject, text, _rank in sorted(labels, key=lambda x: x[2]):
            scheme = resolver._scheme_of.get(subject)
            if scheme is None:
                continue
            name = scheme.rsplit("/", 1)[-1]
            index = resolver._index.setdefault(name, {})
            index.setdefault(normalise(text), subject)
            index.setdefault(normalise(subject.rsplit("/", 1)[-1]), subject)
        return resolver

    def lookup(self, scheme: str, value: str) -> str | None:
        """The concept IRI for ``value`` in ``scheme``, or None when no label matches."""
        if value.startswith(("http://", "https://")):
            return value
        return self._index.get(scheme, {}).get(normalise(value))

    def local_concept_iri(self, scheme: str, value: str) -> str:
        return f"{self.base}/id/concept/{scheme}-{slugify(value)}"

    def resolve(self, scheme: str, value: str) -> tuple[str, bool]:
        """(IRI, is_local): a scheme concept when a label matches, else a minted local concept."""
        found = self.lookup(scheme, value)
        if found:
            return found, False
        return self.local_concept_iri(scheme, value), True

    def is_known(self, iri: str) -> bool:
        return iri in self._scheme_of
