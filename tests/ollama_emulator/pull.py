"""/api/pull: progress lines like the real registry client, then the model is installed.

Names in catalogue.REGISTRY pull with their real capabilities; other names pull as
plain text models, unless `registry_strict`, where they fail as unknown manifests.
"""

import asyncio
import hashlib
from typing import Any, Protocol

from aiohttp import web

from tests.ollama_emulator.catalogue import (
    REGISTRY,
    VISION,
    ModelSpec,
    canonical_name,
    make_spec,
)
from tests.ollama_emulator.errors import UNKNOWN_MANIFEST, ApiError
from tests.ollama_emulator.replies import NdjsonStream, error_reply, json_reply

# Small layers every model has besides its weights (name, bytes).
_SMALL_LAYERS = (("template", 1_429), ("license", 7_711), ("params", 121))
_PROJECTOR_SIZE = 624_434_368


class Installer(Protocol):
    models: dict[str, ModelSpec]
    registry_strict: bool
    pull_delay: float
    pull_failure: str | None


def _layers(spec: ModelSpec) -> list[tuple[str, int]]:
    layers = [("weights", spec.size), *_SMALL_LAYERS]
    if spec.supports(VISION):
        layers.insert(1, ("projector", _PROJECTOR_SIZE))
    return [
        ("sha256:" + hashlib.sha256(f"{spec.name}/{kind}".encode()).hexdigest(), size)
        for kind, size in layers
    ]


def progress(spec: ModelSpec) -> list[dict[str, Any]]:
    """Every line after "pulling manifest", up to and including "success"."""
    lines: list[dict[str, Any]] = []
    for digest, total in _layers(spec):
        status = f"pulling {digest.removeprefix('sha256:')[:12]}"
        # The first line of a layer has no `completed`: Go omits the zero.
        lines.append({"status": status, "digest": digest, "total": total})
        for completed in (total // 2, total):
            lines.append(
                {
                    "status": status,
                    "digest": digest,
                    "total": total,
                    "completed": completed,
                }
            )
    lines += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"}]
    lines.append({"status": "success"})
    return lines


async def run(
    request: web.Request, body: dict[str, Any], installer: Installer
) -> web.StreamResponse:
    name = body.get("model") or body.get("name") or ""
    if not name:
        raise ApiError(400, "invalid model name")
    key = canonical_name(name)
    spec = REGISTRY.get(key)
    if spec is None and not installer.registry_strict:
        spec = make_spec(key)

    if body.get("stream") is False:
        if spec is None:
            return error_reply(500, UNKNOWN_MANIFEST)
        installer.models[spec.name] = spec
        return json_reply({"status": "success"})

    stream = NdjsonStream(request)
    await stream.send({"status": "pulling manifest"})
    if spec is None:
        return await stream.fail(500, UNKNOWN_MANIFEST)
    for number, line in enumerate(progress(spec)):
        await asyncio.sleep(installer.pull_delay)
        # Half of the first layer arrives, then the download breaks, as when the
        # registry's connection drops or the disk fills up.
        if number == 2 and installer.pull_failure is not None:
            return await stream.fail(500, installer.pull_failure)
        if line["status"] == "success":
            installer.models[spec.name] = spec
        await stream.send(line)
    return await stream.finish()
