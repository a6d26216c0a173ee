"""OAI-PMH dates at the edge of the calendar: ``until`` on the last day or second of year 9999
has no exclusive end (it was a 500 from a datetime overflow); it means "no upper bound"."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01&until=9999-12-31",
        "until=9999-12-31",
        "from=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59Z",
    ],
)
def test_until_the_end_of_time_lists_the_work(work_api, query):
    response = work_api.client.get(f"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&{query}")
    assert response.status_code == 200
    assert "<error" not in response.text
    assert response.text.count("<header>") == 1


def test_until_before_the_first_record_is_no_records_match(work_api):
    response = work_api.client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&until=0001-01-01")
    assert 'code="noRecordsMatch"' in response.text
