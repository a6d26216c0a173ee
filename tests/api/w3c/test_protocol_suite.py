"""Runs the W3C-style protocol and query-evaluation cases against the demo app and prints
"N/M passed" (the figure for the README and the issue's closing note)."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.w3c.cases import EVALUATION, PROTOCOL, Case, EvalCase, works

# Failures we understand and cannot fix in this project. Listed so the suite still prints the
# honest figure, and fails if one of them starts passing (time to drop it) or another appears.
# Failures we understand and cannot fix in this project: none since museums, makers and local
# concepts are described once in the shared graph (kg.shared). Before that, Oxigraph's union
# default graph (which does not merge a triple held by several named graphs,
# https://github.com/oxigraph/oxigraph/issues/1919) inflated the three GROUP BY cases over
# hg:heldBy/rdfs:label. The set stays so a new failure is named, not silently tolerated.
KNOWN_FAILURES: set[str] = set()
_PLACEHOLDER = re.compile(r"\{(work|graph|graph2|changelog)\}")


def _fill(value, names: dict[str, str]):
    """Substitute only our placeholders: SPARQL's own braces stay as they are."""
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: names[m[1]], value)
    return value


def _run(case: Case, api, names: dict[str, str]) -> str | None:
    """None when the server answered as the case expects, else what differed."""
    headers = dict(case.headers)
    if case.auth:
        headers.update(api.auth)
    kwargs: dict = {"headers": headers, "params": _fill(case.params, names)}
    if case.form is not None:
        kwargs["data"] = _fill(case.form, names)
    if case.body is not None:
        body = _fill(case.body, names)
        kwargs["content"] = body.encode() if isinstance(body, str) else body
    response = api.client.request(case.method, case.path, **kwargs)
    problems = []
    if response.status_code != case.status:
        problems.append(f"status {response.status_code} != {case.status}: {response.text[:200]}")
    ctype = response.headers.get("content-type", "")
    if case.content_type and not ctype.startswith(case.content_type):
        problems.append(f"content type {ctype!r}")
    squeezed = response.text.replace(" ", "")
    if case.contains and _fill(case.contains, names).replace(" ", "") not in squeezed:
        problems.append(f"body lacks {case.contains!r}: {response.text[:200]}")
    if case.lacks and _fill(case.lacks, names) in response.text:
        problems.append(f"body has {case.lacks!r}")
    return "; ".join(problems) or None


def _evaluate(case: EvalCase, api, names: dict[str, str]) -> str | None:
    response = api.client.get(
        "/sparql", params={"query": case.query}, headers={"Accept": "application/sparql-results+json"}
    )
    if response.status_code != 200:
        return f"status {response.status_code}: {response.text[:200]}"
    doc = json.loads(response.text)
    expected = _fill(case.expected(works()), names)
    if isinstance(expected, bool):
        return None if doc.get("boolean") is expected else f"boolean {doc.get('boolean')} != {expected}"
    got = [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]
    if not case.ordered:
        got, expected = sorted(got, key=_key), sorted(expected, key=_key)
    return None if got == expected else f"got {got[:5]}..., expected {expected[:5]}..."


def _key(row: dict[str, str]) -> str:
    return json.dumps(row, sort_keys=True)


@pytest.mark.slow
def test_w3c_style_suite(demo_api, capsys) -> None:
    ctx = demo_api.ctx
    names = {
        "work": ctx.iris.entity("work", "t-1799"),
        "graph": ctx.iris.record_graph("t-1799"),
        "graph2": ctx.iris.record_graph("t-0980"),
        "changelog": ctx.iris.changelog_graph,
    }
    # evaluation first: the protocol cases end with updates that change t-1799
    results = [(f"eval: {c.name}", _evaluate(c, demo_api, names)) for c in EVALUATION]
    results += [(f"protocol: {c.name}", _run(c, demo_api, names)) for c in PROTOCOL]
    failed = [(name, why) for name, why in results if why]
    with capsys.disabled():
        print(
            f"\nW3C-style SPARQL 1.1 suite: {len(results) - len(failed)}/{len(results)} passed "
            f"({len(PROTOCOL)} protocol, {len(EVALUATION)} query evaluation)"
        )
        for name, why in failed:
            print(f"  FAIL{' (known)' if name in KNOWN_FAILURES else ''} {name}: {why[:300]}")
    assert {name for name, _why in failed} == KNOWN_FAILURES, failed
    health = demo_api.client.get("/sparql", params={"query": "ASK {}"})
    assert health.status_code == 200  # after every bad request the endpoint still answers
