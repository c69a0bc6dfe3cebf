"""Which frames of a clip to look at, and which packets to decode to reach them.

Pure functions on the packets' times (in the stream's ticks) in decoding order,
as the demuxer gives them: no decoding here.

A frame can only be decoded from the key frame before it, through every packet
between them: a group of pictures is decoded from its key frame up to the last
frame wanted in it, and nothing after. Frames are looked at no further apart
than a gap (a second, for clips of usual length), so that anything seen for at
least that long is among them, whatever the key-frame spacing.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Packet:
    """One video packet: its presentation time, whether it is a key frame, and
    its decoding time if the container gives one (it differs with B-frames)."""

    pts: int
    key: bool
    dts: int | None = None


@dataclass(frozen=True, slots=True)
class DecodePlan:
    """What to hand to the decoder to get the wanted frames."""

    # Where to seek to: the first key frame's decoding time, what demuxers
    # seek by (a search by its presentation time can land just past it).
    start: int
    # The packets to decode (their times); the others are never decoded.
    decode: frozenset[int]
    # The frames wanted from them (their times).
    wanted: frozenset[int]


def groups_of_pictures(packets: Sequence[Packet]) -> list[list[Packet]]:
    """The packets from each key frame to the next, in decoding order.

    Packets before the first key frame make a group of their own: the decoder
    may still show some of them (a stream cut in the middle of a group, or one
    that marks no key frame at all).
    """
    groups: list[list[Packet]] = []
    for packet in packets:
        if packet.key or not groups:
            groups.append([packet])
        else:
            groups[-1].append(packet)
    return groups


def decodable_times(packets: Sequence[Packet]) -> list[int]:
    """The times of the frames that can be decoded, in time order.

    A group's frames shown before its key frame (B-frames of an open group)
    depend on the group before; they are left out, so that no frame is wanted
    that needs more than its own group.
    """
    return sorted(
        packet.pts
        for group in groups_of_pictures(packets)
        for packet in group
        if packet.pts >= group[0].pts
    )


def decoding_steps(packets: Sequence[Packet]) -> dict[int, int]:
    """For each frame, how many packets must be decoded to get it again."""
    return {
        packet.pts: step
        for group in groups_of_pictures(packets)
        for step, packet in enumerate(group, start=1)
    }


def frames_to_examine(times: Sequence[int], max_gap: int, max_count: int) -> list[int]:
    """The times of the frames to look at: the first, then none further than
    max_gap from the one before, the last within max_gap of the end.

    Each is the latest frame within max_gap of the one before, so as few as
    possible are looked at. When more than max_count would be needed, the gap
    widens until they fit: at most max_count, the first always.
    """
    if not times:
        return []
    if max_count < 2:
        return [times[0]]
    gap = max(max_gap, -(-(times[-1] - times[0]) // (max_count - 1)))
    while len(examined := _spread(times, gap)) > max_count:
        gap += gap // 4 + 1
    return examined


def _spread(times: Sequence[int], gap: int) -> list[int]:
    examined = [times[0]]
    while examined[-1] + gap < times[-1]:
        index = bisect_right(times, examined[-1] + gap) - 1
        if times[index] == examined[-1]:
            index += 1  # no frame within the gap: the next there is
        examined.append(times[index])
    return examined


def plan_decoding(packets: Sequence[Packet], wanted: Sequence[int]) -> DecodePlan:
    """Which packets to decode for the wanted frames: in each group that has
    one, from its key frame up to the last wanted in decoding order."""
    wanted_set = frozenset(wanted)
    decode: set[int] = set()
    starts: list[int] = []
    for group in groups_of_pictures(packets):
        reach = [
            end for end, packet in enumerate(group, start=1) if packet.pts in wanted_set
        ]
        if reach:
            decode.update(packet.pts for packet in group[: reach[-1]])
            key = group[0]
            starts.append(key.pts if key.dts is None else key.dts)
    return DecodePlan(
        start=min(starts, default=0),
        decode=frozenset(decode),
        wanted=wanted_set & decode,
    )
