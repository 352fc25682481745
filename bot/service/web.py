"""Webhook mode, and the health, readiness and metrics endpoints of both modes.

Built on python-telegram-bot's custom-webhook pattern (its ``customwebhookbot`` example with
Starlette + uvicorn: the Application built with ``.updater(None)``, our own ASGI app served by
``uvicorn.Server`` beside ``application.start()``) rather than ``Application.run_webhook``,
because we need what ``run_webhook`` does not give:

* **routes beside the webhook**: ``GET /healthz``, ``GET /readyz`` and ``GET /metrics`` on
  the same port, for the load balancer, the orchestrator and Prometheus;
* **control over acknowledging**: ``run_webhook`` answers 200 once the update is on an
  in-memory queue, so a replica that dies takes it along. Here the 200 comes only after the
  update is committed to the durable inbox (bot/service/inbox.py); a redelivered ``update_id`` is
  answered 200 and skipped; a POST without the right ``X-Telegram-Bot-Api-Secret-Token`` gets
  401 (constant-time compare); a stopping replica answers 503, so Telegram retries the update,
  through the load balancer, on another replica;
* **control over stopping**: SIGTERM stops intake, lets the updates in hand finish, then
  exits 0 (uvicorn's own signal handling would re-raise the signal after serving);
* **no setWebhook on start**: ``run_webhook`` calls it from every replica as it starts;
  ``python -m bot webhook set`` registers the URL, secret and allowed updates once.

In polling mode with ``METRICS_PORT`` set, :func:`attach_status_server` serves the same three
endpoints on a small port of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import json
import logging
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.answers.compose import Replier
from bot.service.inbox import Inbox, chat_key
from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram import metrics
from bot.telegram.redaction import UVICORN_LOGGERS, redact_loggers
from bot.telegram.sending import TOO_LONG

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
CHECK_TIMEOUT = 3.0  # seconds each readiness check may take
CHECK_CACHE = 2.0  # seconds a readiness result is reused
MAX_BODY_BYTES = 1 << 20  # a webhook POST's body (Telegram's updates are far smaller)
CONCURRENCY_LIMIT = 256  # connections uvicorn serves at once; more get 503
ANSWER_THREADS = 4  # the pool answers are computed on (one batch at a time, and charts)
#: Checks reported but not required for readiness (answers do not depend on them).
ADVISORY_CHECKS = frozenset({"vector_store_server"})


def webhook_path(settings: Settings) -> str:
    """The path the bot serves the webhook on: WEBHOOK_URL's (``/telegram`` without one)."""
    if not settings.webhook_url:
        return "/telegram"
    return urlsplit(settings.webhook_url).path or "/"


def webhook_secret_problem(settings: Settings) -> str | None:
    """Why WEBHOOK_SECRET cannot be used, or None."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        return "WEBHOOK_SECRET is not set: webhook mode needs it (1-256 of A-Z a-z 0-9 _ -)"
    if not SECRET_PATTERN.fullmatch(secret):
        return "WEBHOOK_SECRET may hold only 1-256 of A-Z a-z 0-9 _ - (Telegram's rule)"
    return None


# --- health, readiness, metrics ------------------------------------------------------------


def in_daemon_thread(call) -> asyncio.Future:
    """``call()`` on a daemon thread of its own; its result as a future of the running loop.
    Unlike an executor's thread, one that never returns does not hold the process at exit."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: object, error: BaseException | None) -> None:
        if not future.done():
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def run() -> None:
        try:
            result, error = call(), None
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="readiness-probe", daemon=True).start()
    return future


