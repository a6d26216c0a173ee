"""Europeana's own Schematron rules for EDM, read from the official XSDs' ``appinfo``.

Why: the XSD checks structure only; Europeana's ingestion also applies the Schematron assertions
embedded in the same files (a ProvidedCHO needs a dc:subject, dc:type, dcterms:temporal or
dcterms:spatial; an Aggregation needs a provider, a data provider, rights and isShownAt/isShownBy;
no empty ``rdf:resource``; ...). Their compiled stylesheet needs XSLT 2.0, which lxml lacks, so the
rules are read from the XSDs and evaluated here as XPath 1.0 (``exists(x)`` is ``boolean(x)``);
the few rules that need XPath 2.0 functions are reported as skipped rather than silently passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


@dataclass(frozen=True)
class Rule:
    context: str
    test: str
    message: str
    source: str
    check: etree.XPath
    select: etree.XPath


def load_rules(xsd_dir: Path) -> tuple[list[Rule], list[str]]:
    """(usable rules, descriptions of skipped ones) from every ``*.xsd`` in ``xsd_dir``."""
    trees = {path.name: etree.parse(str(path)) for path in sorted(xsd_dir.glob("*.xsd"))}
    prefixes: dict[str, str] = {}
    for tree in trees.values():
        for ns in tree.iter(f"{{{SCH}}}ns"):
            prefixes[ns.get("prefix")] = ns.get("uri")
    rules: list[Rule] = []
    skipped: list[str] = []
    for name, tree in trees.items():
        for rule in tree.iter(f"{{{SCH}}}rule"):
            context = rule.get("context")
            namespaces = {**{k: v for k, v in rule.nsmap.items() if k}, **prefixes}
            for assertion in rule.iter(f"{{{SCH}}}assert"):
                test = re.sub(r"\bexists\(", "boolean(", assertion.get("test"))
                message = " ".join("".join(assertion.itertext()).split())
                try:
                    check = etree.XPath(test, namespaces=namespaces)
                    select = etree.XPath(f"//{context}", namespaces=namespaces)
                    check(etree.Element("probe"))  # unknown (XPath 2.0 / custom) functions fail here
                except (etree.XPathSyntaxError, etree.XPathEvalError):
                    skipped.append(f"{name}: {context}: {test}")
                    continue
                rules.append(Rule(context, test, message, name, check, select))
    return rules, skipped


def check_edm(doc: etree._Element | etree._ElementTree, rules: list[Rule]) -> list[str]:
    """Messages of failed assertions, each naming the element and its ``rdf:about``."""
    failures = []
    for rule in rules:
        for el in rule.select(doc):
            if not rule.check(el):
                owner = el if el.get(RDF_ABOUT) or el.getparent() is None else el.getparent()
                failures.append(f"{etree.QName(el).localname} <{owner.get(RDF_ABOUT, '')}>: {rule.message}")
    return failures
