"""A small client for Ollama's native HTTP API, on a session its owner gives it."""

import asyncio
from base64 import b64encode
import codecs
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from .redact import redact_credentials

# Ollama's own port, meant by an address without one.
DEFAULT_PORT = 11434

# Probes (version, tags, show) answer at once on a healthy server.
PROBE_TIMEOUT = aiohttp.ClientTimeout(total=15, sock_connect=10)
# Generation can take minutes on a cold model: the caller bounds the whole stage,
# so the request itself only limits connecting.
GENERATE_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10)
# The most an answer may hold, all its lines together; one line may be that big
# too (a proxy or an "Ollama-compatible" server that does not stream answers in
# one line). Real answers are kilobytes, the final line's token context at most
# a few hundred; the cap keeps a runaway or hostile server from filling memory.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
# Pictures larger than this (all of a request's together) are encoded for the
# request in the executor: base64 and JSON of megabytes would hold up the loop.
OFF_LOOP_BYTES = 256 * 1024
# A download streams for as long as it takes and can be silent for minutes while
# the server verifies a large file: only connecting is limited.
PULL_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10)
# Of an error page only the start is shown.
MAX_ERROR_BYTES = 64 * 1024
_MIB = 1024 * 1024


class OllamaError(Exception):
    """Base error of the Ollama client."""

    def __init__(self, message: str) -> None:
        """Keep the message without passwords: it can quote a URL."""
        super().__init__(redact_credentials(message))


class OllamaConnectionError(OllamaError):
    """The server could not be reached, or the connection broke."""


class OllamaUnreachableError(OllamaConnectionError):
    """Nothing answered at the server's address (refused, unknown host)."""

    def __init__(self, host: str, reason: str) -> None:
        """Keep the address for the message people see, the reason for the log."""
        super().__init__(f"{host}: {reason}")
        self.host = host


class OllamaResponseError(OllamaError):
    """The server answered with an error."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP status and the server's own message."""
        super().__init__(message)
        self.status = status
        self.message = str(self)


class OllamaBusyError(OllamaResponseError):
    """The server's queue is full (503); worth trying again later."""


class OllamaAuthError(OllamaResponseError):
    """A proxy in front of the server refused the credentials."""


class OllamaModelNotFoundError(OllamaResponseError):
    """The server does not have the model."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the server says a model can do."""

    name: str
    vision: bool
    completion: bool


@dataclass(frozen=True, slots=True)
class PullProgress:
    """One step of a download: Ollama's status line, and how far the bytes are."""

    status: str
    fraction: float | None
    """Bytes received of the bytes announced so far (0 to 1); None before any."""


