"""`GrafanaEmulator`: the emulated Grafana served over HTTP/1.1 on 127.0.0.1, one thread per connection.

Use it as a context manager (or through the `grafana_emulator` fixture); `stop()` closes every open connection and
joins every thread it started, so nothing outlives a test.
"""

from __future__ import annotations

import copy
import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import alerting, dashboards, folders
from .bodies import Reply
from .faults import Fault, FaultPlan, FaultRule
from .routes import dispatch
from .state import (
    DEFAULT_PASSWORD,
    DEFAULT_TOKEN,
    DEFAULT_USER,
    DatasourceRecord,
    EmulatorState,
    Identity,
    OrgStore,
    Settings,
)

__all__ = ["GrafanaEmulator", "RecordedRequest"]

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_JOIN_TIMEOUT = 10.0


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request the emulator received. `status` is None when the connection was dropped unanswered;
    `handled` says whether it reached a handler (so a write could have taken effect)."""

    method: str
    path: str
    query: str
    write: bool
    status: int | None
    handled: bool
    fault: str | None = None
    # time.monotonic() when the handler began to act on it (None: it never did): orders what two clients did.
    acted_at: float | None = None


class GrafanaEmulator:
    """An emulated Grafana (spec §8) on an ephemeral loopback port.

    `token`, and `user`/`password`, are Admin credentials in org 1. `state` holds what Grafana stores; the
    `add_*` methods seed it through the same code the HTTP handlers use.
    """

    def __init__(self, settings: Settings | None = None):
        self.state = EmulatorState(settings)
        self.faults = FaultPlan()
        self.token = DEFAULT_TOKEN
        self.user, self.password = DEFAULT_USER, DEFAULT_PASSWORD
        self._requests: list[RecordedRequest] = []
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._serving: threading.Thread | None = None

    # Lifecycle

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GrafanaEmulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = _Server(self)
        self._serving = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"grafana-emulator-{self._server.server_address[1]}",
            daemon=True,
        )
        self._serving.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections, and wait for every thread the emulator started."""
        server, serving = self._server, self._serving
        if server is None or serving is None:
            return
        server.stopping.set()
        server.shutdown()
        serving.join(_JOIN_TIMEOUT)
        server.close_connections()
        server.join_handlers(_JOIN_TIMEOUT)
        server.server_close()
        self._server = self._serving = None

    def threads(self) -> list[threading.Thread]:
        """Threads this emulator started that are still alive (empty after `stop`)."""
        alive = [] if self._serving is None or not self._serving.is_alive() else [self._serving]
        return alive + ([] if self._server is None else self._server.live_handlers())

    def __enter__(self) -> GrafanaEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Faults and the request log

    def inject(
        self,
        *faults: Fault,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
        rate: float = 1.0,
        seed: int = 0,
        weights: tuple[float, ...] | None = None,
    ) -> FaultRule:
        """Misbehave on matching requests; see `faults` for how rules are matched and drawn.

        `path` is a glob over the path without query (`/api/dashboards/uid/*`); `times=None` never runs out.
        """
        return self.faults.add(
            FaultRule(faults=faults, method=method, path=path, times=times, rate=rate, seed=seed, weights=weights)
        )

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._log_lock:
            return tuple(self._requests)

    @property
    def writes(self) -> tuple[RecordedRequest, ...]:
        """Every write request received (POST, PUT, DELETE, PATCH), whether or not it succeeded."""
        return tuple(request for request in self.requests if request.write)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def record(self, request: RecordedRequest) -> None:
        with self._log_lock:
            self._requests.append(request)

    # Seeding

    def add_org(self, org_id: int, name: str) -> None:
        with self.state.lock:
            self.state.orgs.setdefault(org_id, OrgStore(id=org_id, name=name))

    def add_token(self, token: str, identity: Identity) -> None:
        self.state.settings.tokens[token] = identity

    def add_user(self, login: str, password: str, identity: Identity) -> None:
        self.state.settings.users[login] = (password, identity)

    def add_datasource(
        self,
        *,
        uid: str,
        name: str,
        type: str,  # noqa: A002 - Grafana's field name
        url: str = "",
        is_default: bool = False,
        read_only: bool = False,
        json_data: Mapping[str, Any] | None = None,
        secure_fields: Iterable[str] = (),
        org_id: int = 1,
    ) -> None:
        with self.state.lock:
            org = self.state.org(org_id)
            if is_default:
                for other in org.datasources.values():
                    other.is_default = False
            org.datasources[uid] = DatasourceRecord(
                id=self.state.next_id(), uid=uid, name=name, type=type, url=url, is_default=is_default,
                read_only=read_only, json_data=dict(json_data or {}), secure_fields=tuple(secure_fields),
            )  # fmt: skip

    def add_folder(self, uid: str, title: str, *, parent_uid: str = "", org_id: int = 1) -> dict[str, Any]:
        """Create a folder as an Admin would; returns its Folder DTO."""
        with self.state.lock:
            org = self.state.org(org_id)
            record = folders.create_folder(self.state, org, uid=uid, title=title, parent_uid=parent_uid, login="admin")
            return folders.folder_json(org, record)

    def add_dashboard(
        self,
        model: Mapping[str, Any],
        *,
        folder_uid: str = "",
        provisioned: bool = False,
        plugin_id: str = "",
        org_id: int = 1,
    ) -> dict[str, Any]:
        """Save a dashboard as someone else would (with overwrite); returns the save answer.

        Calling it again for a stored uid bumps its version, which is how a test stages a concurrent edit.
        """
        with self.state.lock:
            org = self.state.org(org_id)
            body = {"dashboard": copy.deepcopy(dict(model)), "folderUid": folder_uid, "overwrite": True}
            answer = dashboards.save_dashboard(self.state, org, body, login="admin")
            record = org.dashboards[answer["uid"]]
            record.provisioned, record.plugin_id = provisioned, plugin_id
            return answer

    def add_rule_group(
        self,
        folder_uid: str,
        title: str,
        *,
        rules: Iterable[Mapping[str, Any]],
        interval: int = 60,
        provenance: str = "",
        org_id: int = 1,
    ) -> None:
        with self.state.lock:
            body = {"interval": interval, "rules": [copy.deepcopy(dict(rule)) for rule in rules]}
            org = self.state.org(org_id)
            alerting.replace_group(self.state, org, folder_uid, title, body, provenance=provenance)


