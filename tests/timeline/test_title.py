"""One line for an entry: a description's first sentence, a structured answer's fields."""

from custom_components.ollama_vision.timeline.title import (
    AnswerWords,
    entry_title,
    first_sentence,
)

WORDS = AnswerWords(yes="ja", no="nei")


def test_structured_answer_in_words() -> None:
    data = {
        "parcel": True,
        "dog": False,
        "cars": 2.0,
        "speed_kmh": 31.5,
        "colours": ["red", "blue"],
        "plate": "AB 12345",
        "driver": {"seen": True, "age": 40.0},
    }
    assert entry_title("{...}", data, WORDS) == (
        "Parcel: ja · Dog: nei · Cars: 2 · Speed kmh: 31.5 · Colours: red, blue"
        " · Plate: AB 12345 · Driver: (Seen: ja · Age: 40)"
    )


def test_fields_the_model_left_out_say_nothing() -> None:
    assert entry_title(
        "{}", {"plate": None, "notes": "", "tags": [], "cars": 0}, WORDS
    ) == ("Cars: 0")


def test_without_fields_the_first_sentence() -> None:
    assert entry_title("A cat. A dog.", None, WORDS) == "A cat."
    assert entry_title("A cat. A dog.", {"plate": None}, WORDS) == "A cat."
    assert entry_title("A cat. A dog.", ["not", "a", "structure"], WORDS) == "A cat."


def test_long_titles_are_cut() -> None:
    title = entry_title("", {"notes": "word " * 40}, WORDS)
    assert len(title) == 120
    assert title.endswith("…")
    assert first_sentence("word " * 60).endswith("…")
