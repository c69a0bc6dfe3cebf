"""Assist: the LLM API "Ollama Vision", its tools and its prompt, and a whole
conversation through core's Ollama integration against the emulator."""

from collections.abc import Callable
from datetime import timedelta
from importlib import metadata
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    MockUser,
    async_capture_events,
    mock_integration,
    mock_platform,
)

from custom_components.ollama_vision.const import DOMAIN, EVENT_IMAGE_ANALYZED
from custom_components.ollama_vision.timeline.recorder import database_path
from custom_components.ollama_vision.timeline.store import TimelineStore
import homeassistant
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import analyze, entry_data, state_of
from tests.image_server import ImageServer, make_jpeg
from tests.ollama_emulator import OllamaEmulator, ToolRule
from tests.ollama_emulator.tools import QUOTE
from tests.picture_entities import StillCamera, platform
from tests.servers import StartEmulators

GREY = "Image 1 is 640x480 pixels, mostly grey."


def sentence(colour: str) -> str:
    """What the emulated vision model says about a 320x240 picture of one colour."""
    return f"Image 1 is 320x240 pixels, mostly {colour}."


@pytest.fixture
async def cameras(hass: HomeAssistant) -> None:
    """Two cameras: the garage, exposed to Assist, and the driveway, not."""
    mock_integration(hass, MockModule("test"))
    snapshot = make_jpeg(640, 480, colour=(120, 120, 120))
    mock_platform(
        hass,
        "test.camera",
        MockPlatform(
            async_setup_platform=platform(
                lambda _: [
                    StillCamera("Garage", snapshot),
                    StillCamera("Driveway", snapshot),
                    StillCamera("Shed", snapshot, on=False),
                ]
            )
        ),
    )
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.async_block_till_done()
    async_expose_entity(hass, "conversation", "camera.garage", True)
    async_expose_entity(hass, "conversation", "camera.shed", True)
    async_expose_entity(hass, "conversation", "camera.driveway", False)


def llm_context(user_id: str | None = None) -> llm.LLMContext:
    """What a conversation agent hands the API for one turn."""
    return llm.LLMContext(
        platform="conversation",
        context=Context(user_id=user_id),
        language="en",
        assistant="conversation",
        device_id=None,
    )


def entries_of(result: llm.ToolResult) -> list[dict[str, Any]]:
    """The entries a search answered with."""
    assert not result.error, result.data
    entries = result.data["entries"]
    assert isinstance(entries, list)
    return [entry for entry in entries if isinstance(entry, dict)]


async def call_tool(
    hass: HomeAssistant, name: str, user_id: str | None = None, **arguments: Any
) -> llm.ToolResult:
    """One call of one of the API's tools, as a conversation agent makes it."""
    api = await llm.async_get_api(hass, DOMAIN, llm_context(user_id))
    return await api.async_call_tool(llm.ToolInput(name, arguments))


def picture(image_server: ImageServer, name: str, colour: tuple[int, int, int]) -> str:
    """A 320x240 picture of one colour on the image server; its URL."""
    image_server.add(f"/{name}.jpg", make_jpeg(320, 240, colour=colour))
    return image_server.url(f"/{name}.jpg")


async def analyses_this_morning(
    hass: HomeAssistant, image_server: ImageServer, freezer: FrozenDateTimeFactory
) -> list[str]:
    """Today at 08:00, 08:10 and 08:20 (local time): the door red, the garden
    green, the door blue. Their times, as the tool gives them."""
    morning = dt_util.start_of_local_day() + timedelta(hours=8)
    freezer.move_to(morning)
    times = []
    for name, colour, rgb in (
        ("door", "red", (220, 20, 20)),
        ("garden", "green", (20, 200, 20)),
        ("door", "blue", (20, 20, 220)),
    ):
        url = picture(image_server, colour, rgb)
        answer = await analyze(hass, response=True, image_url=url, image_name=name)
        moment = dt_util.parse_datetime(answer["analyzed_at"])
        assert moment is not None
        times.append(dt_util.as_local(moment).isoformat(timespec="seconds"))
        freezer.tick(timedelta(minutes=10))
    return times


