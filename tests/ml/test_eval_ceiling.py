"""Oracle ceiling figures (``ml.ceiling``) and their place in ``evaluate_rows`` on tiny collections."""

from __future__ import annotations

from ml.attributes import Row
from ml.ceiling import ceiling
from ml.evaluate import evaluate_rows


def _r(i: str, title: str, maker: str, culture: str, material: str, era: str = "") -> Row:
    return Row(
        id=i,
        title=title,
        maker=maker,
        culture=culture,
        labels={"material": {material}, "era": {era} if era else set(), "use": set()},
    )


TRAIN = [
    _r("t1", "Vase", "Steuben", "American", "glass"),
    _r("t2", "Vase", "Steuben", "American", "glass"),
    _r("t3", "Vase", "Steuben", "American", "metal"),  # same key, other label: noise
    _r("t4", "Bowl", "Gorham", "American", "metal"),
    _r("t5", "Jar", "unknown Chinese", "Chinese", "ceramic"),
]


def test_ceiling_figures():
    test = [
        _r("s1", "Vase", "Steuben", "American", "glass"),  # exact key seen, majority right
        _r("s2", "Vase", "Steuben", "American", "metal"),  # exact key seen, majority wrong, no rule right
        _r("s3", "Cup", "Gorham", "French", "metal"),  # maker seen, right
        _r("s4", "Urn", "Nobody", "Chinese", "ceramic"),  # only the culture rule is right
        _r("s5", "Box", "Nobody", "Mayan", "stone"),  # nothing can be right
    ]
    fig = ceiling(TRAIN, test, "material")
    assert fig["exact_seen_share"] == 0.4 and fig["exact_majority_accuracy_when_seen"] == 0.5
    assert fig["maker_seen_share"] == 0.6 and fig["maker_majority_accuracy_when_seen"] == round(2 / 3, 4)
    assert fig["union_of_majorities"] == 0.6  # s1, s3, s4
    assert fig["repeated_key_agreement"] == round(2 / 3, 4)
    assert ceiling(TRAIN, test, "era") == {}


def test_evaluate_rows_reports_ceiling_and_maker_split():
    train = TRAIN * 3
    train = [
        Row(id=f"{r.id}-{k}", title=r.title, maker=r.maker, culture=r.culture, labels=r.labels)
        for k, r in enumerate(train)
    ]
    test = [_r("s1", "Vase", "Steuben", "American", "glass"), _r("s5", "Box", "Nobody", "Mayan", "stone")]
    result = evaluate_rows(train, test, attrs=("material",))
    fig = result["ceiling"]["material"]
    assert fig["rows_maker_known"] == 1 and fig["rows_maker_unknown"] == 1
    assert fig["model_top1_maker_unknown"] == 0.0  # "stone" never occurs in training
    assert {"material_top1", "material_macro_f1"} <= set(result["model"]) == set(result["baseline"])