def normalize_server_url(value: str) -> str:
    """Turn `host`, `host:port`, `http(s)://host[:port]` or a proxy URL into a base URL.

    Without a port, Ollama's own port is meant, except for a URL with a path:
    that is a reverse proxy, which listens on its scheme's usual port.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty server address")
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) server address: {value}")
    try:
        port = parts.port
    except ValueError as err:
        raise ValueError(f"invalid port in {value}") from err
    if parts.query or parts.fragment:
        raise ValueError(f"a server address has no query: {value}")
    netloc = parts.netloc
    path = parts.path.rstrip("/")
    if port is None and not path:
        netloc = f"{netloc}:{DEFAULT_PORT}"
    return f"{parts.scheme}://{netloc}{path}"


def full_model_name(name: str) -> str:
    """Give a model name its tag as Ollama lists it (`llava` is `llava:latest`)."""
    name = name.strip()
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


class OllamaClient:
    """Talks to one Ollama server."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, api_key: str | None = None
    ) -> None:
        """Bind the client to a server; the session is Home Assistant's shared one."""
        self._session = session
        self.base_url = base_url
        # An address with its own credentials (user:password@) uses those: a
        # request cannot carry both.
        own = urlsplit(base_url).username is not None
        self._headers = (
            {"Authorization": f"Bearer {api_key}"} if api_key and not own else {}
        )
        self._json_headers = {**self._headers, "Content-Type": "application/json"}

    @property
    def host(self) -> str:
        """The server's host and port, for display (a password masked)."""
        return urlsplit(redact_credentials(self.base_url)).netloc

    async def async_version(self) -> str:
        """Return the server's version; a cheap reachability check."""
        data = await self._request_json("GET", "/api/version")
        return str(data.get("version", ""))

    async def async_list_models(self) -> list[str]:
        """Return the names (with tags) of the models on the server."""
        data = await self._request_json("GET", "/api/tags")
        models = data.get("models") or []
        return sorted(
            str(m["name"]) for m in models if isinstance(m, dict) and "name" in m
        )

    async def async_model_info(self, model: str) -> ModelInfo:
        """Return what a model can do, from `/api/show`."""
        data = await self._request_json("POST", "/api/show", {"model": model})
        capabilities = data.get("capabilities")
        if isinstance(capabilities, list):
            return ModelInfo(
                name=model,
                vision="vision" in capabilities,
                completion="completion" in capabilities,
            )
        # Servers before 0.6.4 report no capabilities: vision shows in the details.
        details = data.get("details") or {}
        families = details.get("families") or []
        vision = "projector_info" in data or any(
            f in ("clip", "mllama") for f in families
        )
        return ModelInfo(name=model, vision=vision, completion=True)

    async def async_generate(
        self,
        model: str,
        prompt: str,
        *,
        images: Sequence[bytes] = (),
        keep_alive: int | str | None = None,
        answer_format: dict[str, Any] | str | None = None,
    ) -> str:
        """The model's answer, streamed so a failure mid-answer is seen as one.

        `answer_format` is Ollama's `format`: "json" or a JSON schema the answer
        must follow.
        """
        body: dict[str, Any] = {"model": model, "prompt": prompt, "stream": True}
        if answer_format is not None:
            body["format"] = answer_format
        if keep_alive is not None:
            body["keep_alive"] = keep_alive
        if sum(len(image) for image in images) > OFF_LOOP_BYTES:
            payload = await asyncio.get_running_loop().run_in_executor(
                None, _request_body, body, images
            )
        else:
            payload = _request_body(body, images)
        parts: list[str] = []
        done = False
        try:
            async with self._session.post(
                self.base_url + "/api/generate",
                data=payload,
                headers=self._json_headers,
                timeout=GENERATE_TIMEOUT,
            ) as response:
                await self._raise_for_status(response)
                async for raw_line in _lines(response):
                    if not raw_line.strip():
                        continue
                    chunk = _parse_line(raw_line)
                    if "error" in chunk:
                        # After the first chunk the server keeps status 200 and
                        # reports the failure as a line of its own.
                        raise OllamaResponseError(200, str(chunk["error"]))
                    parts.append(str(chunk.get("response", "")))
                    if chunk.get("done"):
                        done = True
                        break
        except aiohttp.ClientConnectorError as err:
            raise self._unreachable(err) from err
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
            raise OllamaConnectionError(str(err) or type(err).__name__) from err
        if not done:
            raise OllamaConnectionError("the answer stopped before it was complete")
        return "".join(parts).strip()

    async def async_pull(self, model: str) -> AsyncIterator[PullProgress]:
        """Download a model onto the server, reporting progress as it goes.

        A failure, before or during the download, raises OllamaResponseError
        with Ollama's own reason (such as an unknown name or a full disk).
        """
        # Ollama reports each layer (digest) with its size and bytes so far.
        totals: dict[str, int] = {}
        done: dict[str, int] = {}
        try:
            async with self._session.post(
                self.base_url + "/api/pull",
                json={"model": model, "stream": True},
                headers=self._headers,
                timeout=PULL_TIMEOUT,
            ) as response:
                await self._raise_for_status(response)
                async for raw_line in _lines(response, max_total=None):
                    if not raw_line.strip():
                        continue
                    line = _parse_line(raw_line)
                    if "error" in line:
                        raise OllamaResponseError(200, str(line["error"]))
                    digest, size, received = (
                        line.get("digest"),
                        line.get("total"),
                        line.get("completed", 0),
                    )
                    if isinstance(digest, str) and isinstance(size, int):
                        totals[digest] = size
                        done[digest] = received if isinstance(received, int) else 0
                    total = sum(totals.values())
                    status = str(line.get("status", ""))
                    yield PullProgress(
                        status, min(1.0, sum(done.values()) / total) if total else None
                    )
                    if status == "success":
                        return
        except aiohttp.ClientConnectorError as err:
            raise self._unreachable(err) from err
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
            raise OllamaConnectionError(str(err) or type(err).__name__) from err
        raise OllamaConnectionError("the download stopped before it was complete")

    async def _request_json(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            async with self._session.request(
                method,
                self.base_url + path,
                json=body,
                headers=self._headers,
                timeout=PROBE_TIMEOUT,
            ) as response:
                await self._raise_for_status(response)
                data = orjson.loads(await _read_body(response, MAX_ANSWER_BYTES))
        except TimeoutError as err:
            raise OllamaConnectionError(f"no answer from {self.host}") from err
        except aiohttp.ClientConnectorError as err:
            raise self._unreachable(err) from err
        except aiohttp.ClientConnectionError as err:
            raise OllamaConnectionError(str(err) or type(err).__name__) from err
        except ValueError as err:
            raise OllamaResponseError(200, "the server's answer is not JSON") from err
        if not isinstance(data, dict):
            raise OllamaResponseError(200, "the server's answer is not a JSON object")
        return data

    def _unreachable(self, err: aiohttp.ClientConnectorError) -> OllamaUnreachableError:
        reason = err.os_error.strerror or str(err.os_error) or type(err).__name__
        return OllamaUnreachableError(self.host, reason)

    @staticmethod
    async def _raise_for_status(response: aiohttp.ClientResponse) -> None:
        if response.status < 400:
            return
        text = _decode(await _read_body(response, MAX_ERROR_BYTES, cut=True), response)
        try:
            message = str(orjson.loads(text)["error"])
        except ValueError, KeyError, TypeError:
            message = " ".join(text.split())[:200] or response.reason or "error"
        if response.status == 503:
            raise OllamaBusyError(response.status, message)
        if response.status in (401, 403):
            raise OllamaAuthError(response.status, message)
        if response.status == 404 and "not found" in message and "model" in message:
            raise OllamaModelNotFoundError(response.status, message)
        raise OllamaResponseError(response.status, f"HTTP {response.status}: {message}")


def _request_body(body: dict[str, Any], images: Sequence[bytes]) -> bytes:
    """The request as JSON bytes, with the pictures in base64."""
    if images:
        body["images"] = [b64encode(image).decode("ascii") for image in images]
    return orjson.dumps(body)


async def _read_body(
    response: aiohttp.ClientResponse, limit: int, *, cut: bool = False
) -> bytes:
    """The body, at most `limit` bytes: cut there, or refused when larger."""
    body = bytearray()
    async for chunk in response.content.iter_any():
        body += chunk
        if len(body) > limit:
            if cut:
                return bytes(body[:limit])
            raise _too_large()
    return bytes(body)


async def _lines(
    response: aiohttp.ClientResponse, max_total: int | None = MAX_ANSWER_BYTES
) -> AsyncIterator[bytes]:
    """The body's lines, read by us: aiohttp's own line reader fails on long lines.

    Lines may be as long as the whole answer, which is capped; a download's
    progress has no end in bytes (`max_total=None`), but each line still has.
    """
    buffer = bytearray()
    total = 0
    async for chunk in response.content.iter_any():
        total += len(chunk)
        if max_total is not None and total > max_total:
            raise _too_large()
        # Only the new bytes are searched, so a long line costs linear time.
        start = len(buffer)
        buffer += chunk
        while (end := buffer.find(b"\n", start)) >= 0:
            if end > MAX_ANSWER_BYTES:
                raise _too_large()
            yield bytes(buffer[:end])
            del buffer[: end + 1]
            start = 0
        if len(buffer) > MAX_ANSWER_BYTES:
            raise _too_large()
    if buffer:
        yield bytes(buffer)


def _too_large() -> OllamaResponseError:
    return OllamaResponseError(
        200, f"the server's answer is larger than {MAX_ANSWER_BYTES // _MIB} MiB"
    )


def _decode(body: bytes, response: aiohttp.ClientResponse) -> str:
    """Decode an error page whatever its encoding: proxies send Latin-1 too."""
    charset = response.charset or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return body.decode(charset, errors="replace")


def _parse_line(raw_line: bytes) -> dict[str, Any]:
    try:
        chunk = orjson.loads(raw_line)
    except ValueError as err:
        raise OllamaResponseError(
            200, "the server sent a line that is not JSON"
        ) from err
    if not isinstance(chunk, dict):
        raise OllamaResponseError(200, "the server sent a line that is not an object")
    return chunk
