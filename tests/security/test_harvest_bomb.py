"""The harvester holds at most ``MAX_PAGE_BYTES`` of one provider page, counted after HTTP
decompression: a gzip-encoded page that inflates without bound (a decompression bomb) or a
page that never ends is refused with a clear error instead of exhausting memory."""

from __future__ import annotations

import gzip

import httpx
import pytest

from kg import harvest

OAI = (
    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>'
)
LIMIT = 1 << 20


def _client(body: bytes, headers: dict) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "text/xml", **headers})

    return httpx.Client(transport=httpx.MockTransport(answer))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(harvest, "MAX_PAGE_BYTES", LIMIT, raising=False)


def test_a_gzip_bomb_page_is_refused(small_pages):
    inflated = OAI + b" " * (16 * LIMIT) + b"<ListRecords/></OAI-PMH>"
    bomb = gzip.compress(inflated, compresslevel=9)
    assert len(bomb) < LIMIT // 8  # small on the wire
    with _client(bomb, {"Content-Encoding": "gzip"}) as client, pytest.raises(harvest.HarvestError) as err:
        harvest.fetch(client, "http://provider.test/oai", {"verb": "ListRecords"})
    assert f"over {LIMIT} bytes" in err.value.detail


def test_an_oversized_plain_page_is_refused(small_pages):
    page = OAI + b"<!--" + b"x" * (2 * LIMIT) + b"--><ListRecords/></OAI-PMH>"
    with _client(page, {}) as client, pytest.raises(harvest.HarvestError):
        harvest.fetch(client, "http://provider.test/oai", {"verb": "ListRecords"})


def test_a_page_under_the_limit_is_parsed(small_pages):
    page = gzip.compress(OAI + b"<ListRecords/></OAI-PMH>")
    with _client(page, {"Content-Encoding": "gzip"}) as client:
        root = harvest.fetch(client, "http://provider.test/oai", {"verb": "ListRecords"})
    assert root.tag.endswith("OAI-PMH")
