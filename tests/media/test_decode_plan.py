"""Which frames are looked at, and which packets are decoded to reach them."""

from custom_components.ollama_vision.media.decode_plan import (
    DecodePlan,
    Packet,
    decodable_times,
    decoding_steps,
    frames_to_examine,
    groups_of_pictures,
    plan_decoding,
)


def stream(*times: int, keys: tuple[int, ...] = (0,)) -> list[Packet]:
    """Packets in decoding order; those at `keys` are key frames."""
    return [Packet(pts, pts in keys) for pts in times]


# Key frames every 10 ticks, no B-frames: decoding order is time order.
TWO_GROUPS = stream(*range(20), keys=(0, 10))
# A B-frame pair before each P-frame, decoded after it; the second group is
# open: its first two B-frames (4, 5) are shown before its key frame (6).
OPEN_GROUPS = stream(0, 3, 1, 2, 6, 4, 5, 9, 7, 8, keys=(0, 6))


def test_groups_start_at_key_frames() -> None:
    """Packets before the first key frame (a cut stream) make a group too."""
    groups = groups_of_pictures(stream(7, 8, 9, 10, 11, keys=(9,)))

    assert [[packet.pts for packet in group] for group in groups] == [
        [7, 8],
        [9, 10, 11],
    ]


def test_frames_shown_before_their_key_frame_are_not_decodable() -> None:
    assert decodable_times(TWO_GROUPS) == list(range(20))
    assert decodable_times(OPEN_GROUPS) == [0, 1, 2, 3, 6, 7, 8, 9]


def test_decoding_steps_count_from_the_key_frame() -> None:
    assert decoding_steps(OPEN_GROUPS) == {
        0: 1,
        3: 2,
        1: 3,
        2: 4,
        6: 1,
        4: 2,
        5: 3,
        9: 4,
        7: 5,
        8: 6,
    }


def test_examined_at_most_a_gap_apart() -> None:
    """Each the latest within the gap; the end within the gap of the last."""
    assert frames_to_examine(list(range(0, 100, 3)), 10, 240) == [
        0,
        9,
        18,
        27,
        36,
        45,
        54,
        63,
        72,
        81,
        90,
    ]
    assert frames_to_examine([0, 5], 10, 240) == [0]
    assert frames_to_examine([], 10, 240) == []


def test_a_hole_longer_than_the_gap_takes_the_next_frame() -> None:
    assert frames_to_examine([0, 4, 30, 34, 38], 10, 240) == [0, 4, 30]


def test_too_many_widen_the_gap() -> None:
    """At most max_count, spread over the whole clip, the first always."""
    assert frames_to_examine(list(range(1001)), 10, 5) == [0, 250, 500, 750]
    # Pairs of frames 1 apart, 11 from pair to pair: a gap of 10 takes both of
    # each pair (37 frames); widened to fit 8, one of each third pair.
    times = [start + offset for start in range(0, 200, 11) for offset in (0, 1)]
    assert len(frames_to_examine(times, 10, 240)) == 37
    assert frames_to_examine(times, 10, 8) == [0, 34, 67, 100, 133, 166]
    assert frames_to_examine(times, 10, 1) == [0]


def test_each_group_is_decoded_up_to_its_last_wanted_frame() -> None:
    assert plan_decoding(TWO_GROUPS, [0, 5, 10]) == DecodePlan(
        start=0, decode=frozenset({0, 1, 2, 3, 4, 5, 10}), wanted=frozenset({0, 5, 10})
    )
    assert plan_decoding(TWO_GROUPS, [15]) == DecodePlan(
        start=10, decode=frozenset(range(10, 16)), wanted=frozenset({15})
    )


def test_b_frames_are_reached_in_decoding_order() -> None:
    """A B-frame needs the P-frame after it, decoded before it."""
    assert plan_decoding(OPEN_GROUPS, [2]).decode == {0, 3, 1, 2}
    assert plan_decoding(OPEN_GROUPS, [7]).decode == {6, 4, 5, 9, 7}


def test_frames_not_in_the_clip_are_not_wanted() -> None:
    assert plan_decoding(TWO_GROUPS, [25]) == DecodePlan(
        start=0, decode=frozenset(), wanted=frozenset()
    )
