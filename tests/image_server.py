"""A local HTTP server that serves pictures, and misbehaves on purpose, for tests.

srv = ImageServer(); await srv.start()
srv.add("/door.jpg", make_jpeg(640, 480, (255, 0, 0)))
url = srv.url("/door.jpg")
await srv.close()
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import NamedTuple, override

from aiohttp import web

from tests.images_factory import b64, make_image, make_jpeg, make_png
from tests.local_server import LocalServer

__all__ = ["ImageRequest", "ImageServer", "b64", "make_image", "make_jpeg", "make_png"]

type Route = Callable[[web.Request], Awaitable[web.StreamResponse]]

_ENDLESS_CHUNK = b"\xff" * 64 * 1024


class ImageRequest(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]


class ImageServer(LocalServer):
    """Paths map to behaviours; anything not added is 404."""

    def __init__(self) -> None:
        super().__init__()
        self._routes: dict[str, Route] = {}
        self.requests: list[ImageRequest] = []

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path}"

    @override
    def _setup_app(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            ImageRequest(request.method, request.path, dict(request.headers))
        )
        route = self._routes.get(request.path)
        if route is None:
            raise web.HTTPNotFound
        return await route(request)

    def add(
        self,
        path: str,
        body: bytes,
        content_type: str = "image/jpeg",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        async def serve(_: web.Request) -> web.StreamResponse:
            return web.Response(
                body=body,
                status=status,
                content_type=content_type,
                headers=dict(headers or {}),
            )

        self._routes[path] = serve

    def add_redirect(self, path: str, to: str, status: int = 302) -> None:
        async def serve(_: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": to})

        self._routes[path] = serve

    def add_stall(self, path: str, seconds: float = 3600) -> None:
        """Accept the request and answer nothing for `seconds` (stop() cancels it)."""

        async def serve(_: web.Request) -> web.StreamResponse:
            await asyncio.sleep(seconds)
            return web.Response(status=204)

        self._routes[path] = serve

    def add_endless(self, path: str, content_type: str = "image/jpeg") -> None:
        """A chunked body that never ends; a client must cap what it reads."""

        async def serve(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            # Runs until the client disconnects: the handler is then cancelled.
            while True:
                await response.write(_ENDLESS_CHUNK)
                await asyncio.sleep(0)  # let the rest of the test's loop run too

        self._routes[path] = serve

    def add_require_user_agent(
        self, path: str, body: bytes, content_type: str = "image/jpeg"
    ) -> None:
        """403 to a client that sends no User-Agent, as some image hosts do."""

        async def serve(request: web.Request) -> web.StreamResponse:
            if not request.headers.get("User-Agent"):
                return web.Response(status=403, text="Forbidden")
            return web.Response(body=body, content_type=content_type)

        self._routes[path] = serve

    def remove(self, path: str) -> None:
        self._routes.pop(path, None)
