"""The datasource client under a harsh fault model, over many seeds: connections dropped before and after the
server read the request, 429, 500, 502, 503 and 504 (some with Retry-After), slow answers. A chunked
`query_range` either returns exactly the data or fails with a DatasourceError; never wrong data, never a
traceback."""

from __future__ import annotations

import json
import random
import socket
import threading
import time

import pytest

from dashctl.datasource_api import DatasourceClient, Endpoint, query_range
from dashctl.datasource_api.ranges import MAX_POINTS
from dashctl.errors import DatasourceError
from dashctl.grafana.transport import RetryPolicy

SEEDS = range(40)
STEP = 60
START = 1_764_000_000
END = START + STEP * (MAX_POINTS * 2 + 500)  # three chunks


def answer(query: dict[str, str]) -> bytes:
    start, end, step = int(query["start"]), int(query["end"]), int(query["step"])
    values = [[t, str(t % 7)] for t in range(start, end + 1, step)]
    body = {"status": "success", "data": {"resultType": "matrix",
                                         "result": [{"metric": {"job": "x"}, "values": values}]}}
    return json.dumps(body).encode()


class FaultyServer:
    """A raw socket server, so that it can drop a connection at any point of the exchange."""

    def __init__(self, seed: int, fault_rate: float):
        self.random = random.Random(seed)
        self.fault_rate = fault_rate
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.faults: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                self.handle(connection)

    def handle(self, connection: socket.socket) -> None:
        from urllib.parse import parse_qs, urlsplit

        fault = self.random.choice(["drop-before", "drop-after", "429", "500", "502", "503", "504", "slow"]) \
            if not self.faults or self.random.random() < self.fault_rate else "ok"  # the first always fails
        self.faults.append(fault)
        if fault == "drop-before":
            return
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(65536)
            if not chunk:
                return
            request += chunk
        if fault == "drop-after":
            return
        if fault == "slow":
            time.sleep(0.02)
        if fault in ("429", "500", "502", "503", "504"):
            extra = "Retry-After: 0\r\n" if fault in ("429", "503") else ""
            connection.sendall(f"HTTP/1.1 {fault} Fault\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
                               .encode())
            return
        target = request.split(b" ", 2)[1].decode()
        query = {key: values[0] for key, values in parse_qs(urlsplit(target).query).items()}
        body = answer(query)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    def close(self) -> None:
        self.socket.close()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed={seed}")
def test_chunked_query_range_survives_faults_or_fails_cleanly(seed):
    server = FaultyServer(seed, fault_rate=0.5)
    expected = {t: float(t % 7) for t in range(START, END + 1, STEP)}
    try:
        client = DatasourceClient(Endpoint(kind="prometheus", url=server.url, token="s3cr3t"), timeout=2,
                                  retry=RetryPolicy(retries=6, statuses=frozenset({429, 500, 502, 503, 504})),
                                  sleep=lambda seconds: None)
        try:
            matrix = query_range(client, "x", start=START, end=END, step=STEP)
        except DatasourceError as error:
            assert "s3cr3t" not in str(error), f"seed {seed}"
            assert "gave up after" in str(error) or "HTTP" in str(error), f"seed {seed}: {error}"
        else:
            assert matrix.series == {(("job", "x"),): expected}, f"seed {seed}: faults {server.faults}"
        finally:
            client.close()
    finally:
        server.close()
    assert {fault for fault in server.faults if fault != "ok"}, f"seed {seed}: no fault was injected"


def test_a_server_that_is_not_there_is_a_clean_error():
    from tests.live_prometheus import free_port

    waits: list[float] = []
    client = DatasourceClient(Endpoint(kind="prometheus", url=f"http://127.0.0.1:{free_port()}", token="s3cr3t"),
                              sleep=waits.append)
    failed = r"cannot reach prometheus at .*: the connection failed \(gave up after 5 attempts\)"
    with pytest.raises(DatasourceError, match=failed) as caught:
        query_range(client, "x", start=START, end=START + 60, step=STEP)
    assert waits == [0.5, 1.0, 2.0, 4.0] and "s3cr3t" not in str(caught.value)