class Readiness:
    """What readiness means: **this replica can answer**. The database answers, the knowledge
    base (passages and vectors) and the embedding model are in memory, and the process is not
    stopping. Answers make no Chroma call at question time (everything is read at start), so
    the Chroma server being down or hung is reported (``vector_store_server``) but does not
    make a replica unready.

    The Chroma probe runs on a thread of its own (a daemon thread, one at a time: a hung
    Chroma call blocks only that thread, never the pool answers are computed on, nor the
    process's exit), each probe has a real timeout (a probe still stuck from before is not
    started again), and one result serves every request made
    within :data:`CHECK_CACHE` seconds: a flood of ``GET /readyz`` costs one check."""

    def __init__(self, storage: Storage, replier: Replier):
        self.storage, self.replier = storage, replier
        self.stopping = False
        self._server_probe: asyncio.Future | None = None  # a Chroma count under way
        self._checking: asyncio.Task | None = None
        self._cached: tuple[float, bool, dict[str, str]] | None = None

    async def _database(self) -> None:
        ping = getattr(self.storage, "ping", None)
        if ping is not None:
            await ping()
            return
        async with self.storage.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _knowledge(self) -> None:
        retriever = self.replier.retriever
        if not getattr(retriever, "passages", None) or not getattr(retriever, "vectors", None):
            raise RuntimeError("the knowledge base is not loaded")

    async def _model(self) -> None:
        if getattr(self.replier.retriever, "embeddings", None) is None:
            raise RuntimeError("the embedding model is not loaded")

    async def _vector_store_server(self) -> None:
        """The Chroma count, on the probe thread; a count still stuck is not started again."""
        if self._server_probe is None or self._server_probe.done():
            retriever = self.replier.retriever
            count = getattr(retriever, "ping", None) or retriever.collection.count
            self._server_probe = in_daemon_thread(count)
        elif not self._server_probe.done():
            raise TimeoutError
        if await asyncio.shield(self._server_probe) <= 0:
            raise RuntimeError("the knowledge collection is empty")

    async def _check(self) -> tuple[bool, dict[str, str]]:
        checks: dict[str, str] = {}
        probes = (("database", self._database), ("knowledge", self._knowledge),
                  ("model", self._model), ("vector_store_server", self._vector_store_server))
        for name, probe in probes:
            try:
                await asyncio.wait_for(probe(), CHECK_TIMEOUT)
                checks[name] = "ok"
            except TimeoutError:
                checks[name] = f"no answer within {CHECK_TIMEOUT:.0f} s"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                checks[name] = f"{type(exc).__name__}: {exc}"[:300]
        if self.stopping:
            checks["process"] = "stopping"
        ready = all(v == "ok" for k, v in checks.items() if k not in ADVISORY_CHECKS)
        return ready, checks

    async def check(self) -> tuple[bool, dict[str, str]]:
        """(ready, every check's outcome); one check at a time, its result reused for
        CHECK_CACHE seconds."""
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < CHECK_CACHE:
            ready, checks = self._cached[1], dict(self._cached[2])
        else:
            if self._checking is None or self._checking.done():
                self._checking = asyncio.create_task(self._check(), name="readiness-check")
            ready, checks = await asyncio.shield(self._checking)
            self._cached = (time.monotonic(), ready, checks)
            checks = dict(checks)
        if self.stopping:  # at once, not after the cache expires
            ready, checks["process"] = False, "stopping"
        return ready, checks

    def close(self) -> None:
        """Nothing to wait for: a probe still stuck ends with the process."""
        self._server_probe = None


def status_routes(readiness: Readiness, *, detailed: bool = True) -> list[Route]:
    """``/healthz`` and ``/readyz``; with ``detailed`` (the internal METRICS_PORT) ``/readyz``
    says which check failed and ``/metrics`` is served. The public webhook port answers only
    ``ok`` or ``unavailable``: no host names, roles or error text to anyone who asks."""

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(_: Request) -> Response:
        ready, checks = await readiness.check()
        status = 200 if ready else 503
        if not detailed:
            return PlainTextResponse("ok\n" if ready else "unavailable\n", status_code=status)
        return JSONResponse({"ready": ready, "checks": checks}, status_code=status)

    async def metrics_page(_: Request) -> Response:
        body, content_type = metrics.render()
        return Response(body, headers={"Content-Type": content_type})

    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/readyz", readyz, methods=["GET"])]
    if detailed:
        routes.append(Route("/metrics", metrics_page, methods=["GET"]))
    return routes


# --- the webhook ---------------------------------------------------------------------------


class RateLimitedLog:
    """One log line per ``every`` seconds at most, saying how many were left out."""

    def __init__(self, every: float = 60.0):
        self.every = every
        self._last = -every
        self.suppressed = 0

    def warning(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            self.suppressed += 1
            return
        if self.suppressed:
            message += f" (and {self.suppressed} more like it in the last {self.every:.0f} s)"
        self._last, self.suppressed = now, 0
        log.warning(message, *args)


class BodyTooLarge(ValueError):
    pass


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"{declared} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"over {limit} bytes")
    return bytes(body)


class WebhookEndpoint:
    """POST handler: check the secret, store the update in the inbox, answer."""

    def __init__(self, application: Application, inbox: Inbox, secret: str):
        self.application, self.inbox = application, inbox
        self._secret = secret.encode()
        self.stopping = False
        self._refused_log = RateLimitedLog()

    async def handle(self, request: Request) -> Response:
        status = await self._receive(request)
        metrics.count_webhook_request(status)
        return Response(status_code=status)

    async def _receive(self, request: Request) -> int:
        if self.stopping:
            return 503  # Telegram retries it, on another replica
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._refused_log.warning("webhook POST from %s without the right secret token: 401",
                                      request.client.host if request.client else "?")
            return 401
        try:
            body = await read_body(request)
        except BodyTooLarge as exc:
            log.warning("webhook POST with a body too large (%s): 413", exc)
            return 413
        try:
            payload = json.loads(body)
            update_id = int(payload["update_id"])
            update = Update.de_json(payload, self.application.bot)
        except Exception as exc:  # noqa: BLE001 - a malformed body is the sender's problem
            log.warning("webhook POST with a malformed update: %s", exc)
            return 400
        try:
            await self.inbox.accept(update_id, chat_key(update), payload)
        except (SQLAlchemyError, OSError) as exc:
            log.error("could not store update %s (%s): 503, Telegram will retry", update_id, exc)
            return 503
        return 200


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the service decides how to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _uvicorn_server(app: Starlette) -> _Server:
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                    timeout_graceful_shutdown=5,
                                    limit_concurrency=CONCURRENCY_LIMIT))
    # uvicorn configures its own loggers (propagate=False) when its Config is made
    redact_loggers(*UVICORN_LOGGERS)
    return server


