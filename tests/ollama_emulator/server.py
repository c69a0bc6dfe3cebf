"""OllamaEmulator: an aiohttp server on loopback that answers like a real Ollama.

See /work/shared/docs/ollama-api.md for the behaviour it copies, odd cases included.
"""

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
import time
from typing import Any, override

from aiohttp import web

from tests.local_server import LOOPBACK, Handler, LocalServer
from tests.ollama_emulator import completion, pull, tools
from tests.ollama_emulator.bodies import (
    CHAT,
    GENERATE,
    PULL,
    SHOW,
    Fields,
    checked,
    read_json,
)
from tests.ollama_emulator.catalogue import (
    COMPLETION,
    VISION,
    ModelSpec,
    canonical_name,
    default_models,
    make_spec,
    with_tag,
)
from tests.ollama_emulator.completion import Clock, Endpoint, Prompt
from tests.ollama_emulator.errors import ApiError, model_not_found, not_supported
from tests.ollama_emulator.faults import PROXY_502_PAGE, FaultBook, FaultKind
from tests.ollama_emulator.records import RecordedRequest
from tests.ollama_emulator.replies import (
    NdjsonStream,
    error_reply,
    json_reply,
    timestamp,
)
from tests.ollama_emulator.scheduler import Scheduler

VERSION = "0.33.0"
_BOOT_TIME = timestamp()
_RECORD = web.RequestKey("record", RecordedRequest)