async def test_registered_once_with_two_tools_and_a_prompt(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    cameras: None,
    door_jpeg: str,
) -> None:
    """One API for every setup; its prompt names the image names and the
    cameras exposed to Assist (not the others)."""
    await analyze(hass, response=True, image_url=door_jpeg, image_name="front_door")
    (api,) = [api for api in llm.async_get_apis(hass) if api.id == DOMAIN]
    assert api.name == "Ollama Vision"

    instance = await llm.async_get_api(hass, DOMAIN, llm_context())

    assert [tool.name for tool in instance.tools] == [
        "search_camera_history",
        "look_at_camera",
    ]
    prompt = instance.api_prompt
    assert "search_camera_history" in prompt
    assert "look_at_camera" in prompt
    assert "Image names on the timeline: front_door." in prompt
    assert "camera.garage (Garage)" in prompt
    assert "camera.shed (Shed)" in prompt
    assert "camera.driveway" not in prompt
    assert hass.config.time_zone in prompt


async def test_unregistered_when_home_assistant_stops(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The API goes with Home Assistant, not with a setup's unload."""
    await hass.config_entries.async_unload(setup_entry.entry_id)
    assert DOMAIN in [api.id for api in llm.async_get_apis(hass)]
    await hass.async_stop(force=True)
    assert DOMAIN not in [api.id for api in llm.async_get_apis(hass)]


async def test_prompt_without_cameras_or_names(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Nothing analysed and no camera exposed: the prompt says so."""
    prompt = (await llm.async_get_api(hass, DOMAIN, llm_context())).api_prompt
    assert "Image names on the timeline: none yet" in prompt
    assert "expose a camera to Assist first" in prompt


async def test_search_today_newest_first(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without arguments: today's entries, newest first, each with its time,
    image name and description."""
    times = await analyses_this_morning(hass, image_server, freezer)

    result = await call_tool(hass, "search_camera_history")

    assert not result.error
    assert result.data == {
        "start": dt_util.start_of_local_day().isoformat(),
        "end": dt_util.now().isoformat(),
        "entries": [
            {"time": times[2], "image_name": "door", "description": sentence("blue")},
            {
                "time": times[1],
                "image_name": "garden",
                "description": sentence("green"),
            },
            {"time": times[0], "image_name": "door", "description": sentence("red")},
        ],
        "more": False,
    }


async def test_search_by_words_name_and_period(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`text` matches words in any case, `image_name` one name, and a date
    alone as the end takes in that whole day."""
    await analyses_this_morning(hass, image_server, freezer)
    today = dt_util.now().date().isoformat()
    freezer.tick(timedelta(days=1))

    def descriptions(result: llm.ToolResult) -> list[Any]:
        return [entry["description"] for entry in entries_of(result)]

    assert descriptions(await call_tool(hass, "search_camera_history")) == []
    assert descriptions(
        await call_tool(hass, "search_camera_history", start=today, end=today)
    ) == [sentence("blue"), sentence("green"), sentence("red")]
    assert descriptions(
        await call_tool(hass, "search_camera_history", end=today, text="GREEN")
    ) == [sentence("green")]
    assert descriptions(
        await call_tool(
            hass, "search_camera_history", end=today, image_name="door", text="red"
        )
    ) == [sentence("red")]
    eight_fifteen = f"{today}T08:15:00"
    assert descriptions(
        await call_tool(hass, "search_camera_history", start=eight_fifteen)
    ) == [sentence("blue")]


async def test_search_gives_fifty_at_most(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Of 60 entries today, the newest 50, and `more` says there are others."""
    first = dt_util.start_of_local_day() + timedelta(minutes=1)

    def add() -> None:
        store = TimelineStore(database_path(hass, setup_entry.entry_id))
        try:
            for number in range(60):
                store.add(
                    analyzed_at=first + timedelta(seconds=number),
                    image_name="drive",
                    description=f"Car {number}.",
                    data=None,
                    snapshot=None,
                    snapshot_bytes=0,
                )
        finally:
            store.close()

    await hass.async_add_executor_job(add)

    result = await call_tool(hass, "search_camera_history")

    entries = entries_of(result)
    assert len(entries) == 50
    assert [entry["description"] for entry in (entries[0], entries[-1])] == [
        "Car 59.",
        "Car 10.",
    ]
    assert result.data["more"] is True


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        ({"start": "soon"}, "timeline_invalid_start", "The start soon is not a date"),
        ({"end": "2026-13-40"}, "timeline_invalid_end", "The end 2026-13-40 is not"),
        (
            {"start": "2026-11-05T10:00:00", "end": "2026-11-05T09:00:00"},
            "timeline_invalid_range",
            "is not before the end",
        ),
        ({"image_name": 3}, "assist_invalid_arguments", "arguments are not valid"),
        ({"camera": "garage"}, "assist_invalid_arguments", "arguments are not valid"),
    ],
)
async def test_search_refuses_bad_arguments(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    arguments: dict[str, Any],
    code: str,
    words: str,
) -> None:
    """A tool error the model can read and act on, never a traceback."""
    result = await call_tool(hass, "search_camera_history", **arguments)
    assert result.error
    assert result.data["error"] == code
    assert words in str(result.data["error_text"])


async def test_search_reads_the_setups_the_user_may_read(
    hass: HomeAssistant,
    make_entry: Callable[..., MockConfigEntry],
    door_jpeg: str,
) -> None:
    """As on the card: a user who may read Front door's calendar only searches
    Front door's timeline; without a user (a voice satellite), every setup's."""
    front, garden = make_entry("Front door"), make_entry("Garden")
    assert await hass.config_entries.async_setup(front.entry_id)
    await hass.async_block_till_done()
    for setup in (front, garden):
        await analyze(
            hass,
            response=True,
            image_url=door_jpeg,
            image_name=setup.title,
            config_entry_id=setup.entry_id,
        )
    user = MockUser(name="Guest").add_to_hass(hass)
    user.mock_policy(
        {"entities": {"entity_ids": {"calendar.front_door_timeline": True}}}
    )

    def names(result: llm.ToolResult) -> list[Any]:
        return [entry["image_name"] for entry in entries_of(result)]

    assert names(await call_tool(hass, "search_camera_history", user.id)) == [
        "Front door"
    ]
    assert names(await call_tool(hass, "search_camera_history")) == [
        "Garden",
        "Front door",
    ]
    prompt = (await llm.async_get_api(hass, DOMAIN, llm_context(user.id))).api_prompt
    assert "Image names on the timeline: Front door." in prompt


async def test_look_at_an_exposed_camera(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    cameras: None,
    ollama_emulator: OllamaEmulator,
) -> None:
    """The question goes to the vision model with the camera's picture, through
    the queue; the answer goes to the conversation only."""
    analyzed = async_capture_events(hass, EVENT_IMAGE_ANALYZED)
    before = len(ollama_emulator.generate_requests())

    result = await call_tool(
        hass,
        "look_at_camera",
        entity_id="camera.garage",
        question="Is the garage door open?",
    )

    assert not result.error, result.data
    assert result.data == {
        "entity_id": "camera.garage",
        "answer": GREY,
        "time": result.data["time"],
    }
    assert dt_util.parse_datetime(str(result.data["time"])) is not None
    (request,) = ollama_emulator.generate_requests()[before:]
    assert request.model == "moondream:latest"
    assert request.prompt == "Is the garage door open?"
    assert request.images == [(640, 480)]
    await hass.async_block_till_done()
    assert analyzed == []
    assert not [
        entity_id
        for entity_id in hass.states.async_entity_ids("sensor")
        if "garage" in entity_id
    ]
    assert entries_of(await call_tool(hass, "search_camera_history")) == []


@pytest.mark.parametrize(
    ("entity_id", "question", "code", "words"),
    [
        ("camera.attic", "Open?", "assist_unknown_entity", "no entity camera.attic"),
        ("calendar.front_door_timeline", "Open?", "assist_not_a_camera", "not a cam"),
        ("camera.driveway", "Car?", "assist_not_exposed", "not exposed to Assist"),
        ("camera.garage", "  ", "assist_no_question", "The question is empty"),
        ("camera.shed", "Open?", "image_entity_unavailable", "has no image to give"),
    ],
)
async def test_look_refuses(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    cameras: None,
    ollama_emulator: OllamaEmulator,
    entity_id: str,
    question: str,
    code: str,
    words: str,
) -> None:
    """Unknown entities, other kinds, cameras not exposed to Assist, an empty
    question and a camera that is off: a readable refusal, and no model asked."""
    before = len(ollama_emulator.generate_requests())

    result = await call_tool(
        hass, "look_at_camera", entity_id=entity_id, question=question
    )

    assert result.error
    assert result.data["error"] == code
    assert words in str(result.data["error_text"])
    assert len(ollama_emulator.generate_requests()) == before


async def test_look_uses_the_first_setup_that_answers(
    hass: HomeAssistant,
    ollama_emulator: OllamaEmulator,
    more_emulators: StartEmulators,
    cameras: None,
) -> None:
    """The first loaded setup looks; while its vision server is down, the next."""
    (other,) = await more_emulators(1)
    first = MockConfigEntry(
        domain=DOMAIN, title="First", data=entry_data(ollama_emulator, "First")
    )
    second = MockConfigEntry(
        domain=DOMAIN, title="Second", data=entry_data(other, "Second")
    )
    for entry in (first, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    async def look() -> None:
        result = await call_tool(
            hass, "look_at_camera", entity_id="camera.garage", question="Open?"
        )
        assert result.data["answer"] == GREY, result.data

    await look()
    assert [r.prompt for r in ollama_emulator.generate_requests()] == ["Open?"]
    assert other.generate_requests() == []

    await ollama_emulator.stop()
    await first.runtime_data.coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.first_vision_server").state != STATE_ON
    await look()
    assert [r.prompt for r in other.generate_requests()] == ["Open?"]


# ---- a whole conversation: core's Ollama integration, the emulator, our tools --------


def test_the_ollama_package_is_the_one_core_requires() -> None:
    """requirements_test.txt installs what core's Ollama integration asks for."""
    core = Path(homeassistant.__file__).parent / "components" / "ollama"
    manifest = json.loads((core / "manifest.json").read_text("utf-8"))
    (wanted,) = [
        requirement
        for requirement in manifest["requirements"]
        if requirement.startswith("ollama==")
    ]
    assert f"ollama=={metadata.version('ollama')}" == wanted
    pinned = (Path(__file__).parent.parent / "requirements_test.txt").read_text()
    assert wanted in pinned.splitlines()


@pytest.fixture
async def ollama_agent(hass: HomeAssistant, ollama_emulator: OllamaEmulator) -> str:
    """Core's Ollama conversation agent on the emulator's llama3.1, given the
    Ollama Vision API in its options; its entity id."""
    entry = MockConfigEntry(
        domain="ollama",
        version=3,
        minor_version=3,
        data={"url": ollama_emulator.url},
        subentries_data=[
            ConfigSubentryData(
                data={"model": "llama3.1:latest", "llm_hass_api": [DOMAIN]},
                subentry_type="conversation",
                title="Ollama Conversation",
                unique_id=None,
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    (agent,) = [
        registry_entry.entity_id
        for registry_entry in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if registry_entry.domain == "conversation"
    ]
    return agent


async def converse(hass: HomeAssistant, agent: str, text: str) -> str:
    """One turn of a conversation; what the agent says."""
    result = await conversation.async_converse(
        hass, text, None, Context(), agent_id=agent
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def chats(emulator: OllamaEmulator) -> list[list[dict[str, Any]]]:
    """The messages of each /api/chat request."""
    return [
        request.body["messages"]
        for request in emulator.requests
        if request.path == "/api/chat"
    ]


async def test_conversation_searches_the_history(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    image_server: ImageServer,
    ollama_emulator: OllamaEmulator,
    ollama_agent: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """ "When did the postman come?": the model calls search_camera_history,
    gets the entries back and answers with them."""
    times = await analyses_this_morning(hass, image_server, freezer)
    ollama_emulator.tool_rules.append(
        ToolRule("postman", "search_camera_history", {"text": "red"})
    )

    speech = await converse(hass, ollama_agent, "When did the postman come?")

    assert speech.startswith(QUOTE)
    assert sentence("red") in speech
    assert times[0] in speech
    assert sentence("blue") not in speech
    asked, answered = chats(ollama_emulator)
    system = asked[0]
    assert system["role"] == "system"
    assert "Image names on the timeline: door, garden." in system["content"]
    tools = next(
        request.body["tools"]
        for request in ollama_emulator.requests
        if request.path == "/api/chat"
    )
    assert {"search_camera_history", "look_at_camera"} <= {
        tool["function"]["name"] for tool in tools
    }
    assert answered[-1]["role"] == "tool"
    assert sentence("red") in answered[-1]["content"]


async def test_conversation_looks_at_a_camera(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    cameras: None,
    ollama_emulator: OllamaEmulator,
    ollama_agent: str,
) -> None:
    """ "Is the garage door open?": the model calls look_at_camera; the vision
    model looks at the garage's picture; the answer comes back in words."""
    ollama_emulator.tool_rules.append(
        ToolRule(
            "garage",
            "look_at_camera",
            {"entity_id": "camera.garage", "question": "Is the garage door open?"},
        )
    )

    speech = await converse(hass, ollama_agent, "Is the garage door open?")

    assert speech.startswith(QUOTE)
    assert GREY in speech
    looked = [
        request
        for request in ollama_emulator.requests
        if request.path == "/api/generate"
    ]
    assert [(r.model, r.prompt, r.images) for r in looked] == [
        ("moondream:latest", "Is the garage door open?", [(640, 480)])
    ]
    # The system prompt named the camera the model may use.
    assert "camera.garage (Garage)" in chats(ollama_emulator)[0][0]["content"]
