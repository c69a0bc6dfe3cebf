"""A still picture for the model: one source fetched, checked and prepared."""

from collections.abc import Sequence

from homeassistant.core import HomeAssistant

from ..media.picture_hash import prepare_and_hash
from ..media.prepare import MAX_PIXELS, NotAnImageError, TooManyPixelsError
from .fetch import async_fetch_source
from .source import (
    ImageError,
    ImageErrorCode,
    ImageLimits,
    ImageSource,
    PreparedImage,
)


async def async_get_images(
    hass: HomeAssistant, sources: Sequence[ImageSource], limits: ImageLimits
) -> list[PreparedImage]:
    """Fetch and prepare every source, in order; raise ImageError for a bad one.

    One at a time, so at most one full-size image is held in memory.
    """
    images: list[PreparedImage] = []
    for source in sources:
        data = await async_fetch_source(hass, source, limits)
        images.append(await _async_prepare(hass, source, data, limits))
    return images


async def _async_prepare(
    hass: HomeAssistant, source: ImageSource, data: bytes, limits: ImageLimits
) -> PreparedImage:
    try:
        # The hash costs about half a millisecond beside the preparation: it is
        # taken for every still, so an image name always knows what the model
        # last saw (pipeline/unchanged.py).
        prepared_data, picture_hash = await hass.async_add_executor_job(
            prepare_and_hash, data, limits.max_edge
        )
    except NotAnImageError as err:
        raise ImageError(ImageErrorCode.NOT_AN_IMAGE, source.value) from err
    except TooManyPixelsError as err:
        raise ImageError(
            ImageErrorCode.TOO_MANY_PIXELS,
            source.value,
            max_megapixels=f"{MAX_PIXELS / 1_000_000:g}",
        ) from err
    return PreparedImage(source=source, data=prepared_data, picture_hash=picture_hash)
