"""Image entities: the latest picture of each image name, beside its sensor.

An image name's image entity shows the picture of its latest analysis: the
timeline's snapshot file, read when a browser asks; with snapshots off (or a
snapshot that could not be written), the picture the model got, kept in memory
until the next one or a restart. Dashboards show it with Home Assistant's own
authentication: `/api/image_proxy/<entity_id>?token=...`, the token in the
entity's `entity_picture`. The sensor of the image name shows that link too.

The token changes with each picture, not every five minutes as core's does,
because the sensor carries it: a new token every five minutes would rewrite
the sensor's state as often, and a state trigger without `to:` would fire each
time. Only the latest picture's token works, so a copied link shows the picture
it was made for and nothing later.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, override

from homeassistant.components.image import ImageEntity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .entity import (
    SIGNAL_PICTURE_LINK,
    ImageNameEntities,
    OllamaVisionEntity,
    image_key,
    image_name_entries,
    image_object_id,
    image_sensor_entries,
)
from .pipeline.job import AnalysisResult
from .pipeline.sink import SIGNAL_PICTURE_ANALYZED
from .runtime import OllamaVisionConfigEntry
from .timeline.recorder import SnapshotChanges
from .timeline.snapshot_files import MediaFolder

PARALLEL_UPDATES = 0


@dataclass(frozen=True, slots=True)
class Picture:
    """What an image entity shows: a snapshot file, or a picture kept in memory
    (a new snapshot's picture too, until its file is written)."""

    taken: datetime
    snapshot: str | None = None  # the snapshot's media id
    file: Path | None = None  # and its file
    content: bytes | None = None


@dataclass(frozen=True, slots=True)
class PictureStoredData(ExtraStoredData):
    """What an image entity keeps across restarts: its snapshot and its time."""

    snapshot: str | None
    taken: str

    @override
    def as_dict(self) -> dict[str, Any]:
        """As stored in Home Assistant's restore state file."""
        return {"snapshot": self.snapshot, "taken": self.taken}


def snapshot_file(hass: HomeAssistant, media_id: str) -> Path | None:
    """The file of a timeline snapshot's media id; None for any other media id."""
    folder = MediaFolder.of(hass)
    prefix = folder.link("").media_id
    if not media_id.startswith(prefix):
        return None
    relative = PurePosixPath(media_id.removeprefix(prefix))
    if relative.parts[:1] != (DOMAIN,) or ".." in relative.parts:
        return None
    return folder.media_dir.joinpath(*relative.parts)


def result_picture(hass: HomeAssistant, result: AnalysisResult) -> Picture | None:
    """A result's snapshot file (and its picture, until the file is written),
    else the picture the model got."""
    if result.snapshot is not None and (
        file := snapshot_file(hass, media_id := result.snapshot.media_id)
    ):
        return Picture(
            result.analyzed_at, snapshot=media_id, file=file, content=result.key_image
        )
    if result.key_image is not None:
        return Picture(result.analyzed_at, content=result.key_image)
    return None


def stored_picture(hass: HomeAssistant, stored: dict[str, Any]) -> Picture | None:
    """The snapshot an image entity showed before a restart (or a reload).

    A picture that was kept in memory only is gone.
    """
    media_id, taken = stored.get("snapshot"), stored.get("taken")
    if not isinstance(media_id, str) or not isinstance(taken, str):
        return None
    file = snapshot_file(hass, media_id)
    when = dt_util.parse_datetime(taken)
    if file is None or when is None:
        return None
    return Picture(when, snapshot=media_id, file=file)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OllamaVisionConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Bring back an image entity beside each image sensor, then show each result."""
    registry = er.async_get(hass)
    sensors = image_sensor_entries(registry, entry.entry_id)
    # An image entity goes with its sensor; one whose sensor was deleted while
    # the setup was not loaded (Home Assistant then lets a person delete it)
    # goes now.
    for image_name, registry_entry in image_name_entries(
        registry, entry.entry_id, Platform.IMAGE
    ).items():
        if image_name not in sensors:
            registry.async_remove(registry_entry.entity_id)

    images: ImageNameEntities[LatestPicture] = ImageNameEntities()
    async_add_entities(
        images.track(image_name, LatestPicture(hass, entry, image_name))
        for image_name in sensors
    )

    @callback
    def show_result(result: AnalysisResult) -> None:
        image_name = result.request.image_name
        picture = result_picture(hass, result)
        if (image := images.get(image_name)) is not None:
            image.async_show(picture)
        else:
            async_add_entities(
                [
                    images.track(
                        image_name, LatestPicture(hass, entry, image_name, picture)
                    )
                ]
            )

    entry.async_on_unload(
        async_dispatcher_connect(
            hass, SIGNAL_PICTURE_ANALYZED.format(entry.entry_id), show_result
        )
    )

    @callback
    def snapshots_changed(changes: SnapshotChanges) -> None:
        """A new snapshot is on disk: its image entity reads the file from now
        on. The timeline deleted snapshots (its clean, its cap or
        `clear_timeline`), or could not write one: an image entity showing one
        shows its picture from memory if it still has it, else nothing.

        Told which ones, rather than checking every entity's file on each
        change: a job would otherwise cost a file check per image name.
        """
        if changes.deleted:
            for image in images.live():
                if (picture := image.picture) is not None and (
                    picture.snapshot in changes.deleted
                ):
                    image.async_lose(picture)
        if changes.written is None or changes.image_name is None:
            return
        written = images.get(changes.image_name)
        if (
            written is not None
            and (picture := written.picture) is not None
            and picture.snapshot == changes.written
        ):
            written.async_snapshot_written(picture)

    entry.async_on_unload(
        entry.runtime_data.timeline.async_add_snapshot_listener(snapshots_changed)
    )


class LatestPicture(OllamaVisionEntity, ImageEntity, RestoreEntity):
    """The picture of one image name's latest analysis; kept across restarts."""

    _attr_translation_key = "picture"

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OllamaVisionConfigEntry,
        image_name: str,
        picture: Picture | None = None,
    ) -> None:
        """Create the image entity of `image_name`, showing `picture` when given."""
        OllamaVisionEntity.__init__(self, entry, image_key(image_name))
        ImageEntity.__init__(self, hass)
        self.image_name = image_name
        self._attr_name = image_name
        self.picture: Picture | None = None
        if picture is not None:
            self._show(picture)

    @property
    @override
    def suggested_object_id(self) -> str:
        """The image name, as for its sensor (`image.<setup>_<image name>`)."""
        return image_object_id(self.image_name)

    @property
    @override
    def available(self) -> bool:
        """Unavailable while there is no picture to show."""
        return self.picture is not None

    @property
    @override
    def entity_picture(self) -> str | None:
        """The picture's link; none without a picture (it would answer an error)."""
        return super().entity_picture if self.picture is not None else None

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the last snapshot after a restart; tell the sensor the link."""
        await super().async_added_to_hass()
        if (
            self.picture is None
            and (stored := await self.async_get_last_extra_data()) is not None
            and (picture := stored_picture(self.hass, stored.as_dict())) is not None
            and picture.file is not None
            and await self.hass.async_add_executor_job(picture.file.is_file)
        ):
            self._show(picture)
        self._announce_link(self.entity_picture)

    @property
    @override
    def extra_restore_state_data(self) -> PictureStoredData | None:
        """The snapshot shown (none for a picture in memory), for after a restart."""
        if self.picture is None:
            return None
        return PictureStoredData(self.picture.snapshot, self.picture.taken.isoformat())

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Take the link off the sensor, unless the sensor is going too."""
        await super().async_will_remove_from_hass()
        if self._entry.state is not ConfigEntryState.UNLOAD_IN_PROGRESS:
            self._announce_link(None)

    @override
    @callback
    def async_update_token(self) -> None:
        """Keep the token until the picture changes (see the module's docstring).

        Home Assistant calls this every five minutes, then writes the state:
        with the same token, that write changes nothing and records nothing.
        """
        if not self.access_tokens:
            super().async_update_token()

    @override
    async def async_image(self) -> bytes | None:
        """The picture's bytes: the snapshot file, read in the executor, or memory."""
        picture = self.picture
        if picture is None:
            return None
        if picture.file is None or picture.content is not None:
            return picture.content
        try:
            return await self.hass.async_add_executor_job(picture.file.read_bytes)
        except OSError:
            # Deleted behind the timeline's back (My media lets a person do it).
            self.async_lose(picture)
            return None

    @callback
    def async_show(self, picture: Picture | None) -> None:
        """Show a new result's picture (the sensor reads the new link next)."""
        if picture is None:
            self.picture = None
        else:
            self._show(picture)
        self.async_write_ha_state()

    @callback
    def async_lose(self, picture: Picture) -> None:
        """The picture's file is gone: shown from memory if it was still kept
        (a snapshot not written), else unavailable until the next one."""
        if self.picture is not picture:
            return
        if picture.content is not None:
            # Same picture, same link: only where it is read from changes.
            self.picture = dataclasses.replace(picture, snapshot=None, file=None)
            return
        self.picture = None
        self.async_write_ha_state()
        self._announce_link(None)

    @callback
    def async_snapshot_written(self, picture: Picture) -> None:
        """The snapshot shown is on disk: the picture need not stay in memory."""
        if self.picture is picture:
            self.picture = dataclasses.replace(picture, content=None)

    def _show(self, picture: Picture) -> None:
        self.picture = picture
        self._attr_image_last_updated = picture.taken
        # A new token for a new picture, and the last one no longer works.
        self.access_tokens.clear()
        super().async_update_token()

    def _announce_link(self, link: str | None) -> None:
        """Tell the sensor a link it would not hear of with a new result."""
        async_dispatcher_send(
            self.hass,
            SIGNAL_PICTURE_LINK.format(self._entry.entry_id, self.image_name),
            link,
        )