class _Server(ThreadingHTTPServer):
    """Tracks its connections and handler threads so that `stop` can end them all."""

    daemon_threads = True

    def __init__(self, emulator: GrafanaEmulator):
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._tracking = threading.Lock()
        self.stopping = threading.Event()  # cuts slow-answer faults short when the emulator stops
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"grafana-emulator-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self._tracking:
            self._open.add(request)
            self._handlers = [handler for handler in self._handlers if handler.is_alive()]
            self._handlers.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._tracking:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads blocked reading the next request on a kept-alive connection."""
        with self._tracking:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def join_handlers(self, timeout: float) -> None:
        with self._tracking:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join(timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is normal here (dropped-connection faults, stop); anything else is a bug."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.emulator.state.internal_errors.append(traceback.format_exc())

    def live_handlers(self) -> list[threading.Thread]:
        with self._tracking:
            return [handler for handler in self._handlers if handler.is_alive()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and delayed ACKs add ~40 ms
        # to every answer on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        """Quiet: the emulator's request log is `GrafanaEmulator.requests`."""

    def _serve(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        method, path = self.command, parts.path
        fault = emulator.faults.pick(method, path)

        acted_at: list[float] = []

        def record(status: int | None, handled: bool) -> None:
            emulator.record(
                RecordedRequest(
                    method=method, path=path, query=parts.query, write=method in WRITE_METHODS, status=status,
                    handled=handled, fault=None if fault is None else str(fault),
                    acted_at=acted_at[0] if handled and acted_at else None,
                )
            )  # fmt: skip

        if fault is not None and fault.delay:
            self.server.stopping.wait(fault.delay)
        if fault is not None and not fault.after_handling and (fault.drop or fault.status is not None):
            record(None if fault.drop else fault.status, handled=False)
            self._spoil(fault)
            return
        acted_at.append(time.monotonic())
        reply = dispatch(
            emulator.state,
            method=method,
            path=path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        if fault is not None and fault.after_handling and (fault.drop or fault.status is not None):
            record(None if fault.drop else fault.status, handled=True)
            self._spoil(fault)
            return
        record(reply.status, handled=True)
        self._answer(reply)

    def _spoil(self, fault: Fault) -> None:
        if fault.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._answer(fault.reply())

    def _answer(self, reply: Reply) -> None:
        if reply.raw is not None:
            payload = reply.raw
        elif reply.body is not None:
            # Go's encoding/json writes compact JSON; /api/health is pretty-printed with two spaces.
            separators = None if reply.pretty else (",", ":")
            payload = json.dumps(reply.body, indent=2 if reply.pretty else None, separators=separators).encode()
        else:
            payload = b""
        self.send_response(reply.status)
        if payload:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)
