import hashlib

import pytest

from kg.errors import Conflict, ValidationError
from ml.restore.provenance import derived_item_record, save_derived_image, write_result_file
from tests.ml_restore.helpers import texture


def test_derived_item_record_shape():
    record = derived_item_record(
        item_id="item-2",
        source_item_id="item-1",
        part_of="inst-1",
        file_name="restored.png",
        data=b"png-bytes",
        method="inpaint-blend",
        parameters={"mask": "user"},
        metrics={"psnr": 31.2},
        pixel_size=(640, 480),
    )
    assert record["kind"] == "item" and record["derived_from"] == ["item-1"] and record["part_of"] == "inst-1"
    assert record["sha256"] == hashlib.sha256(b"png-bytes").hexdigest() and record["byte_size"] == 9
    assert record["pixel_width"] == 640 and record["pixel_height"] == 480
    assert record["provenance"]["method"] == "inpaint-blend"
    assert record["provenance"]["metrics"] == {"psnr": 31.2}
    with pytest.raises(ValidationError):
        derived_item_record(
            item_id="item-1", source_item_id="item-1", part_of="i", file_name="x.png", data=b"", method="m"
        )


def test_result_file_never_overwrites(tmp_path):
    original = tmp_path / "item-1" / "scan.png"
    original.parent.mkdir()
    original.write_bytes(b"original")
    with pytest.raises(Conflict):
        write_result_file(tmp_path, "item-1", "scan.png", b"restored")
    assert original.read_bytes() == b"original"
    with pytest.raises(ValidationError):
        write_result_file(tmp_path, "../outside", "x.png", b"x")
    path, record = save_derived_image(
        tmp_path, texture(16), item_id="item-2", source_item_id="item-1", part_of="inst-1", method="sr"
    )
    assert path.exists() and path.parent.name == "item-2"
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert original.read_bytes() == b"original"


def test_record_maps_to_quads_with_prov():
    """The dict is what the lead's crosswalk expects: it yields a prov:Activity node."""
    record_module = pytest.importorskip("mappings.record")
    from kg.namespaces import Iris

    record = derived_item_record(
        item_id="item-2", source_item_id="item-1", part_of="inst-1", file_name="r.png", data=b"x", method="sr"
    )
    try:
        quads = record_module.record_to_quads(record, Iris("http://127.0.0.1:8000"), lambda *a, **k: None)
    except TypeError:
        pytest.skip("record_to_quads has a different signature")
    predicates = {q.predicate.value for q in quads}
    assert "http://www.w3.org/ns/prov#wasGeneratedBy" in predicates