class OllamaEmulator(LocalServer):
    """Timing and capacity knobs are plain attributes, read on every request."""

    def __init__(self, models: Iterable[ModelSpec] | None = None) -> None:
        super().__init__()
        self.models: dict[str, ModelSpec] = {
            spec.name: spec for spec in (default_models() if models is None else models)
        }
        self.requests: list[RecordedRequest] = []
        self.version = VERSION
        self.load_delay = 0.0
        self.first_token_delay = 0.0
        self.token_delay = 0.0
        self.pull_delay = 0.0
        """Seconds between /api/pull progress lines."""
        self.pull_failure: str | None = None
        """When set, streamed pulls break halfway through the first layer with
        this error line (status 200 already sent), and install nothing."""
        self.parallel = 1
        self.max_queue = 512
        self.default_keep_alive = 300.0
        """OLLAMA_KEEP_ALIVE: seconds a model stays loaded when a request says nothing."""
        self.registry_strict = False
        """When True, /api/pull refuses names outside catalogue.REGISTRY."""
        self.on_request: Callable[[RecordedRequest], None] | None = None
        self.fixed_answer: str | None = None
        """Benchmarks: answer every generate and chat request with this text
        after first_token_delay, one request per slot, without decoding the
        body's pictures; the server's own time is then the delay and little else."""
        self.true_when_colour: str | None = None
        """When set, the booleans of structured answers are true when the last
        picture seen is mostly this colour (a `vision.PALETTE` name), false
        otherwise: the answer to a yes/no question follows what a camera shows."""
        self.api_key: str | None = None
        """When set, every request must carry `Authorization: Bearer <api_key>`, as
        ollama.com and authenticating reverse proxies ask; others get 401."""
        self.tool_rules: list[tools.ToolRule] = []
        """Which tool the chat model calls for which words (see tools.py)."""
        self._faults = FaultBook()
        self._scheduler = Scheduler(self)

    # ---- the Python API tests use -------------------------------------------------

    @override
    async def start(self, host: str | None = LOOPBACK, port: int | None = None) -> None:
        await super().start(host, port)

    @property
    def url(self) -> str:
        return self.base_url

    def generate_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in ("/api/generate", "/api/chat")]

    def add_model(
        self, name: str, capabilities: Iterable[str] = (COMPLETION,), **details: Any
    ) -> None:
        """Install a model; `details` are ModelSpec fields (family, legacy, ...)."""
        spec = make_spec(name, capabilities, **details)
        self.models[spec.name] = spec

    def occupancy(self, model: str) -> tuple[int, int]:
        """Requests holding one of `model`'s slots, and requests waiting for a slot.

        Tests wait for these instead of guessing how long a request takes to
        reach the scheduler.
        """
        return self._scheduler.occupancy(canonical_name(model))

    def remove_model(self, name: str) -> None:
        key = canonical_name(name)
        self.models.pop(key, None)
        self._scheduler.unload(key)

    def inject(
        self,
        kind: FaultKind,
        *,
        model: str | None = None,
        times: int = 1,
        seconds: float = 3600,
        after_chunks: int = 2,
        message: str | None = None,
        size: int = 10_000_000,
        load_requests: bool = False,
    ) -> None:
        """Make the next `times` generate/chat requests (for `model`, if given) fail.

        Load-only requests (empty prompt, no messages) are left alone unless
        `load_requests`. See faults.py for what each kind does.
        """
        self._faults.inject(
            kind,
            model=model,
            times=times,
            seconds=seconds,
            after_chunks=after_chunks,
            message=message,
            size=size,
            load_requests=load_requests,
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def loaded_models(self) -> list[str]:
        return [model.spec.name for model in self._scheduler.loaded()]

    @override
    def _on_stopped(self) -> None:
        # A restarted server starts with nothing in memory.
        self._scheduler = Scheduler(self)

    # ---- HTTP plumbing ---------------------------------------------------------------

    @override
    def _setup_app(self, app: web.Application) -> None:
        app.middlewares.append(self._record_and_answer_errors)
        router = app.router
        router.add_get("/", self._root)
        router.add_get("/api/version", self._version)
        router.add_get("/api/tags", self._tags)
        router.add_get("/api/ps", self._ps)
        router.add_post("/api/show", self._show)
        router.add_post("/api/generate", self._generate)
        router.add_post("/api/chat", self._chat)
        router.add_post("/api/pull", self._pull)

    @web.middleware
    async def _record_and_answer_errors(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            time=time.monotonic(),
        )
        self.requests.append(record)
        request[_RECORD] = record
        if self.on_request is not None:
            self.on_request(record)
        if self.api_key is not None and (
            request.headers.get("Authorization") != f"Bearer {self.api_key}"
        ):
            record.status = 401
            return error_reply(401, "unauthorized")
        try:
            response = await handler(request)
        except ApiError as error:
            response = error_reply(error.status, error.message)
        except web.HTTPNotFound:
            response = web.Response(status=404, text="404 page not found")
        except web.HTTPMethodNotAllowed:
            response = web.Response(status=405, text="405 method not allowed")
        record.status = response.status
        return response

    async def _read(
        self, request: web.Request, fields: Fields, *, streams: bool = False
    ) -> dict[str, Any]:
        """The body, its `fields` checked (400 otherwise), noted in the request log.
        `streams`: the endpoint streams unless told `"stream": false`."""
        record = request[_RECORD]
        value = read_json(await request.read())
        record.body = value
        if isinstance(value, dict):
            _note_raw_fields(record, value)
            record.stream = streams and value.get("stream") is not False
        return checked(value, fields)

    def _spec(self, name: str) -> ModelSpec | None:
        return self.models.get(canonical_name(name)) if name else None

    # ---- endpoints -------------------------------------------------------------------

    async def _root(self, _: web.Request) -> web.StreamResponse:
        return web.Response(text="Ollama is running")

    async def _version(self, _: web.Request) -> web.StreamResponse:
        return json_reply({"version": self.version})

    def _listing(self, spec: ModelSpec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "model": spec.name,
            "modified_at": _BOOT_TIME,
            "size": spec.size,
            "digest": spec.digest,
            "details": spec.details(),
        }

    async def _tags(self, _: web.Request) -> web.StreamResponse:
        return json_reply({"models": [self._listing(s) for s in self.models.values()]})

    async def _ps(self, _: web.Request) -> web.StreamResponse:
        models = [
            {
                **self._listing(loaded.spec),
                "expires_at": _expiry(loaded.expires_at),
                "size_vram": loaded.spec.size,
                "context_length": loaded.spec.context_length,
            }
            for loaded in self._scheduler.loaded()
        ]
        return json_reply({"models": models})

    async def _show(self, request: web.Request) -> web.StreamResponse:
        body = await self._read(request, SHOW)
        name = body.get("model") or body.get("name") or ""
        if not name:
            raise ApiError(400, "model is required")
        spec = self._spec(name)
        if spec is None:
            raise model_not_found(with_tag(name))
        return json_reply(_show_reply(spec))

    async def _pull(self, request: web.Request) -> web.StreamResponse:
        body = await self._read(request, PULL, streams=True)
        return await pull.run(request, body, self)

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        if self.fixed_answer is not None:
            return await self._fixed(request, "generate", self.fixed_answer)
        return await self._complete(request, "generate", GENERATE)

    async def _fixed(
        self, request: web.Request, endpoint: Endpoint, text: str
    ) -> web.StreamResponse:
        body = checked(
            read_json(await request.read()),
            GENERATE if endpoint == "generate" else CHAT,
        )
        request[_RECORD].body = body  # benchmarks replay it from a bare client
        model = body.get("model") or ""
        spec = self._spec(model)
        if spec is None:
            raise model_not_found(model)
        asked = body.get("prompt") if endpoint == "generate" else body.get("messages")
        prompt = Prompt(
            endpoint=endpoint,
            model=model,
            text=str(asked or ""),
            images=[],
            keep_alive=None,
            stream=body.get("stream") is not False,
            load_only=not asked,
            wants=(),
        )
        if prompt.load_only:
            return completion.load_reply(prompt, "load")
        async with self._scheduler.runner(spec, None):
            await asyncio.sleep(self.first_token_delay)
            if not prompt.stream:
                return json_reply(completion.final(prompt, "stop", text=text))
            stream = NdjsonStream(request)
            await stream.send(completion.chunk(prompt, text))
            await stream.send(completion.final(prompt, "stop"))
            return await stream.finish()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if self.fixed_answer is not None:
            return await self._fixed(request, "chat", self.fixed_answer)
        return await self._complete(request, "chat", CHAT)

    async def _complete(
        self, request: web.Request, endpoint: Endpoint, fields: Fields
    ) -> web.StreamResponse:
        clock = Clock()
        record = request[_RECORD]
        body = await self._read(request, fields, streams=True)
        prompt = completion.read_prompt(endpoint, body)
        record.prompt = prompt.text
        record.image_bytes = [len(data) for data in prompt.images]
        record.images = [(p.width, p.height) for p in prompt.pictures if p]

        spec = self._model_for(prompt)
        if prompt.load_only and prompt.keep_alive == 0:
            self._scheduler.unload(spec.name)
            return completion.load_reply(prompt, "unload")
        if not spec.supports(COMPLETION):
            raise not_supported(prompt.model, endpoint)
        for capability in prompt.wants:
            if not spec.supports(capability):
                raise not_supported(prompt.model, capability)
        if prompt.last_role == "user":
            prompt.tool_call = tools.tool_call(
                self.tool_rules, prompt.text, prompt.tools
            )

        fault = self._faults.take(spec.name, prompt.load_only)
        record.fault = fault.kind if fault else None
        if fault and fault.kind == "busy_503":
            raise ApiError(503, fault.message)
        if fault and fault.kind == "proxy_502":
            return web.Response(
                status=502, body=PROXY_502_PAGE, headers={"Content-Type": "text/html"}
            )
        async with self._scheduler.runner(spec, prompt.keep_alive):
            clock.mark_loaded()
            if fault and fault.kind == "stall":
                await asyncio.sleep(fault.seconds)
            if fault and fault.kind == "http_500":
                raise ApiError(500, fault.message)
            if prompt.load_only:
                return completion.load_reply(prompt, "load")
            return await completion.run(
                request, prompt, spec=spec, clock=clock, timing=self, fault=fault
            )

    def _model_for(self, prompt: Prompt) -> ModelSpec:
        if not prompt.model:
            # generate parses the empty name as invalid (404); chat checks first (400).
            if prompt.endpoint == "chat":
                raise ApiError(400, "model is required")
            raise model_not_found("")
        spec = self._spec(prompt.model)
        if spec is None:
            raise model_not_found(prompt.model)
        return spec


def _note_raw_fields(record: RecordedRequest, body: dict[str, Any]) -> None:
    """Log what the request sent, even if it is about to be refused."""
    model = body.get("model", body.get("name"))
    record.model = model if isinstance(model, str) else None
    record.keep_alive = body.get("keep_alive")
    options = body.get("options")
    record.options = options if isinstance(options, dict) else None
    if isinstance(body.get("prompt"), str):
        record.prompt = body["prompt"]


def _expiry(expires_at: float) -> str:
    if expires_at == float("inf"):
        # Go adds the largest Duration (about 292 years) for "never".
        return timestamp(datetime.now(UTC) + timedelta(seconds=(2**63 - 1) / 1e9))
    return timestamp(datetime.fromtimestamp(expires_at, UTC))


def _show_reply(spec: ModelSpec) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "license": "",
        "modelfile": f'# Modelfile generated by "ollama show"\nFROM {spec.name}\n',
        "parameters": 'stop "<|end|>"',
        "template": "{{ .System }}\n{{ .Prompt }}",
        "details": spec.details(),
        "model_info": {
            "general.architecture": spec.family,
            f"{spec.family}.context_length": spec.context_length,
        },
        "modified_at": _BOOT_TIME,
    }
    if spec.legacy:
        if spec.supports(VISION):
            reply["projector_info"] = {"clip.has_vision_encoder": True}
    else:
        reply["capabilities"] = list(spec.capabilities)
    return reply
