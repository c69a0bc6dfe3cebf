"""Build small pictures in memory for tests (Pillow)."""

import base64
import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

type RGB = tuple[int, int, int]


def make_image(
    width: int,
    height: int,
    colour: RGB = (128, 128, 128),
    fmt: str = "PNG",
    **save: int,
) -> bytes:
    """A plain picture of one colour, encoded as `fmt` (any format Pillow writes)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def make_jpeg(
    width: int, height: int, colour: RGB = (128, 128, 128), quality: int = 85
) -> bytes:
    return make_image(width, height, colour, "JPEG", quality=quality)


def make_png(width: int, height: int, colour: RGB = (128, 128, 128)) -> bytes:
    return make_image(width, height, colour, "PNG")


def b64(data: bytes) -> str:
    """Base64 as Ollama wants it in `images`: padded, no `data:` prefix."""
    return base64.b64encode(data).decode("ascii")


def make_scene(
    width: int = 640,
    height: int = 480,
    *,
    person_at: float | None = None,
    brightness: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
    quality: int = 85,
) -> bytes:
    """A camera's view of a driveway as a JPEG: sky, lawn, drive, house, tree.

    person_at puts a person-sized figure (a tenth of the width, half the
    height) with its left side at that fraction of the width; brightness
    scales the light (1.1: ten per cent more); noise adds grain of that
    standard deviation in grey levels, as a cheap sensor does at dusk (`seed`
    picks which grain).
    """
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = height * 2 // 5
    for y in range(horizon):
        light = int(120 + 100 * y / horizon)
        draw.line([(0, y), (width, y)], fill=(light // 2, light * 3 // 4, light))
    draw.rectangle((0, horizon, width, height), fill=(70, 110, 60))
    draw.polygon(
        [
            (0, height),
            (width * 0.45, horizon),
            (width * 0.55, horizon),
            (width, height),
        ],
        fill=(120, 120, 125),
    )
    draw.rectangle(
        (width * 0.6, height * 0.15, width * 0.95, height * 0.55), fill=(170, 90, 60)
    )
    draw.rectangle(
        (width * 0.7, height * 0.35, width * 0.78, height * 0.55), fill=(60, 40, 30)
    )
    draw.rectangle(
        (width * 0.82, height * 0.25, width * 0.9, height * 0.33), fill=(200, 220, 240)
    )
    draw.ellipse(
        (width * 0.05, height * 0.1, width * 0.3, height * 0.5), fill=(40, 90, 40)
    )
    draw.rectangle(
        (width * 0.16, height * 0.45, width * 0.19, height * 0.62), fill=(80, 60, 40)
    )
    if person_at is not None:
        left, top = width * person_at, height * 0.42
        figure_width, figure_height = width / 10, height / 2.2
        head = figure_height * 0.18
        draw.ellipse(
            (left + figure_width / 4, top, left + figure_width * 3 / 4, top + head),
            fill=(220, 180, 150),
        )
        draw.rectangle(
            (left, top + head, left + figure_width, top + figure_height),
            fill=(30, 40, 120),
        )
    if brightness != 1.0:
        image = ImageEnhance.Brightness(image).enhance(brightness)
    if noise:
        # The same grain on every run: a test never depends on its draw.
        grain = np.random.default_rng(seed).normal(0.0, noise, (height, width, 1))
        pixels = np.asarray(image, dtype=np.float64) + grain
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
