"""What sells together, free of Flask and SQL: association rules between pairs of products.

Over the orders that counted, for a rule A -> B: support is the share of orders holding both,
confidence the share of orders with A that also hold B, lift how much more often B comes with
A than on its own (confidence over B's share; above 1, A makes B likelier). Pairs are what a
shop acts on ("bought with"); longer itemsets add cost and little to read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import permutations


@dataclass(frozen=True)
class Rule:
    antecedent: list[str]
    consequent: list[str]
    support: float
    confidence: float
    lift: float


def rules(baskets: list[set[str]], min_support: float, min_confidence: float) -> list[Rule]:
    """Rules A -> B over `baskets` (the SKUs of each order), strongest lift first."""
    count = len(baskets)
    if not count:
        return []
    singles = Counter(sku for basket in baskets for sku in basket)
    pairs = Counter(pair for basket in baskets for pair in permutations(sorted(basket), 2))
    found = []
    for (a, b), together in pairs.items():
        support = together / count
        confidence = together / singles[a]
        if support >= min_support and confidence >= min_confidence:
            lift = confidence / (singles[b] / count)
            found.append(Rule([a], [b], round(support, 4), round(confidence, 4), round(lift, 4)))
    return sorted(found, key=lambda r: (-r.lift, -r.confidence, r.antecedent, r.consequent))
