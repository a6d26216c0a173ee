"""A standard client (sickle) harvests the shared 6,000 records through a real server: every
record exactly once, in EDM, with a page checked against the XSDs."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from sickle import Sickle

from api.app import create_app
from kg.context import HeritageContext
from kg.ingest import ingest_file
from kg.settings import load_settings
from kg.store import OxigraphStore
from tests.api.oai.conftest import valid
from tests.api.w3c.live import live_server
from tests.shared_paths import RECORDS_CSV, require_shared

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store_6000(tmp_path_factory):
    require_shared(RECORDS_CSV)
    settings = load_settings(tmp_path_factory.mktemp("oai-6000"), oai_page_size=500)
    ctx = HeritageContext.open(settings, store=OxigraphStore())
    report = ingest_file(ctx, RECORDS_CSV)
    assert report.ingested == 6000
    yield settings, ctx
    ctx.close()


def test_sickle_harvests_every_record_exactly_once(store_6000, schemas) -> None:
    settings, ctx = store_6000
    expected = {c.id for c in ctx.records.changes(kind="work")}
    assert len(expected) == 6000
    with live_server(create_app(settings, ctx=ctx)) as base:
        url = f"{base}/oai"
        first = httpx.get(url, params={"verb": "ListRecords", "metadataPrefix": "edm"}, timeout=120)
        valid(schemas, first.content, "edm")
        records = Sickle(url, max_retries=0, timeout=120).ListRecords(metadataPrefix="edm")
        seen = Counter(r.header.identifier.rsplit(":", 1)[-1] for r in records)
    assert set(seen) == expected
    assert max(seen.values()) == 1
