"""Datasources by uid, and secrets: references shown by name, literal values masked yet reported as changed."""

from __future__ import annotations

import base64
import json

from dashctl.diff import compare_snapshots, extract_snapshot, render_json, render_markdown, render_text
from dashctl.encoding import dump_yaml

DATASOURCES = '''
from dashctl.datasources import Loki, Prometheus, env_secret
from dashctl.definitions import datasources


@datasources
def stack(env):
    return [
        Prometheus(name="Prometheus", uid=env.datasource("metrics").uid, url="@PROMETHEUS_URL@"),
        Loki(name="Loki", uid=env.datasource("logs").uid, url="http://loki:3100",
             json_data={"httpHeaderName1": "X-Scope-OrgID"},
             secure_json_data={"httpHeaderValue1": env_secret("@TENANT@")}),
    ]
'''


def datasources(url: str = "http://prometheus:9090", tenant: str = "LOKI_TENANT") -> str:
    return DATASOURCES.replace("@PROMETHEUS_URL@", url).replace("@TENANT@", tenant)


def test_a_datasource_change_in_a_secret_file(make_repository):
    repository = make_repository({"datasources/stack.py": datasources()})
    committed = (repository.root / "deploy/dev/datasources.yaml").read_text()
    assert "kind: Secret" in committed and "LOKI_TENANT" not in committed  # base64: read through the encoding
    repository.write("datasources/stack.py", datasources(url="http://prometheus-operated:9090", tenant="LOKI_ORG"))

    result = repository.run("diff", "--env", "dev")

    assert result.exit_code == 0, result.stderr
    assert ('~ dev datasource prom-dev "Prometheus": changed\n'
            "    url: http://prometheus:9090 → http://prometheus-operated:9090\n") in result.stdout
    assert ('~ dev datasource loki-dev "Loki": changed\n'
            "    secureJsonData.httpHeaderValue1: $__env{LOKI_TENANT} → $__env{LOKI_ORG}\n") in result.stdout


def _alerting_files(settings: dict, *, secret: bool = False, datasource: dict | None = None) -> dict[str, bytes]:
    alerting = dump_yaml({
        "apiVersion": 1,
        "contactPoints": [{"orgId": 1, "name": "ops", "receivers": [{"uid": "ops-hook", "type": "webhook",
                                                                      "settings": settings}]}],
    })
    documents = {"alerting.dev.yaml": alerting}
    if datasource is not None:
        documents["datasources.dev.yaml"] = dump_yaml({"apiVersion": 1, "datasources": [datasource]})
    if secret:
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "legacy"},
                "data": {key: base64.b64encode(value.encode()).decode() for key, value in documents.items()}}
    else:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "legacy"}, "data": documents}
    return {"dev/legacy.yaml": dump_yaml(body).encode()}


def _diff(before, after):
    return compare_snapshots(extract_snapshot(before, ["dev"], origin="base"),
                             extract_snapshot(after, ["dev"], origin="working tree"), base_ref="base")


SECRETS = ("https://hooks.example.com/T000/B000/s3cr3tOLD", "hunter2", "https://hooks.example.com/T000/B000/s3cr3tNEW",
           "correct-horse", "tok-OLD-123", "tok-NEW-456")


def test_literal_secrets_are_masked_and_their_change_reported():
    before = _alerting_files(
        {"url": SECRETS[0], "password": SECRETS[1], "httpMethod": "POST"},
        secret=True,
        datasource={"name": "Loki", "uid": "loki", "type": "loki", "url": "https://admin:hunter2@loki:3100",
                    "secureJsonData": {"httpHeaderValue1": SECRETS[4]}},
    )
    after = _alerting_files(
        {"url": SECRETS[2], "password": "$__file{/etc/secrets/hook}", "httpMethod": "PUT"},
        secret=True,
        datasource={"name": "Loki", "uid": "loki", "type": "loki", "url": "https://admin:correct-horse@loki:3100",
                    "secureJsonData": {"httpHeaderValue1": SECRETS[5]}},
    )
    diff = _diff(before, after)
    outputs = [render_text(diff), render_markdown(diff), render_json(diff)]

    for output in outputs:
        for secret in SECRETS:
            assert secret not in output
    text = outputs[0]
    assert "    webhook ops-hook › settings.url: *** → *** (secret value changed; not shown)\n" in text
    assert "    webhook ops-hook › settings.password: *** → $__file{/etc/secrets/hook}\n" in text
    assert "    webhook ops-hook › settings.httpMethod: POST → PUT\n" in text
    assert "    url: https://admin:***@loki:3100 → https://admin:***@loki:3100 (secret value changed; not shown)\n" \
        in text
    assert "    secureJsonData.httpHeaderValue1: *** → *** (secret value changed; not shown)\n" in text
    fields = {item["field"]: item for item in json.loads(outputs[2])["changes"][0]["fields"]}
    assert fields["webhook ops-hook › settings.url"]["secret"] is True
    assert fields["webhook ops-hook › settings.httpMethod"]["secret"] is False
    assert "(secret value changed; not shown)" in outputs[1]


def test_an_unchanged_secret_is_not_a_change():
    files = _alerting_files({"url": SECRETS[0]})
    assert not _diff(files, _alerting_files({"url": SECRETS[0]})).has_differences
    assert _diff(files, _alerting_files({"url": SECRETS[2]})).has_differences
