"""What the emulated vision model "sees": size and main colour of each picture.

The answer is a fixed sentence per picture, so a test can prove which picture arrived,
at what resolution:  `Image 1 is 640x480 pixels, mostly red.`
"""

import colorsys
from dataclasses import dataclass
import io
import re

from PIL import Image, ImageStat

type RGB = tuple[int, int, int]

# The names the emulator uses, each with a typical colour that maps to it.
PALETTE: dict[str, RGB] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "red": (255, 0, 0),
    "orange": (255, 165, 0),
    "brown": (139, 69, 19),
    "yellow": (255, 255, 0),
    "green": (0, 160, 0),
    "cyan": (0, 255, 255),
    "blue": (0, 0, 255),
    "purple": (128, 0, 128),
    "pink": (255, 192, 203),
}

# Hue bands (upper bound in degrees, name), checked in order.
_HUES: tuple[tuple[float, str], ...] = (
    (15, "red"),
    (45, "orange"),
    (70, "yellow"),
    (170, "green"),
    (200, "cyan"),
    (260, "blue"),
    (330, "purple"),
    (360, "red"),
)
_GREY_CHROMA = 40  # max - min channel below this: no real hue, a shade of grey

# One sentence of `describe`, wherever it appears (a text prompt quoting it).
SENTENCE = re.compile(r"Image \d+ is \d+x\d+ pixels, mostly [a-z]+\.")

# The mean colour does not need every pixel: JPEG can decode at 1/8 scale for free.
_SAMPLE_EDGE = 64


class NotAnImageError(ValueError):
    """Bytes Pillow cannot read as a picture."""


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    colour: str


def colour_name(rgb: tuple[float, float, float]) -> str:
    """The palette name for a colour, by hue, as a person would name it: navy is
    blue and light grey is grey, which plain RGB distance gets wrong."""
    red, green, blue = (channel / 255 for channel in rgb)
    hue, lightness, _ = colorsys.rgb_to_hls(red, green, blue)
    brightest, chroma = max(rgb), max(rgb) - min(rgb)
    if chroma < _GREY_CHROMA or brightest < 50:
        if brightest < 64:
            return "black"
        return "white" if min(rgb) > 210 else "grey"
    name = next(band for limit, band in _HUES if hue * 360 < limit)
    if name in ("red", "purple") and lightness > 0.7:
        return "pink"
    if name == "orange" and brightest < 160:
        return "brown"  # dark orange
    return name


def look_at(data: bytes) -> Picture:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.draft("RGB", (_SAMPLE_EDGE, _SAMPLE_EDGE))
            sample = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise NotAnImageError(str(error)) from error
    sample.thumbnail((_SAMPLE_EDGE, _SAMPLE_EDGE))
    red, green, blue = ImageStat.Stat(sample).mean
    return Picture(width, height, colour_name((red, green, blue)))


def describe(pictures: list[Picture]) -> str:
    return " ".join(
        f"Image {index} is {picture.width}x{picture.height} pixels, mostly {picture.colour}."
        for index, picture in enumerate(pictures, start=1)
    )