class CannotStart(RuntimeError):
    """Why the replica cannot start, said for the log (exit 2)."""


class WebhookService:
    """One webhook replica: the Application (no Updater), the inbox and the HTTP server.

    ``await start()`` ... ``await stop()``; :func:`run_webhook` runs it until SIGTERM."""

    def __init__(self, settings: Settings, replier: Replier, storage: Storage):
        from bot.telegram.app import build_application

        self.settings, self.storage = settings, storage
        self.application = build_application(settings, replier, storage)
        bot = self.application.bot
        self.inbox = Inbox(
            storage, lambda payload: self.application.process_update(
                Update.de_json(payload, bot)),
            workers=settings.update_workers,
            keep=dt.timedelta(hours=settings.inbox_keep_hours),
            update_timeout=settings.update_timeout_seconds,
            on_timeout=self._took_too_long,
        )
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
        self.endpoint = WebhookEndpoint(self.application, self.inbox, secret)
        self.readiness = Readiness(storage, replier)
        self.app = Starlette(routes=[
            Route(webhook_path(settings), self.endpoint.handle, methods=["POST"]),
            *status_routes(self.readiness, detailed=False),
        ])
        self.server = _uvicorn_server(self.app)
        # METRICS_PORT (internal): the detailed readiness and /metrics
        self.status_server = _uvicorn_server(Starlette(
            routes=status_routes(self.readiness))) if settings.metrics_port else None
        self._serving: asyncio.Task | None = None
        self._status_serving: asyncio.Task | None = None
        self._socket: socket.socket | None = None
        self._status_socket: socket.socket | None = None
        self._started = False

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("not started")
        return self._socket.getsockname()[1]

    async def _took_too_long(self, payload: dict) -> None:
        update = Update.de_json(payload, self.application.bot)
        if update.effective_chat is not None:
            await self.application.bot.send_message(update.effective_chat.id, TOO_LONG)

    @property
    def status_port(self) -> int:
        """METRICS_PORT as bound (the internal status endpoints)."""
        if self._status_socket is None:
            raise RuntimeError("no METRICS_PORT")
        return self._status_socket.getsockname()[1]

    async def start(self) -> None:
        from bot.telegram.app import startup

        settings = self.settings
        try:
            self._socket = bind_socket(settings.webhook_listen, settings.webhook_port)
            if self.status_server is not None:
                self._status_socket = bind_socket(settings.metrics_listen, settings.metrics_port)
        except OSError as exc:
            raise CannotStart(f"cannot serve on {settings.webhook_listen}:"
                              f"{settings.webhook_port} (or METRICS_PORT "
                              f"{settings.metrics_port}): {exc}") from exc
        try:
            await self.storage.ping()
        except Exception as exc:
            raise CannotStart(f"cannot start: the database did not accept a connection "
                              f"({type(exc).__name__}: {exc})") from exc
        # answers are computed on a pool of their own (the loop's default, which
        # asyncio.to_thread uses); readiness probes have theirs
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="answers"))
        await self.application.initialize()
        self._started = True
        await startup(self.application)
        await self.application.start()
        await self.inbox.start()
        self._serving = asyncio.create_task(self.server.serve(sockets=[self._socket]),
                                            name="webhook-server")
        if self.status_server is not None:
            self._status_serving = asyncio.create_task(
                self.status_server.serve(sockets=[self._status_socket]), name="status-server")
        while not self.server.started:
            if self._serving.done():
                await self._serving  # raises what stopped it
                raise RuntimeError("the webhook server stopped while starting")
            await asyncio.sleep(0.02)
        log.info("webhook replica %s serving %s on %s:%d", self.inbox.replica,
                 webhook_path(self.settings), self.settings.webhook_listen, self.port)

    async def stop(self) -> None:
        """SIGTERM: 503 for new updates, finish those in hand, stop jobs, flush, close."""
        from bot.telegram.app import shutdown

        grace = self.settings.shutdown_grace_seconds
        deadline = time.monotonic() + grace
        self.endpoint.stopping = self.readiness.stopping = True
        services = self.application.bot_data["services"]
        services.nudge_stop.set()  # a running nudge tick ends before its next nudge
        log.info("stopping: new updates get 503; finishing the updates in hand")
        try:
            await self.inbox.stop(grace)
            self.server.should_exit = True
            if self._serving is not None:
                await asyncio.gather(self._serving, return_exceptions=True)
            if self.status_server is not None:
                self.status_server.should_exit = True
                if self._status_serving is not None:
                    await asyncio.gather(self._status_serving, return_exceptions=True)
            if self.application.running:
                await self._stop_application(services, deadline)
        finally:
            if self._started:
                await shutdown(self.application)  # the answer batcher, the database
                await self.application.shutdown()
                self._started = False
            for sock in (self._socket, self._status_socket):
                if sock is not None:
                    sock.close()
            self.readiness.close()
        log.info("stopped")

    async def _stop_application(self, services, deadline: float) -> None:
        """``application.stop()`` waits for a running nudge tick; it ends before its next
        nudge, and the wait is bounded by what is left of SHUTDOWN_GRACE_SECONDS: then the
        tick is cancelled (a nudge cut mid-send stays "sending", never sent twice)."""
        stopping = asyncio.ensure_future(self.application.stop())
        _done, late = await asyncio.wait({stopping}, timeout=max(0.5, deadline - time.monotonic()))
        if late:
            task = services.nudge_task
            log.warning("stopping: the nudge tick outlasted the shutdown grace; cancelled")
            if task is not None:
                task.cancel()
        await stopping

    async def run(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({waiter, self._serving}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        finally:
            await self.stop()


def run_webhook(settings: Settings) -> int:
    """``python -m bot`` with BOT_MODE=webhook: serve until SIGTERM/SIGINT, then exit 0."""
    from bot.answers.engine import load_replier
    from bot.answers.errors import StoreMissingError
    from bot.telegram.redaction import install_token_redaction

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    install_token_redaction(token)
    problem = webhook_secret_problem(settings)
    if problem:
        log.error("%s", problem)
        return 2
    try:
        replier = load_replier(settings)
    except StoreMissingError as exc:
        log.error("%s", exc)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        storage = Storage(settings.database_url,
                          statement_timeout=settings.database_statement_timeout_seconds)
        service = WebhookService(settings, replier, storage)
        await service.run(stop)

    try:
        asyncio.run(main())
    except CannotStart as exc:
        log.error("%s", exc)
        return 2
    return 0


# --- polling mode: the status endpoints on METRICS_PORT ------------------------------------


def attach_status_server(application: Application, settings: Settings) -> None:
    """Serve /healthz, /readyz and /metrics on METRICS_PORT while the polling bot runs:
    started after the bot's own start-up, stopped before its shutdown closes the database."""
    started_hook, stopped_hook, shutdown_hook = (
        application.post_init, application.post_stop, application.post_shutdown)
    state: dict[str, object] = {}

    async def post_init(app: Application) -> None:
        if started_hook is not None:
            await started_hook(app)
        svc = app.bot_data["services"]
        readiness = Readiness(svc.storage, svc.replier)
        server = _uvicorn_server(Starlette(routes=status_routes(readiness)))
        sock = bind_socket(settings.metrics_listen, settings.metrics_port)
        state.update(readiness=readiness, server=server, sock=sock,
                     task=asyncio.create_task(server.serve(sockets=[sock]), name="status-server"))
        log.info("status endpoints on %s:%d", settings.metrics_listen, settings.metrics_port)

    async def post_stop(app: Application) -> None:
        if "readiness" in state:
            state["readiness"].stopping = True
        if stopped_hook is not None:
            await stopped_hook(app)

    async def post_shutdown(app: Application) -> None:
        if "server" in state:
            state["server"].should_exit = True
            await asyncio.gather(state["task"], return_exceptions=True)
            state["sock"].close()
            state["readiness"].close()
        if shutdown_hook is not None:
            await shutdown_hook(app)

    application.post_init = post_init
    application.post_stop = post_stop
    application.post_shutdown = post_shutdown
