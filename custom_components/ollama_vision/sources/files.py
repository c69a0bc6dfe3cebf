"""Local files: which file a path names, whether it may be read, and reading it.

`www/x`, `/local/x` and `local/x` all name `<config>/www/x`: Home Assistant serves
its www folder at `/local/`, and results report a www file as `local/x`. In those
spellings `..` cannot climb out of www. Other relative paths are relative to the
config folder; absolute ones stay as they are.

Whatever the spelling, the real target (symlinks followed) must be in a folder
Home Assistant allows, checked before whether the file exists, so an error
reveals nothing about other folders. Everything here blocks: run it in the
executor.
"""

from pathlib import Path
import posixpath
from typing import Final

from homeassistant.core import HomeAssistant

from .source import ImageError, ImageErrorCode, ImageSource, check_size

_WWW_SPELLINGS: Final = ("www/", "/local/", "local/")


def resolve_local_file(hass: HomeAssistant, location: str, source: ImageSource) -> Path:
    """The real path of the allowed file that location names; ImageError if none."""
    return resolve_allowed_file(hass, _config_path(hass, location, source), source)


def resolve_allowed_file(hass: HomeAssistant, path: str, source: ImageSource) -> Path:
    """The real path of path, an allowed file that exists; ImageError otherwise."""
    # (Since Python 3.13 a symlink loop resolves without raising.)
    try:
        real_path = Path(path).resolve()
    except (ValueError, OSError) as err:  # a NUL byte, a name too long
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason="not a valid file path"
        ) from err
    if not hass.config.is_allowed_path(str(real_path)):
        raise ImageError(ImageErrorCode.PATH_NOT_ALLOWED, source.value)
    # is_file() also keeps FIFOs and devices out: opening them could block.
    if not real_path.is_file():
        raise ImageError(ImageErrorCode.FILE_NOT_FOUND, source.value)
    return real_path


def read_capped(path: Path, source: ImageSource, max_bytes: int) -> bytes:
    """Read a file of at most max_bytes."""
    # Checked again: the file may have gone since it was resolved.
    if not path.is_file():
        raise ImageError(ImageErrorCode.FILE_NOT_FOUND, source.value)
    try:
        check_size(path.stat().st_size, source, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # the file may have grown
    except OSError as err:
        raise ImageError(
            ImageErrorCode.FETCH_FAILED, source.value, reason=err.strerror or str(err)
        ) from err
    check_size(len(data), source, max_bytes)
    return data


def _config_path(hass: HomeAssistant, location: str, source: ImageSource) -> str:
    """The path location names, www spellings mapped into the www folder."""
    for spelling in _WWW_SPELLINGS:
        if location.startswith(spelling):
            inside = posixpath.normpath(location.removeprefix(spelling).lstrip("/"))
            if inside == ".." or inside.startswith("../"):
                raise ImageError(ImageErrorCode.PATH_NOT_ALLOWED, source.value)
            return hass.config.path("www", inside)
    # hass.config.path keeps absolute paths and anchors relative ones.
    return hass.config.path(location)
