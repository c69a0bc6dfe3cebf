"""Home Assistant serves the integration's own brand images."""

from pathlib import Path

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

BRAND = Path(__file__).parent.parent / "custom_components" / "ollama_vision" / "brand"
IMAGES = [
    f"{theme}{kind}{scale}.png"
    for theme in ("", "dark_")
    for kind in ("icon", "logo")
    for scale in ("", "@2x")
]


@pytest.mark.parametrize("name", IMAGES)
async def test_served_at_the_brands_address(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, name: str
) -> None:
    """/api/brands/integration/ollama_vision/<image> answers with our own file."""
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client()
    response = await client.get(f"/api/brands/integration/ollama_vision/{name}")
    assert response.status == 200
    assert response.content_type == "image/png"
    assert await response.read() == (BRAND / name).read_bytes()


@pytest.mark.parametrize("name", IMAGES)
def test_sizes_follow_the_brand_rules(name: str) -> None:
    """Icons square at 256/512 px; logos landscape, 256/512 px high; transparent."""
    with Image.open(BRAND / name) as image:
        side = 512 if "@2x" in name else 256
        if "icon" in name:
            assert image.size == (side, side)
        else:
            assert image.height == side
            assert image.width > image.height
        assert image.mode == "RGBA"
        corner = image.getpixel((0, 0))
        assert isinstance(corner, tuple)  # RGBA: one value per band
        assert corner[3] == 0  # a transparent corner
