"""Which series a PromQL expression reads, and which series the deployment knows of.

Good enough for the expressions this repository writes (rules and dashboards): it does not
parse PromQL, it removes what is not a series name (strings, label matchers, ranges, label
lists of by/without/on, Grafana variables, function calls, keywords) and keeps the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
KEYWORDS |= {"and", "or", "unless", "inf", "nan"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def series_names(expr: str) -> set[str]:
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        before = text[: match.start()]
        after = text[match.end() :].lstrip()
        if name in KEYWORDS or after.startswith("(") or re.search(r"[0-9.]$", before):
            continue
        names.add(name)
    return names


def rule_groups() -> list[dict]:
    groups = []
    for path in sorted((PROMETHEUS / "rules").glob("*.yml")):
        groups += yaml.safe_load(path.read_text())["groups"]
    return groups


def recorded() -> set[str]:
    return {
        rule["record"] for group in rule_groups() for rule in group["rules"] if "record" in rule
    }


def exposed() -> set[str]:
    """The series metrics.yml lists, with a histogram's three series."""
    listed = yaml.safe_load((PROMETHEUS / "metrics.yml").read_text())
    names = set()
    for metrics in listed.values():
        for name, description in metrics.items():
            if str(description).startswith("histogram"):
                names |= {name + suffix for suffix in HISTOGRAM_SUFFIXES}
            else:
                names.add(name)
    return names


def unknown(expr: str) -> set[str]:
    return series_names(expr) - exposed() - recorded()
