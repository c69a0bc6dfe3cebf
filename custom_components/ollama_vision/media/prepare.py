"""Decode, check and shrink an image for a vision model.

Everything here is CPU-bound, blocking Pillow work: call it from the executor,
never from the event loop.
"""

from collections.abc import Callable
import io
from typing import Final

from PIL import ExifTags, Image, ImageOps, JpegImagePlugin

# A decoded image costs about 4 bytes per pixel; 50 megapixels (200 MB) is far
# beyond any camera frame and well below what a small Home Assistant host survives.
MAX_PIXELS: Final = 50_000_000
JPEG_QUALITY: Final = 85

# Formats cameras and snapshot tools produce. Restricting Pillow to these keeps
# exotic decoders (EPS runs Ghostscript, for one) away from untrusted input.
_FORMATS: Final = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
# Modes every JPEG decoder handles; CMYK JPEGs are re-encoded as RGB.
_PASS_THROUGH_MODES: Final = ("RGB", "L")
# After libjpeg's reduced-size decoding at most a factor of 2 is left to shrink.
# There an area average (BOX) keeps every source pixel's weight, as a
# downscale should, at two thirds of BILINEAR's cost and a third of
# Lanczos's: a 4K frame is ready in about 35 ms on a 2-core machine.
_RESAMPLE: Final = Image.Resampling.BOX
# Non-JPEG images are first reduced by whole factors (a fast box average) until
# at most this factor is left for the filter: much faster, no visible change.
_REDUCING_GAP: Final = 3.0


class NotAnImageError(Exception):
    """The data is empty, truncated, or not in a supported image format."""


class TooManyPixelsError(Exception):
    """The image declares more pixels than may be decoded (decompression bomb)."""


def fit_within(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    """Return size scaled down so its long edge is at most max_edge (0: no limit)."""
    width, height = size
    long_edge = max(width, height)
    if max_edge <= 0 or long_edge <= max_edge:
        return size
    scale = max_edge / long_edge
    return max(1, round(width * scale)), max(1, round(height * scale))


def prepare_image(
    data: bytes,
    max_edge: int,
    read_as_is: Callable[[Image.Image], None] | None = None,
) -> bytes:
    """Decode data and return a JPEG whose long edge is at most max_edge.

    A JPEG that already fits, needs no rotation and has plain colours is
    returned byte for byte. Raises NotAnImageError or TooManyPixelsError.

    read_as_is, when given, is handed such a JPEG, opened, instead of the
    decoding that checks it is complete: it must decode it itself (any draft,
    then load), which checks it as well. So a caller that needs to read the
    picture anyway (its fingerprint) saves a second decoding.
    """
    if not data:
        raise NotAnImageError("no data")
    try:
        return _prepare(data, max_edge, read_as_is)
    except Image.DecompressionBombError as err:
        # Pillow's own, larger limit fired while reading the header.
        raise TooManyPixelsError(str(err)) from err
    except NotAnImageError, TooManyPixelsError:
        raise
    except Exception as err:
        # Pillow's decoders signal broken input with many exception types
        # (OSError, SyntaxError, ValueError, EOFError, struct.error, ...):
        # every one of them means the data is not a usable image.
        raise NotAnImageError(str(err)) from err


def _prepare(
    data: bytes, max_edge: int, read_as_is: Callable[[Image.Image], None] | None
) -> bytes:
    with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
        stored_size = image.size
        if stored_size[0] * stored_size[1] > MAX_PIXELS:
            raise TooManyPixelsError(f"{stored_size[0]}x{stored_size[1]}")
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        target = fit_within(stored_size, max_edge)

        if (
            image.format == "JPEG"
            and target == stored_size
            and orientation == 1
            and image.mode in _PASS_THROUGH_MODES
        ):
            # Decoding is the only way to be sure the file is complete; at an
            # eighth of the size libjpeg still reads every byte of it, but skips
            # most of the work (a 640x480 frame: about 0.3 ms instead of 2).
            if read_as_is is not None:
                read_as_is(image)
            else:
                image.draft(image.mode, (stored_size[0] // 8, stored_size[1] // 8))
                image.load()
            return data

        if target != stored_size and isinstance(image, JpegImagePlugin.JpegImageFile):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale (still at least the
            # target size): far less work than decoding every pixel and shrinking.
            image.draft("RGB", target)
        image.load()  # the first frame of an animation
        ImageOps.exif_transpose(image, in_place=True)

        return _encode(_to_rgb(image), max_edge)


def prepare_frame(frame: Image.Image, max_edge: int) -> bytes:
    """Return a decoded RGB picture (a video frame) as a JPEG within max_edge."""
    return _encode(frame, max_edge)


def _encode(frame: Image.Image, max_edge: int) -> bytes:
    """Shrink an RGB picture to max_edge and encode it as the model's JPEG."""
    final_size = fit_within(frame.size, max_edge)
    if frame.size != final_size:
        frame = frame.resize(final_size, _RESAMPLE, reducing_gap=_REDUCING_GAP)
    output = io.BytesIO()
    frame.save(output, format="JPEG", quality=JPEG_QUALITY)
    return output.getvalue()


def _to_rgb(image: Image.Image) -> Image.Image:
    """Return image in RGB, transparent areas on white rather than black."""
    if image.mode == "RGB":
        return image
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
