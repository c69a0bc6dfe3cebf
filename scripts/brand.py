"""Draw the integration's brand images into custom_components/ollama_vision/brand/.

An eye whose iris is a camera lens: "a model that looks at your cameras".
Home Assistant (2026.3+) serves these files at /api/brands/integration/ollama_vision/
and HACS shows them. Icons are square (256 px, @2x 512 px); logos add the name
beside the icon at 256 px high (@2x 512 px). The dark_ variants swap the dark
outline and lettering for light ones so they stand out on a dark theme.

Drawn at four times the size and scaled down, which smooths every edge.
Run: .venv/bin/python scripts/brand.py
"""

from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parent.parent / "custom_components/ollama_vision/brand"
OVERSAMPLE = 4
# The name, in two colours: the second word takes the iris's teal.
NAME = ("Ollama ", "Vision")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    """Colours for one background."""

    prefix: str
    outline: Colour  # the eye's shape and the lettering
    sclera: Colour  # the white of the eye
    lettering: Colour


LIGHT = Theme("", outline=(22, 34, 64), sclera=(244, 247, 252), lettering=(22, 34, 64))
DARK = Theme(
    "dark_", outline=(226, 233, 245), sclera=(30, 40, 62), lettering=(236, 241, 250)
)
IRIS_OUTER: Colour = (20, 184, 166)  # teal
IRIS_INNER: Colour = (59, 110, 245)  # blue
PUPIL: Colour = (10, 14, 30)


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _almond(
    cx: float, cy: float, half_width: float, half_height: float
) -> list[tuple[float, float]]:
    """An eye outline: two arcs meeting in points at both corners."""
    points = []
    for i in range(181):
        t = math.pi * i / 180
        x = cx - half_width * math.cos(t)
        points.append((x, cy - half_height * math.sin(t) ** 1.3))
    for i in range(181):
        t = math.pi * i / 180
        x = cx + half_width * math.cos(t)
        points.append((x, cy + half_height * math.sin(t) ** 1.3))
    return points


def draw_icon(side: int, theme: Theme) -> Image.Image:
    """The eye with a lens for an iris, on a transparent square."""
    size = side * OVERSAMPLE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    # Eye: a thick outline around the sclera.
    draw.polygon(_almond(c, c, size * 0.49, size * 0.33), fill=theme.outline)
    draw.polygon(_almond(c, c, size * 0.42, size * 0.265), fill=theme.sclera)
    # Iris: a teal-to-blue lens, drawn as shrinking rings.
    iris = size * 0.25
    steps = 60
    for i in range(steps):
        r = iris * (1 - i / steps)
        draw.ellipse(
            (c - r, c - r, c + r, c + r), fill=_mix(IRIS_OUTER, IRIS_INNER, i / steps)
        )
    ring = size * 0.018
    draw.ellipse(
        (c - iris, c - iris, c + iris, c + iris),
        outline=theme.outline,
        width=round(ring),
    )
    # Aperture: six blades leave a hexagonal pupil, like a camera lens.
    aperture = iris * 0.52
    hexagon = [
        (
            c + aperture * math.cos(math.radians(30 + 60 * k)),
            c + aperture * math.sin(math.radians(30 + 60 * k)),
        )
        for k in range(6)
    ]
    draw.polygon(hexagon, fill=PUPIL)
    for k in range(6):
        x, y = hexagon[k]
        angle = math.radians(30 + 60 * k + 90)
        end = (x + iris * 0.62 * math.cos(angle), y + iris * 0.62 * math.sin(angle))
        draw.line(
            [(x, y), end], fill=_mix(IRIS_INNER, PUPIL, 0.35), width=round(size * 0.012)
        )
    # A catch-light: the lens glints.
    g = iris * 0.2
    gx, gy = c - iris * 0.36, c - iris * 0.38
    draw.ellipse((gx - g, gy - g, gx + g, gy + g), fill=(255, 255, 255, 235))
    return image.resize((side, side), Image.Resampling.LANCZOS)


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT.is_file():
        return ImageFont.truetype(str(FONT), px)
    return ImageFont.load_default(size=px)


def draw_logo(height: int, theme: Theme) -> Image.Image:
    """The icon with the name beside it, trimmed to its content."""
    # The eye is wider than tall: trim the icon's empty bands, then fill the height.
    eye = draw_icon(height * 2, theme)
    eye = eye.crop(eye.getbbox())
    icon = eye.resize(
        (round(eye.width * height / eye.height), height), Image.Resampling.LANCZOS
    )
    font = _font(round(height * 0.5))
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), "".join(NAME), font=font)
    gap = round(height * 0.14)
    width = icon.width + gap + round(right - left)
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    logo.alpha_composite(icon, (0, 0))
    draw = ImageDraw.Draw(logo)
    y = (height - (bottom - top)) / 2 - top
    x = icon.width + gap - left
    draw.text((x, y), NAME[0], font=font, fill=theme.lettering)
    x += draw.textlength(NAME[0], font=font)
    draw.text((x, y), NAME[1], font=font, fill=IRIS_OUTER)
    return logo


def main() -> None:
    """Write all eight images."""
    BRAND.mkdir(parents=True, exist_ok=True)
    for theme in (LIGHT, DARK):
        for suffix, scale in (("", 1), ("@2x", 2)):
            draw_icon(256 * scale, theme).save(
                BRAND / f"{theme.prefix}icon{suffix}.png", optimize=True
            )
            draw_logo(256 * scale, theme).save(
                BRAND / f"{theme.prefix}logo{suffix}.png", optimize=True
            )
    print(f"brand images written to {BRAND}")


if __name__ == "__main__":
    main()
