"""Build small pictures in memory for tests (Pillow)."""

import base64
import io

from PIL import Image

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
