"""A picture's fingerprint, to tell a picture that changed from one that did not.

A difference hash: the picture shrunk to 17 x 16 grey cells, one bit for each
cell and its right-hand neighbour, set when the cell is brighter by more than a
few grey levels. Two pictures are alike when few of the 256 bits differ (their
Hamming distance).

- JPEG noise moves a cell's mean by a fraction of a grey level, and a uniform
  change of light keeps which of two cells is brighter: few bits change.
- Flat areas (sky, a wall, the road) have neighbours equal up to that noise;
  the dead zone keeps their bits clear instead of flipping at random.
- Something that enters the picture (a person, a car) changes the edges around
  it: a person-sized figure changes about a dozen bits.

Blocking Pillow work: run it in the executor.
"""

import io
from typing import Final

import numpy as np
from PIL import Image

from .prepare import prepare_image

HASH_COLUMNS: Final = 16
HASH_ROWS: Final = 16
HASH_BITS: Final = HASH_COLUMNS * HASH_ROWS
# Pictures at most this many bits apart show the same scene (the default of the
# setup's threshold): noise and light change 3 bits at most, a person 7 or more.
ALIKE_DISTANCE: Final = 5
# Grey levels (of 255) a cell must be brighter than its neighbour by for its bit.
_DEAD_ZONE: Final = 3
# libjpeg decodes at a reduced scale, but to at least this many pixels per cell
# in each direction, so each cell still averages a few pixels' noise away.
_PIXELS_PER_CELL: Final = 4


def difference_hash(jpeg: bytes) -> int:
    """The 256-bit difference hash of a JPEG (or any picture Pillow reads)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        return _hash_of_opened(image)


def _hash_of_opened(image: Image.Image) -> int:
    """The difference hash of an opened picture, decoding it (at a reduced scale)."""
    size = (HASH_COLUMNS + 1, HASH_ROWS)
    image.draft("L", (size[0] * _PIXELS_PER_CELL, size[1] * _PIXELS_PER_CELL))
    cells = np.asarray(
        image.convert("L").resize(size, Image.Resampling.BOX), dtype=np.int16
    )
    brighter = (cells[:, :-1] - cells[:, 1:]) > _DEAD_ZONE
    return int.from_bytes(np.packbits(brighter.flatten()).tobytes(), "big")


def hash_distance(first: int, second: int) -> int:
    """How many bits of two hashes differ: 0 for the same picture."""
    return (first ^ second).bit_count()


def prepare_and_hash(data: bytes, max_edge: int) -> tuple[bytes, int]:
    """The picture prepared for the model (see prepare.py), and its hash.

    One executor job for both: the hash is of what the model gets. A JPEG
    the model gets as it is is decoded once, for the hash, which checks it too.
    """
    hashes: list[int] = []
    prepared = prepare_image(
        data, max_edge, lambda image: hashes.append(_hash_of_opened(image))
    )
    return prepared, hashes[0] if hashes else difference_hash(prepared)
