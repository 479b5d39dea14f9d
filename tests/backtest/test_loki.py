"""LogQL rules backtested through Loki's `query_range`, from recorded answers served on loopback.

Loki cannot be installed here; the bodies in tests/backtest/loki/ follow Loki's own encoder
(pkg/util/marshal/query.go in grafana/loki: `status`, `data.resultType` "matrix", `result[].metric`,
`result[].values` as [unix seconds, "value"], `data.stats`), and a refused query is a plain-text 400
(pkg/util/server/error.go, WriteError). The backtest reads them through the same code as Prometheus'.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashctl.backtest.replay import replay_rule
from dashctl.backtest.rule import read_rule
from dashctl.backtest.window import Window
from dashctl.datasource_api import DatasourceClient, resolve_endpoint
from dashctl.diff.objects import AlertRule, RuleNode, freeze
from dashctl.project.environment import Environment

RECORDED = Path(__file__).parent / "loki"
T0 = 1764000000
QUERY = 'sum by (app) (count_over_time({namespace="prod"} |= "error" [5m]))'


@pytest.fixture
def loki():
    """A loopback server answering /loki/api/v1/query_range with the recorded bodies; records each request."""
    body = json.loads((RECORDED / "query_range_matrix.json").read_text())
    requests_seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            params = {key: values[0] for key, values in parse_qs(parts.query).items()}
            requests_seen.append({"path": parts.path, "tenant": self.headers.get("X-Scope-OrgID"), **params})
            if parts.path != "/loki/api/v1/query_range" or "|=" not in params.get("query", ""):
                return self._answer(400, (RECORDED / "query_range_parse_error.txt").read_bytes(), "text/plain")
            start, end = float(params["start"]), float(params["end"])
            answer = json.loads(json.dumps(body))
            for series in answer["data"]["result"]:
                series["values"] = [point for point in series["values"] if start <= point[0] <= end]
            self._answer(200, json.dumps(answer).encode(), "application/json")

        def _answer(self, status: int, payload: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests_seen
    finally:
        server.shutdown()
        server.server_close()


def logql_rule(expr: str) -> AlertRule:
    nodes = (
        RuleNode(ref_id="A", datasource_uid="loki", query_type="instant", relative_time_range=(600, 0),
                 model=freeze({"expr": expr, "queryType": "instant"})),
        RuleNode(ref_id="B", datasource_uid="__expr__",
                 model=freeze({"type": "reduce", "expression": "A", "reducer": "last"})),
        RuleNode(ref_id="C", datasource_uid="__expr__", model=freeze(
            {"type": "threshold", "expression": "B", "conditions": [{"evaluator": {"params": [10], "type": "gt"}}]})),
    )
    return AlertRule(environment="prod", uid="error-lines", rule_title="Error lines", interval="1m", condition="C",
                     data=nodes, for_="5m", no_data_state="NoData", exec_err_state="Error")


def replay(url: str, expr: str):
    environment = Environment(name="prod", namespace="prod", values={"loki_url": url})
    endpoint = resolve_endpoint("loki", environment, env={"DASHCTL_LOKI_TENANT": "platform"})
    with DatasourceClient(endpoint) as client:
        return replay_rule(read_rule(logql_rule(expr), {"loki": "loki"}), Window(start=T0, end=T0 + 29 * 60),
                           lambda uid: client)


def test_a_logql_rule_is_replayed_per_label_set(loki):
    url, seen = loki
    result = replay(url, QUERY)
    # frontend: 12 lines for minutes 5-14 → pending from 5, firing at 10, resolved at 15;
    # backend: 20 lines for minutes 20-22 only, shorter than `for`.
    assert [(dict(e.labels), e.start - T0, e.end - T0) for e in result.episodes] == [
        ({"app": "frontend"}, 600, 900)]
    assert result.evaluations == 30 and result.error_evaluations == 0
    assert seen == [{"path": "/loki/api/v1/query_range", "tenant": "platform", "query": QUERY,
                     "start": str(T0), "end": str(T0 + 29 * 60), "step": "60"}]


def test_a_query_loki_refuses_is_an_error_with_lokis_words(loki):
    url, _ = loki
    result = replay(url, 'sum(count_over_time({namespace="prod"} |~ error [5m]))')
    assert result.error_evaluations == 30
    assert result.errors == ("query A rejected: parse error at line 1, col 21: syntax error: unexpected IDENTIFIER, "
                             "expecting STRING",)
