"""Association rules for a hand-worked set of baskets."""

from analytics.basket.domain import rules

BASKETS = [
    {"bread", "butter"},
    {"bread", "butter", "jam"},
    {"bread", "jam"},
    {"milk"},
    {"bread", "butter", "milk"},
]


def test_support_confidence_and_lift_match_the_hand_calculation():
    found = {(r.antecedent[0], r.consequent[0]): r for r in rules(BASKETS, 0.4, 0.5)}
    # bread in 4 of 5, butter in 3, both in 3: support 3/5, confidence 3/4 (bread -> butter)
    # and 3/3 (butter -> bread); lift 0.75 / 0.6 = 1.25 and 1 / 0.8 = 1.25.
    assert set(found) == {
        ("bread", "butter"),
        ("butter", "bread"),
        ("jam", "bread"),
        ("bread", "jam"),
    }
    rule = found[("bread", "butter")]
    assert (rule.support, rule.confidence, rule.lift) == (0.6, 0.75, 1.25)
    assert (found[("butter", "bread")].confidence, found[("butter", "bread")].lift) == (1.0, 1.25)
    # jam -> bread: both in 2 of 5 (support 0.4), jam in 2: confidence 1.0, lift 1 / 0.8;
    # bread -> jam: confidence 2/4 = 0.5, just at the threshold, lift 0.5 / 0.4.
    assert (found[("jam", "bread")].confidence, found[("jam", "bread")].lift) == (1.0, 1.25)
    assert (found[("bread", "jam")].confidence, found[("bread", "jam")].lift) == (0.5, 1.25)


def test_no_baskets_no_rules_and_thresholds_filter():
    assert rules([], 0.1, 0.1) == []
    assert rules(BASKETS, 0.7, 0.0) == []
