"""The fonts an invoice is set in: installed ones from Debian's packages, found on this machine.

A name on an invoice may be in any script: "张伟 (上海明远贸易有限公司)" as much as "Zoë Müller".
DejaVu Sans (fonts-dejavu-core) sets Latin, Greek and Cyrillic; Droid Sans Fallback
(fonts-droid-fallback) or Noto Sans CJK (fonts-noto-cjk) the Chinese, Japanese and Korean
characters DejaVu lacks. The images and CI install the first two; `make up` uses whatever this
machine has and says at the first invoice which of them it lacks. A character that no installed
font covers prints as a box, and is named in a warning with the invoice it is on.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)
FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))
# (file, index in a font collection) by preference.
TEXT = (("dejavu/DejaVuSans.ttf", 0),)
TEXT_BOLD = (("dejavu/DejaVuSans-Bold.ttf", 0),)
# Noto's collection holds Japanese, Korean, Simplified and Traditional Chinese: 2 is
# Simplified Chinese. It sets better than Droid but is slower to load (20 MB).
CJK = (("droid/DroidSansFallbackFull.ttf", 0), ("noto/NotoSansCJK-Regular.ttc", 2))
PACKAGES = "fonts-dejavu-core and fonts-droid-fallback"


@dataclass(frozen=True)
class Font:
    path: Path
    number: int
    covers: frozenset[int]

    def covers_all(self, text: str) -> bool:
        return all(ord(char) in self.covers or char.isspace() for char in text)


@dataclass(frozen=True)
class Fonts:
    text: Font | None
    bold: Font | None
    cjk: Font | None

    def missing(self, text: str) -> set[str]:
        """The characters of `text` no installed font covers."""
        fonts = [font for font in (self.text, self.cjk) if font is not None]
        return {
            char
            for char in text
            if not char.isspace() and not any(ord(char) in font.covers for font in fonts)
        }


def _first(candidates) -> Font | None:
    for name, number in candidates:
        for folder in FONT_DIRS:
            path = folder / name
            if path.is_file():
                with TTFont(path, fontNumber=number, lazy=True) as font:
                    return Font(path, number, frozenset(font.getBestCmap()))
    return None


@functools.cache
def installed() -> Fonts:
    """What this machine has, read once per process."""
    fonts = Fonts(_first(TEXT), _first(TEXT_BOLD), _first(CJK))
    if fonts.text is None or fonts.cjk is None:
        log.warning(
            "invoices: no %s font is installed (Debian: %s); names in it print as boxes",
            "Unicode" if fonts.text is None else "Chinese/Japanese/Korean",
            PACKAGES,
        )
    return fonts
