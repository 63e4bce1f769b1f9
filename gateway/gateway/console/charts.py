"""Chart geometry for SVG drawn on the server: no chart script reaches the browser, and a
chart is as readable in a screenshot or a test as the numbers it came from.

Each function turns numbers into coordinates in a fixed viewBox (the SVG scales to its box);
templates/console/_charts.html draws them. A month on an axis is named with its year, as the
reader's language writes it (i18n.month: "Dec 2026", "2026年12月").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from gateway.console import i18n

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
# Room a month's name takes on an axis, its 11px text with a gap ("2026年12月" is ~60 wide).
MONTH_ROOM = 64


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


def nice_ticks(largest: float, count: int = 4) -> list[float]:
    """Round axis values from 0 to at least `largest`, steps of 1, 2 or 5 times a power of 10."""
    if largest <= 0:
        return [0.0, 1.0]
    raw = largest / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * n for n in range(math.ceil(largest / step) + 1)]


def _axis(largest: float) -> tuple[list[Tick], float]:
    values = nice_ticks(largest)
    top = values[-1]
    plot = HEIGHT - TOP - BOTTOM
    return [Tick(v, TOP + plot * (1 - v / top)) for v in values], top


def _month(day: date) -> str:
    return i18n.month(datetime(day.year, day.month, day.day))


def bars(points: list[tuple[str | date, Decimal]]) -> dict:
    """A bar per (label, value), in order. A month is given as a date: its bar is labelled in
    the reader's language, with its year, and keyed (data-label) as "Dec 2026" in every
    language; where the bars are too narrow for every month's name, the axis names every
    other one (or fewer), always the last, and each bar still says its month on hover."""
    ticks, top = _axis(float(max((value for _, value in points), default=0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    every = math.ceil(MONTH_ROOM / slot)
    drawn = []
    for n, (label, value) in enumerate(points):
        height = plot_h * float(value) / top
        month = isinstance(label, date)
        drawn.append(
            {
                "key": f"{label:%b %Y}" if month else label,
                "label": _month(label) if month else label,
                "axis": not month or (len(points) - 1 - n) % every == 0,
                "value": value,
                "x": round(LEFT + n * slot + slot * 0.15, 1),
                "y": round(TOP + plot_h - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "middle": round(LEFT + n * slot + slot / 2, 1),
            }
        )
    return {"bars": drawn, "ticks": ticks, **_frame()}


def band(points: list[dict]) -> dict:
    """A forecast line inside its interval band: `points` have period, forecast, lower, upper."""
    ticks, top = _axis(max((p["upper"] for p in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def at(n: int, value: float) -> str:
        return f"{LEFT + n * step:.1f},{TOP + plot_h * (1 - value / top):.1f}"

    upper = [at(n, p["upper"]) for n, p in enumerate(points)]
    lower = [at(n, p["lower"]) for n, p in enumerate(points)]
    dots = [
        {
            "period": p["period"],
            "forecast": p["forecast"],
            "lower": p["lower"],
            "upper": p["upper"],
            "label": _month(datetime.fromisoformat(p["period"])),
            "x": LEFT + n * step,
            "y": TOP + plot_h * (1 - p["forecast"] / top),
        }
        for n, p in enumerate(points)
    ]
    return {
        "band": " ".join(upper + lower[::-1]),
        "line": " ".join(at(n, p["forecast"]) for n, p in enumerate(points)),
        "dots": dots,
        "ticks": ticks,
        **_frame(),
    }


def _frame() -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM,
    }
