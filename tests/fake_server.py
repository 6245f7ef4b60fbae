"""The plumbing the loopback fakes of provider APIs share (tests/fake_openai.py, fake_azure.py, fake_together.py).

A ThreadingHTTPServer on 127.0.0.1 at a free port; every connection kept, so `stop()` can take the network
down mid-request; faults injected by method and path (`fail(...)`), each for a number of requests; answers
as JSON, a malformed body or a dropped connection; multipart uploads parsed. Each fake adds its service's
routes, state and kinds of fault.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


@dataclass
class Fault:
    method: str
    path: str  # a regular expression matched against the path (as the fake names it)
    status: int | None = None  # answer with this status instead
    drop: bool = False  # carry the request out, then close the connection without answering
    times: int = 1


@dataclass
class FakeService:
    key: str
    faults: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None
    connections: list[socket.socket] = field(default_factory=list)
    fault_type: ClassVar[type[Fault]] = Fault  # the fake's own Fault, with its own kinds of fault

    def fail(self, method: str, path: str, **how: Any) -> None:
        self.faults.append(self.fault_type(method, path, **how))

    def fault_for(self, method: str, path: str) -> Any:
        """The first fault still due for this request (and one time fewer of it), or None."""
        with self.lock:
            for fault in self.faults:
                if fault.method == method and re.fullmatch(fault.path, path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def stop(self) -> None:
        """The network goes down: nothing answers on this port any more, open connections included."""
        self.server.shutdown()
        self.server.server_close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    api: Any  # the fake this server answers for (set by start)

    def setup(self) -> None:
        super().setup()
        self.api.connections.append(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        raise NotImplementedError

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _drop(self) -> None:
        """The request was carried out; its answer is never sent."""
        self.close_connection = True
        self.connection.close()

    def _multipart(self, body: bytes) -> dict[str, tuple[str | None, bytes]]:
        """A multipart/form-data body: each field's name -> (its file name, if any; its bytes)."""
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        return {
            part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_payload(decode=True))
            for part in message.iter_parts()
        }

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send_raw(status, json.dumps(payload).encode(), headers)

    def _send_raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


def start(api: FakeService, handler: type[Handler]) -> ThreadingHTTPServer:
    """Serve `api` with `handler` on 127.0.0.1 at a free port, in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("BoundHandler", (handler,), {"api": api}))
    server.daemon_threads = True
    api.server = server
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server
