"""Stored SPARQL queries (``sparql/*.rq``) loaded by name, so Python never embeds long query text
and the HTTP endpoint can run them at ``/sparql/stored/{name}``. Every file starts with a comment
saying what it returns; prefixes come from ``kg.namespaces`` (the store predeclares them)."""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import NotFound

QUERY_DIR = Path(__file__).resolve().parent
# names are plain slugs: no dots or slashes, so a name can never leave QUERY_DIR
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def names() -> list[str]:
    """Every stored query, sorted."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq") if _NAME_RE.match(p.stem))


def path_of(name: str) -> Path:
    """The file of a stored query; ``NotFound`` for unknown or malformed names."""
    if not _NAME_RE.match(name):
        raise NotFound(f"no stored query named {name!r}")
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise NotFound(f"no stored query named {name!r} (see /sparql/stored)")
    return path


def load(name: str) -> str:
    """The SPARQL text of a stored query."""
    return path_of(name).read_text(encoding="utf-8")


def describe(name: str) -> str:
    """The leading comment of a stored query (what it returns), as one line."""
    lines = []
    for line in load(name).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)
