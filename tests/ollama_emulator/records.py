"""The request log: what each request carried, for tests to assert on."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedRequest:
    """One request, in arrival order. Fields the request did not carry stay empty.

    `images` holds the (width, height) of each picture Pillow could open;
    `image_bytes` the decoded length of every base64 image, picture or not.
    """

    method: str
    path: str
    headers: dict[str, str]
    time: float
    """time.monotonic() on arrival."""
    body: Any = None
    """The parsed JSON body, or None when there was none or it did not parse."""
    model: str | None = None
    """As sent, not normalised."""
    prompt: str | None = None
    """generate: `prompt`; chat: the last user message's content."""
    images: list[tuple[int, int]] = field(default_factory=list)
    image_bytes: list[int] = field(default_factory=list)
    keep_alive: Any = None
    """The raw JSON value."""
    options: dict[str, Any] | None = None
    stream: bool = False
    """Effective: absent or null means streaming on the streaming endpoints."""
    status: int | None = None
    """HTTP status sent (None while in flight or when the connection was dropped)."""
    fault: str | None = None
    """The injected fault this request consumed, if any."""
