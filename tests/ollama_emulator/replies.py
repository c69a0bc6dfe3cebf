"""How the emulated server writes replies: Go-style JSON, NDJSON streams, timestamps."""

from datetime import UTC, datetime
import json
from typing import Any

from aiohttp import web

JSON_TYPE = "application/json; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson"


def timestamp(moment: datetime | None = None) -> str:
    """RFC 3339 in UTC with a trailing Z, as Go marshals time.Time."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dumps(value: Any) -> str:
    # Go's encoder: compact, UTF-8 kept as is.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_reply(value: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=dumps(value),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def error_reply(status: int, message: str) -> web.Response:
    return json_reply({"error": message}, status)


class NdjsonStream:
    """A streamed reply whose HTTP status is sent with the first line, as gin does:
    until something is written, a failure can still become an ordinary error reply."""

    def __init__(self, request: web.Request) -> None:
        self._request = request
        self._response: web.StreamResponse | None = None

    @property
    def started(self) -> bool:
        return self._response is not None

    async def send(self, value: Any) -> None:
        if self._response is None:
            self._response = web.StreamResponse(headers={"Content-Type": NDJSON_TYPE})
            await self._response.prepare(self._request)
        await self._response.write((dumps(value) + "\n").encode())

    async def finish(self) -> web.StreamResponse:
        if self._response is None:
            raise RuntimeError("nothing was streamed")
        await self._response.write_eof()
        return self._response

    async def fail(self, status: int, message: str) -> web.StreamResponse:
        """Before any line: a plain error reply. After: an error line, status stays 200,
        and the stream ends without its `done` line."""
        if self._response is None:
            return error_reply(status, message)
        await self.send({"error": message})
        return await self.finish()
