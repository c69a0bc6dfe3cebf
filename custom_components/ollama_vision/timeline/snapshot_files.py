"""Timeline snapshots: JPEG files in Home Assistant's media folder.

They live under `<media folder>/ollama_vision/<setup>/<date>/<time>_<image>.jpg`,
so the media browser's "My media" shows them without a media source of our own,
and core's authenticated `/media/...` view serves them to the frontend and the
companion apps. Writing and deleting block: call those from the executor.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime
import hashlib
from pathlib import Path

from slugify import slugify

from homeassistant.core import HomeAssistant

from ..const import DOMAIN

MEDIA_SOURCE_PREFIX = "media-source://media_source"
PREFERRED_SOURCE_DIR = "local"
# The longest file or folder name common file systems take (ext4, APFS, NTFS
# count 255 bytes or UTF-16 units; a slug is ASCII, so bytes it is).
NAME_MAX_BYTES = 255
TIME_FORMAT = "%H%M%S"
SUFFIX = ".jpg"
# What a snapshot's name has besides the image's slug: the time and an
# underscore before it, a counter ("_2": two pictures in one second) and
# the suffix after it.
SNAPSHOT_SLUG_MAX_BYTES = NAME_MAX_BYTES - len("000000_") - len("_9999") - len(SUFFIX)
HASH_LENGTH = 8


@dataclass(frozen=True, slots=True)
class SnapshotName:
    """A snapshot's file name, relative to the media folder: `<folder>/<stem>.jpg`,
    or `<stem>_<number>.jpg` for the second and later of one second."""

    folder: str
    stem: str
    number: int = 1

    @property
    def relative(self) -> str:
        """The path relative to the media folder."""
        counter = f"_{self.number}" if self.number > 1 else ""
        return f"{self.folder}/{self.stem}{counter}{SUFFIX}"

    def next(self) -> SnapshotName:
        """The name with the next number."""
        return SnapshotName(self.folder, self.stem, self.number + 1)


@dataclass(frozen=True, slots=True)
class SnapshotLink:
    """Where a snapshot can be found: as media and as a URL for notifications
    (for a signed-in client; signed_url, when made, for a browser that is not,
    until it expires)."""

    media_id: str
    url: str
    signed_url: str | None = None


def name_hash(text: str) -> str:
    """A short tag of `text` that stays the same across restarts."""
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def _slug(text: str) -> str:
    """Letters, digits and underscores, as Home Assistant's entity ids have them.

    The slugify library rather than Home Assistant's wrapper of it, which
    answers "unknown" for a text with nothing left: one name for all of those.
    """
    return slugify(text, separator="_")


def has_slug(text: str) -> bool:
    """Whether any letter or digit of `text` is left in a slug."""
    return bool(_slug(text))


def file_slug(text: str, fallback: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """A name safe in paths and URLs (letters, digits, underscores), at most `max_bytes`.

    `fallback` when no letter or digit is left. Cut to fit, the slug ends with
    a hash of the whole text, so long names that start alike stay apart.
    """
    slug = _slug(text) or fallback
    if len(slug.encode()) <= max_bytes:
        return slug
    tag = name_hash(text)
    head = slug.encode()[: max_bytes - len(tag) - 1].decode(errors="ignore")
    return f"{head.rstrip('_')}_{tag}"


def image_slug(image_name: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """An image name in a file name or an entity id.

    A name with no letters or digits ("!!!", an emoji) becomes `image_<hash>`:
    the same for the same name, and different for another such name.
    """
    return file_slug(image_name, f"image_{name_hash(image_name)}", max_bytes)


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

    def name(
        self,
        setup_slug: str,
        image_name: str,
        taken: datetime,
        given_out: Container[str],
    ) -> SnapshotName:
        """A new snapshot's name, chosen without touching the disk: the first
        not in `given_out` (the names given out lately).

        `taken` is local time: folders and names read as the user's day and clock.
        """
        folder = f"{DOMAIN}/{setup_slug}/{taken.strftime('%Y-%m-%d')}"
        slug = image_slug(image_name, SNAPSHOT_SLUG_MAX_BYTES)
        name = SnapshotName(folder, f"{taken.strftime(TIME_FORMAT)}_{slug}")
        # Two analyses of one image name within a second keep both pictures.
        while name.relative in given_out:
            name = name.next()
        return name

    def write(self, name: SnapshotName, data: bytes) -> str:
        """Save a JPEG under its name; returns its path relative to the media folder.

        Under the next free number should a file have that name already (one
        another process wrote within the same second).
        """
        folder = self.media_dir / name.folder
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                with (self.media_dir / name.relative).open("xb") as file:
                    file.write(data)
            except FileExistsError:
                name = name.next()
            else:
                return name.relative

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
