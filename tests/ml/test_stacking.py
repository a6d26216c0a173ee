"""The stacked attribute model on small synthetic collections: each evidence source must matter."""

from __future__ import annotations

import pickle

import numpy as np

from ml.attributes import Row
from ml.stacking import STACK_KEYS, BlendedAttributeModel, StackedAttributeModel, _Neighbourhood


def _row(i: int, title: str, maker: str = "", culture: str = "", **labels: set[str]) -> Row:
    return Row(id=f"r{i}", title=title, maker=maker, culture=culture, labels=dict(labels))


def test_maker_neighbourhood_decides_when_titles_say_nothing():
    """Titles are shared nonsense words; only the maker tells glass from metal."""
    rows = [
        _row(i, f"object {i % 3}", maker=maker, material={mat})
        for i, (maker, mat) in enumerate([("Steuben Works", "glass"), ("Gorham Co", "metal")] * 15)
    ]
    model = StackedAttributeModel("material").fit(rows)
    probe = [
        Row(id="a", title="object 9", maker="Steuben Works"),
        Row(id="b", title="object 9", maker="Gorham Co"),
    ]
    assert [p for p, _ in model.top(probe)] == ["glass", "metal"]


def test_culture_and_title_interaction():
    """ "Vase" is ceramic when Chinese and glass when American; "Bowl" the reverse: a pattern only
    the culture x head-word neighbourhood carries (each word and culture alone is 50/50)."""
    combos = [("Vase", "Chinese", "ceramic"), ("Vase", "American", "glass")]
    combos += [("Bowl", "Chinese", "glass"), ("Bowl", "American", "ceramic")]
    rows = [
        _row(i, t, maker=f"maker {i}", culture=c, material={m}) for i, (t, c, m) in enumerate(combos * 10)
    ]
    model = StackedAttributeModel("material").fit(rows)
    probe = [Row(id=f"q{i}", title=t, maker="someone new", culture=c) for i, (t, c, _) in enumerate(combos)]
    assert [p for p, _ in model.top(probe)] == [m for _, _, m in combos]


def test_multi_label_rows_and_probabilities():
    rows = [_row(i, "Lamp", maker="Tiffany", material={"glass", "metal"}) for i in range(6)]
    rows += [_row(10 + i, "Plate", maker="Wedgwood", material={"ceramic"}) for i in range(6)]
    model = StackedAttributeModel("material").fit(rows)
    proba = model.predict_proba([Row(id="q", title="Lamp", maker="Tiffany")])
    assert proba.shape == (1, 3) and abs(proba.sum() - 1.0) < 1e-6
    top, conf = model.top([Row(id="q", title="Lamp", maker="Tiffany")])[0]
    assert top in {"glass", "metal"} and conf > proba[0, model.classes.index("ceramic")]


def test_dense_block_carries_evidence_text_lacks():
    """Identical text for every work; the dense column (an image embedding stand-in) decides."""
    rows = [_row(i, "Thing", era={"18th" if i % 2 else "20th"}) for i in range(30)]
    dense = np.array([[1.0, 0.0] if i % 2 else [0.0, 1.0] for i in range(30)])
    model = StackedAttributeModel("era").fit(rows, dense)
    probe = [Row(id="a", title="Thing"), Row(id="b", title="Thing")]
    assert [p for p, _ in model.top(probe, np.array([[1.0, 0.0], [0.0, 1.0]]))] == ["18th", "20th"]


def test_titles_only_collection_and_pickling():
    """The demo has no makers or cultures: empty vocabularies are skipped; the model pickles."""
    rows = [
        _row(i, f"{noun} {i}", material={mat})
        for i, (noun, mat) in enumerate([("celadon bowl", "ceramic"), ("bronze bell", "metal")] * 6)
    ]
    model = pickle.loads(pickle.dumps(StackedAttributeModel("material").fit(rows)))
    assert [p for p, _ in model.top([Row(id="q", title="bronze mirror")])] == ["metal"]


def test_neighbourhood_shares_and_support():
    rows = [_row(1, "Cup", maker="A | B"), _row(2, "Cup", maker="A"), _row(3, "Jug", maker="C")]
    y = [np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.5, 0.5])]
    nb = _Neighbourhood("maker", 2).fit(rows, y)
    out = nb.transform([Row(id="q", title="", maker="B | A"), Row(id="z", title="", maker="D")])
    # maker A has works 1 and 2, maker B work 1: pooled 3 memberships, order of makers irrelevant
    assert np.allclose(out[0], [2 / 3, 1 / 3, np.log1p(3)]) and not out[1].any()
    assert STACK_KEYS["exact"](rows[0]) == STACK_KEYS["exact"](Row(id="x", title=" cup ", maker="B|A"))


def test_blend_aligns_classes_and_averages():
    """The blend's columns follow its classes; its probabilities are the mean of its two models'."""
    rows = [
        _row(i, f"{noun} {i}", maker=maker, material={mat})
        for i, (noun, maker, mat) in enumerate(
            [("goblet", "Steuben", "glass"), ("tankard", "Gorham", "metal"), ("plate", "Spode", "ceramic")]
            * 6
        )
    ]
    model = BlendedAttributeModel("material").fit(rows)
    probe = [Row(id="q", title="goblet", maker="Steuben"), Row(id="p", title="plate", maker="Spode")]
    proba = model.predict_proba(probe)
    assert model.classes == ["ceramic", "glass", "metal"] and np.allclose(proba.sum(axis=1), 1.0)
    ovr = model.ovr.predict_proba(probe)[:, [model.ovr.classes.index(c) for c in model.classes]]
    expected = 0.5 * ovr / ovr.sum(axis=1, keepdims=True) + 0.5 * model.stacked.predict_proba(probe)
    assert np.allclose(proba, expected)
    assert [p for p, _ in model.top(probe)] == ["glass", "ceramic"]
