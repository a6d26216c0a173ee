"""An EDM harvest brings the provider's digital surrogates too: each WebResource becomes an Item
(pointing at the provider's file) in an Instance of the harvested Work. A Work that changes or
disappears upstream takes exactly the surrogates the harvest brought, never a local record."""

from __future__ import annotations

import pytest

from api.app import create_app
from kg.context import HeritageContext
from kg.errors import NotFound
from kg.harvest import harvest
from kg.settings import load_settings
from mappings.edm_in import remote_item_id
from tests.api.w3c.live import live_server

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def _work(ident: str, title: str) -> dict:
    return {"kind": "work", "id": ident, "title": {"en": title}, "museum": "M", "rights": CC0}


def _item(ident: str, name: str) -> dict:
    return {"kind": "item", "id": ident, "title": {"en": name}, "part_of": "i-1",
            "file_name": name, "media_type": "image/jpeg"}  # fmt: skip


def _live(ctx: HeritageContext) -> dict[str, str]:
    return {c.id: c.kind for c in ctx.records.changes() if not c.deleted}


def test_surrogates_follow_their_work_and_local_records_stay(tmp_path) -> None:
    source = HeritageContext.open(load_settings(tmp_path / "src"))
    target = HeritageContext.open(load_settings(tmp_path / "dst"))
    try:
        assert not source.records.put([
            _work("w-1", "Jar"), _work("w-2", "Bowl"),
            {"kind": "instance", "id": "i-1", "title": {"en": "Photos"}, "represents": "w-1"},
            _item("f-1", "front.jpg"), _item("f-2", "back.jpg"),
        ]).rejected  # fmt: skip
        with live_server(create_app(source.settings, ctx=source)) as url:
            front_id = remote_item_id("w-1", f"{source.iris.base}/files/f-1/front.jpg")
            back_id = remote_item_id("w-1", f"{source.iris.base}/files/f-2/back.jpg")
            report = harvest(target, url + "/oai")
            assert report.complete and not report.rejected and report.written == 2
            assert _live(target) == {"w-1": "work", "w-2": "work", "i-1": "instance",
                                     front_id: "item", back_id: "item"}  # fmt: skip
            front = target.records.get(front_id)
            assert front["part_of"] == "i-1" and front["media_type"] == "image/jpeg"
            assert front["source_url"].endswith("/files/f-1/front.jpg")
            assert target.records.get("i-1")["represents"] == "w-1"
            # A curator here describes their own surrogate of w-2.
            local = {"kind": "instance", "id": "local-i", "title": {"en": "Our scan"}, "represents": "w-2"}
            assert not target.records.put([local]).rejected

            # Upstream, one file is withdrawn and the Work edited: the harvest drops that Item only.
            source.records.delete("f-2")
            source.records.put([_work("w-1", "Jar, restored")])
            report = harvest(target, url + "/oai")
            assert report.complete and not report.rejected, report
            assert set(_live(target)) == {"w-1", "w-2", "i-1", front_id, "local-i"}
            assert target.records.get("w-1")["title"] == {"en": "Jar, restored"}

            # Upstream, both Works go: w-1 takes its Instance and Item along; w-2 is still
            # described by a local Instance, so its deletion is reported and nothing local is lost.
            for ident in ("f-1", "i-1", "w-1", "w-2"):
                source.records.delete(ident)
            report = harvest(target, url + "/oai")
            assert report.deleted == 1
            assert (
                len(report.rejected) == 1 and "w-2" in report.rejected[0] and "local-i" in report.rejected[0]
            )
            assert _live(target) == {"w-2": "work", "local-i": "instance"}
            with pytest.raises(NotFound):
                target.records.get(front_id)
    finally:
        target.close()
        source.close()
