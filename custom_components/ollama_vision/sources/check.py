"""What can be known about a request's sources before its job is queued.

The action checks a call's sources here before it queues the job, so a call
that cannot work fails at once, the same with or without a response, and an
automation's trace shows why. Checked: that a value names something that can be
fetched at all (a known scheme, an /api/ path that stays under /api/, a
media-source id); that a named camera or image entity exists; that a local file
is in an allowed folder and exists. Not checked: whatever needs the source
itself (a download, a media item's resolution, a camera's picture). The fetch
checks all of it again: an entity can go, a file be deleted, while the job waits.
"""

from collections.abc import Sequence

from homeassistant.core import HomeAssistant

from .entities import EntityPicture, check_entity
from .files import resolve_local_file
from .locate import LocalFile, locate
from .source import ImageError, ImageSource, ImageSourceKind
from .video import as_video_error


async def async_check_sources(
    hass: HomeAssistant, sources: Sequence[ImageSource]
) -> None:
    """Raise the ImageError the first source that cannot work would fail with."""
    for source in sources:
        try:
            await _async_check(hass, source)
        except ImageError as err:
            if (
                source.kind is ImageSourceKind.VIDEO
                and (video_error := as_video_error(err, source)) is not err
            ):
                raise video_error from err
            raise


async def _async_check(hass: HomeAssistant, source: ImageSource) -> None:
    if source.kind is ImageSourceKind.FRIGATE_EVENT:
        return  # its id is checked by the action; its clip may come later
    target = locate(source)
    if isinstance(target, EntityPicture):
        check_entity(hass, target, source)
    elif isinstance(target, LocalFile):
        await hass.async_add_executor_job(
            resolve_local_file, hass, target.location, source
        )
