"""Timeline snapshots: JPEG files in Home Assistant's media folder.

They live under `<media folder>/ollama_vision/<setup>/<date>/<time>_<image>.jpg`,
so the media browser's "My media" shows them without a media source of our own,
and core's authenticated `/media/...` view serves them to the frontend and the
companion apps. Writing and deleting block: call those from the executor.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.util import slugify

from ..const import DOMAIN

MEDIA_SOURCE_PREFIX = "media-source://media_source"
PREFERRED_SOURCE_DIR = "local"


@dataclass(frozen=True, slots=True)
class SnapshotLink:
    """Where a snapshot can be found: as media and as a URL for notifications."""

    media_id: str
    url: str


def file_slug(text: str, fallback: str) -> str:
    """A name safe in paths and URLs (letters, digits, underscores)."""
    return slugify(text) or fallback


@dataclass(frozen=True, slots=True)
class MediaFolder:
    """The part of a media folder where Ollama Vision keeps its snapshots."""

    source_dir_id: str
    media_dir: Path

    @classmethod
    def of(cls, hass: HomeAssistant) -> MediaFolder:
        """The "local" media folder, or the first one configured, or config/media."""
        media_dirs = hass.config.media_dirs
        if PREFERRED_SOURCE_DIR in media_dirs or not media_dirs:
            path = media_dirs.get(PREFERRED_SOURCE_DIR) or hass.config.path("media")
            return cls(PREFERRED_SOURCE_DIR, Path(path))
        source_dir_id, path = next(iter(media_dirs.items()))
        return cls(source_dir_id, Path(path))

    @property
    def root(self) -> Path:
        """The integration's own folder in the media folder."""
        return self.media_dir / DOMAIN

    def link(self, relative: str) -> SnapshotLink:
        """The media-source id and URL of a snapshot (`relative` to the media folder)."""
        return SnapshotLink(
            media_id=f"{MEDIA_SOURCE_PREFIX}/{self.source_dir_id}/{relative}",
            url=f"/media/{self.source_dir_id}/{relative}",
        )

    def write(
        self, setup_slug: str, image_name: str, taken: datetime, data: bytes
    ) -> str:
        """Save a JPEG; returns its path relative to the media folder.

        `taken` is local time: folders and names read as the user's day and clock.
        """
        folder = self.root / setup_slug / taken.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{taken.strftime('%H%M%S')}_{file_slug(image_name, 'image')}"
        path = folder / f"{stem}.jpg"
        number = 1
        # Two analyses of one image name within a second keep both pictures.
        while path.exists():
            number += 1
            path = folder / f"{stem}_{number}.jpg"
        path.write_bytes(data)
        return path.relative_to(self.media_dir).as_posix()

    def delete(self, relatives: Iterable[str]) -> None:
        """Delete snapshots, then the folders they leave empty."""
        folders: set[Path] = set()
        for relative in relatives:
            path = self.media_dir / relative
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        # Deepest first, so a day folder goes before its setup folder.
        for deepest in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            folder = deepest
            while folder != self.root and folder.is_relative_to(self.root):
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    pass  # gone already; its parent may be empty now
                except OSError:
                    break  # not empty
                folder = folder.parent
