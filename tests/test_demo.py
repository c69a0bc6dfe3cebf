"""scripts/demo.py: the pictures and image entities scripts/develop offers to try."""

import importlib.util
from pathlib import Path
import time
from types import ModuleType

from PIL import Image
import pytest

from custom_components.ollama_vision.media.video_decode import read_frames
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from tests.e2e.ha_config_dir import write_media_dirs

REPO = Path(__file__).parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", REPO / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _load_script()


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, list[str]]:
    """The demo written into a config folder as scripts/develop prepares it."""
    write_media_dirs(tmp_path)
    return tmp_path, demo.write_demo(tmp_path, 8131)


def test_pictures_in_www_and_media(written: tuple[Path, list[str]]) -> None:
    """Four camera-sized JPEGs in each folder, each with its own main colour."""
    config, lines = written
    colours = set()
    for folder in ("www", "media"):
        names = sorted(p.name for p in (config / folder / demo.FOLDER).glob("*.jpg"))
        assert names == ["back_yard.jpg", "front_door.jpg", "parcel.jpg", "visitor.jpg"]
        for name in names:
            with Image.open(config / folder / demo.FOLDER / name) as image:
                assert image.format == "JPEG"
                assert image.size == (1280, 720)
                small = image.convert("RGB").resize((1, 1), Image.Resampling.BOX)
                colours.add(small.getpixel((0, 0)))
    assert len(colours) == 4
    assert f"Media: My media > {demo.FOLDER} > visitor.jpg" in lines


async def test_image_entities_set_up(
    hass: HomeAssistant, written: tuple[Path, list[str]]
) -> None:
    """The package's template images become the entities the banner names."""
    config, lines = written
    package = load_yaml_dict(str(config / "packages" / "ollama_vision_demo.yaml"))
    assert await async_setup_component(hass, "template", package)
    await hass.async_block_till_done()
    for entity_id in ("image.demo_front_door", "image.demo_back_yard"):
        assert hass.states.get(entity_id) is not None, entity_id
        assert entity_id in lines[0]


def test_a_clip_to_try_the_video_fields_with(written: tuple[Path, list[str]]) -> None:
    """The same short clip in both folders: the empty door first, then the
    visitor, who is on the key frame; the banner names where it is."""
    config, lines = written
    clips = [config / folder / demo.FOLDER / demo.VIDEO for folder in ("www", "media")]
    assert clips[0].read_bytes() == clips[1].read_bytes()
    frames = read_frames(
        clips[0].read_bytes(),
        max_frames=3,
        max_edge=640,
        max_seconds=60,
        deadline=time.monotonic() + 60,
    )
    assert len(frames.frames) == 3
    assert frames.frames[0].time == 0.0
    assert frames.frames[frames.key_frame].time >= 2  # the visitor is in
    assert f"Video: www/{demo.FOLDER}/{demo.VIDEO} (a file), or" in lines


def test_blueprint_installed_where_an_import_puts_it(
    written: tuple[Path, list[str]],
) -> None:
    """scripts/develop's config has the repository's blueprint, and says where."""
    config, lines = written
    name = "describe_camera_events.yaml"
    installed = config / "blueprints" / "automation" / "ollama_vision" / name
    source = REPO / "blueprints" / "automation" / "ollama_vision" / name
    assert installed.read_bytes() == source.read_bytes()
    assert any(line.startswith("Blueprint: ") for line in lines)
    # A later run follows a changed blueprint.
    installed.write_text("stale", encoding="utf-8")
    demo.install_blueprints(config)
    assert installed.read_bytes() == source.read_bytes()
