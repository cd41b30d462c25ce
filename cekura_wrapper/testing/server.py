"""Serve an ASGI app with uvicorn on a background thread: a free port, a known URL, a clean stop."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, NoReturn

from cekura_wrapper.testing.extra import missing_extra

try:
    import uvicorn
except ImportError as exc:  # pip install cekura-ws, without the testing extra
    raise missing_extra("uvicorn") from exc


class _Server(uvicorn.Server):
    """uvicorn's server, plus an event set once the socket listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class ServerThread:
    """Runs ``app`` on ``host:port`` (0 = a free port) until :meth:`stop`."""

    def __init__(
        self, app: Any, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._serve, name="cekura-emulator", daemon=True)
        self._failure: BaseException | None = None
        self._startup_timeout = startup_timeout
        self.host = host
        self.port = port

    def _serve(self) -> None:
        try:
            self._server.run()
        except BaseException as exc:  # uvicorn exits (SystemExit) when it cannot bind
            self._failure = exc.__context__ if isinstance(exc, SystemExit) and exc.__context__ else exc

    def start(self) -> ServerThread:
        self._thread.start()
        waited = 0.0
        while not self._server.ready.wait(0.05):
            waited += 0.05
            if not self._thread.is_alive() or waited > self._startup_timeout:
                self._fail()
        if self._server.should_exit:
            self._fail()
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def _fail(self) -> NoReturn:
        self.stop()
        reason = f": {self._failure}" if self._failure is not None else ""
        raise RuntimeError(
            f"the emulator could not start on {self.host}:{self.port}{reason}"
        ) from self._failure

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
